"""A Graph Store write (PUT, POST, DELETE of one graph) as a change for the gate: the body parsed
before any lock, the delta the target graph's old triples against the body."""

from __future__ import annotations

from rdflib import BNode, URIRef

from e2kg.store import Store
from e2kg.store.scratch import GraphName, canonical
from e2kg.submissions.body_limits import parse_body
from e2kg.submissions.change import (
    Change,
    Delta,
    Triple,
    blank_nodes,
    data_change,
    graphs_holding,
)
from e2kg.submissions.queries import submission_query


def graph_change(graph: URIRef, *, body: bytes | None, media_type: str, replace: bool) -> Change:
    """A Graph Store write: replace (PUT), add to (POST) or drop (``body`` None) ``graph``.

    The body is parsed here, before any lock: one that does not parse is a ParseError, one with
    more than ``MAX_WRITE_TRIPLES`` triples is refused (413), one with a chain of more than
    ``MAX_BLANK_DEPTH`` blank nodes (400).
    """
    body_triples = (
        parse_body(body, media_type=media_type, graph=graph) if body is not None else set()
    )

    def find_delta(store: Store) -> Delta:
        new = canonical(store, body_triples)
        old = {
            (s, p, o)
            for s, p, o in store.construct(
                submission_query("graph-triples"), bindings={"graph": graph}
            )
        }
        if body is None:
            gone, came = old, set()
        elif replace:
            gone, came = old - new, new - old
        else:
            gone, came = set(), new - old
        added = {(s, p, o, graph) for s, p, o in came}
        removed = {(s, p, o, graph) for s, p, o in gone}

        def graphs_after(triple: Triple) -> set[GraphName]:
            if isinstance(triple[0], BNode) or isinstance(triple[2], BNode):
                return set()  # blank nodes are local to their graph
            return graphs_holding(store, triple) - {graph}

        data_added, data_removed = data_change(added, removed, graphs_after)
        return Delta(
            frozenset(added),
            frozenset(removed),
            data_added,
            data_removed,
            len(old),
            blank_nodes((s, p, o, graph) for s, p, o in new),
        )

    def apply(copy: Store) -> None:  # pragma: no cover - Graph Store writes always have a delta
        raise NotImplementedError

    return Change(find_delta, apply, "graph-store")
