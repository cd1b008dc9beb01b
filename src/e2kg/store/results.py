"""Serialisers the backends share where their engine has none (SPARQL TSV from rdflib rows)."""

from __future__ import annotations

from e2kg.store.base import SelectResult
from e2kg.store.terms import to_ntriples


def select_tsv(result: SelectResult) -> bytes:
    """``result`` as SPARQL 1.1 TSV: a header of ``?var`` names, then one line per row."""
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    for row in result.rows:
        cells = (to_ntriples(row[name]) if name in row else "" for name in result.variables)
        lines.append("\t".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")
