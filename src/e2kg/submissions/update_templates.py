"""The templates of a SPARQL Update's operations (rdflib algebra) as quad patterns: every quad an
operation inserts or deletes matches one of them (a variable or blank node matches anything)."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, URIRef, Variable
from rdflib.term import Node

from e2kg.store.scratch import Pattern


def template_patterns(operations: list[Any]) -> list[Pattern]:
    """Quad patterns every quad an operation inserts or deletes matches (a superset, never less)."""
    everything: Pattern = (None, None, None, None)
    patterns: list[Pattern] = []
    for op in operations:
        if op.name in ("InsertData", "DeleteData", "DeleteWhere"):
            patterns += _clause_patterns(op, "default")
        elif op.name == "Modify":
            default = part(op, "withClause") or "default"
            for name in ("delete", "insert"):
                clause = part(op, name)
                if clause is not None:
                    patterns += _clause_patterns(clause, default)
        elif op.name in ("Clear", "Drop", "Load"):
            patterns.append((None, None, None, _graph_pattern(part(op, "graphiri"))))
        elif op.name in ("Add", "Copy"):
            patterns.append((None, None, None, _graph_pattern(op["graph"][1])))
        elif op.name == "Move":
            patterns += [(None, None, None, _graph_pattern(g)) for g in op["graph"]]
        elif op.name != "Create":
            patterns.append(everything)
    if everything in patterns:
        return [everything]
    return list(dict.fromkeys(patterns))


def part(value: Any, name: str) -> Any:
    """A part of an algebra node, None when it has none (``CompValue.get`` answers the key)."""
    return value[name] if name in value else None  # noqa: SIM401 - get() answers the key


def _clause_patterns(clause: Any, default: URIRef | str) -> list[Pattern]:
    patterns: list[Pattern] = []
    for s, p, o in part(clause, "triples") or ():
        patterns.append((_fixed(s), _fixed(p), _fixed(o), _graph_pattern(default)))
    for graph, triples in (part(clause, "quads") or {}).items():
        for s, p, o in triples:
            patterns.append((_fixed(s), _fixed(p), _fixed(o), _graph_pattern(graph)))
    return patterns


def _fixed(term: Node) -> Node | None:
    return None if isinstance(term, Variable | BNode) else term


def _graph_pattern(graph: object) -> Any:
    """A graph of the algebra as a pattern graph: an IRI, ``"default"`` or None (any graph)."""
    if isinstance(graph, URIRef):
        return graph
    if graph is None or graph == "default" or str(graph).upper() == "DEFAULT":
        return "default"
    return None  # a variable, ALL or NAMED
