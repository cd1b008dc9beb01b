"""A Graph Store body parsed before the write lock is taken, within the limits of one write: at
most ``MAX_WRITE_TRIPLES`` triples (413) and no chain of more than ``MAX_BLANK_DEPTH`` blank
nodes (400)."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, URIRef
from rdflib.term import Node

from e2kg.errors import InputError, PayloadTooLarge
from e2kg.store.parsing import parse_quads
from e2kg.store.terms import to_rdflib
from e2kg.submissions.change import Triple

MAX_WRITE_TRIPLES = 200_000
"""Triples a Graph Store body may hold; more is refused (413) before the write lock is taken."""

MAX_BLANK_DEPTH = 1_000
"""How long a chain of blank nodes (a nested or long collection) a Graph Store body may hold;
deeper is refused (400) before the write lock is taken: study data has no such lists, and a
50,000-deep collection would hold the lock for the check and the write of 100,000 triples."""


def parse_body(body: bytes, *, media_type: str, graph: URIRef) -> set[Triple]:
    """The triples of a Graph Store body; ParseError, 413 over ``MAX_WRITE_TRIPLES``, 400 over
    ``MAX_BLANK_DEPTH``."""
    triples: set[Triple] = set()
    for count, quad in enumerate(parse_quads(body, media_type=media_type, graph=graph), 1):
        if count > MAX_WRITE_TRIPLES:
            raise PayloadTooLarge(
                f"the body holds more than {MAX_WRITE_TRIPLES} triples, the limit of one Graph "
                "Store write: load large graphs with e2kg load",
                detail={"limit": MAX_WRITE_TRIPLES, "unit": "triples"},
            )
        triples.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    depth = blank_depth(triples)
    if depth > MAX_BLANK_DEPTH:
        raise InputError(
            f"the body has a chain of {depth} blank nodes (a nested or long collection); the "
            f"limit of one Graph Store write is {MAX_BLANK_DEPTH}",
            detail={"limit": MAX_BLANK_DEPTH, "unit": "blank nodes in a chain"},
        )
    return triples


def blank_depth(triples: Iterable[Triple]) -> int:
    """The number of blank nodes on the longest chain of triples linking blank node to blank node
    (blank nodes on a cycle are not counted; a chain through one is cut there)."""
    links: dict[Node, list[Node]] = {}
    pending: dict[Node, int] = {}  # blank node -> links into it not yet counted
    for s, _p, o in triples:
        if isinstance(s, BNode):
            pending.setdefault(s, 0)
            if isinstance(o, BNode):
                links.setdefault(s, []).append(o)
                pending[o] = pending.get(o, 0) + 1
    depth = dict.fromkeys(pending, 1)
    ready = [node for node, count in pending.items() if count == 0]
    longest = 0
    while ready:  # in topological order: a node's depth is final once all links into it count
        node = ready.pop()
        longest = max(longest, depth[node])
        for target in links.get(node, ()):
            depth[target] = max(depth[target], depth[node] + 1)
            pending[target] -= 1
            if pending[target] == 0:
                ready.append(target)
    return longest
