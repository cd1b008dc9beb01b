"""How bound values reach a query on the store: IRIs as a VALUES block at the start of the WHERE
group, other terms (a language, a search word) as the store's substitutions.

Oxigraph plans a query before substituted values are known, so a query bound to one resource is
planned as if over every resource (a study page's findings: 0.8 s at a million triples). A VALUES
block of one IRI is where its planner starts instead (6.7 ms). A VALUES block of a literal such as
the page language would also be a start, a poor one, so literals stay substitutions. Queries should
name fixed alternatives with ``FILTER(?x IN (...))`` rather than VALUES, for the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rdflib import URIRef
from rdflib.term import Node

from e2kg.store import SelectResult, Store
from e2kg.store.syntax import values_block, with_values
from e2kg.store.terms import to_ntriples


def select_bound(store: Store, query: str, bindings: Mapping[str, Node]) -> SelectResult:
    """Run the SELECT ``query`` with ``bindings``: IRIs joined first, everything else substituted."""
    iris = {name: term for name, term in bindings.items() if isinstance(term, URIRef)}
    others = {name: term for name, term in bindings.items() if not isinstance(term, URIRef)}
    text = with_values(query, iris) if iris else query
    return store.select(text, bindings=others or None)


def select_rows(
    store: Store,
    query: str,
    rows: Sequence[Mapping[str, URIRef]],
    bindings: Mapping[str, Node] | None = None,
) -> SelectResult:
    """Run the SELECT ``query`` once for many IRIs (``with_rows``), ``bindings`` (literals)
    substituted. No rows: an empty result without asking the store."""
    if not rows:
        return SelectResult(variables=[], rows=[])
    return store.select(with_rows(query, rows), bindings=dict(bindings) if bindings else None)


def with_rows(query: str, rows: Sequence[Mapping[str, URIRef]]) -> str:
    """``query`` with ``rows`` as one VALUES block of several rows at the start of its WHERE group
    (where the planner starts). Every row names the same variables; at least one row."""
    names = list(rows[0])
    if any(list(row) != names for row in rows):
        raise ValueError("every row must bind the same variables in the same order")
    first = with_values(query, rows[0])
    cells = " ".join("(" + " ".join(to_ntriples(row[name]) for name in names) + ")" for row in rows)
    block = f"VALUES ({' '.join('?' + name for name in names)}) {{ {cells} }}"
    # with_values found where the block goes; the one-row block it wrote becomes the whole block.
    return first.replace(values_block(rows[0]), block, 1)


def limited(query: str, limit: int, offset: int = 0) -> str:
    """``query`` with ``LIMIT limit OFFSET offset`` appended (whole numbers, checked here)."""
    if isinstance(limit, bool) or isinstance(offset, bool) or limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must be whole numbers >= 0: {limit}, {offset}")
    return f"{query.rstrip()}\nLIMIT {int(limit)} OFFSET {int(offset)}\n"
