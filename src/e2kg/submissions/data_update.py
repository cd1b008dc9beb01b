"""The change of a SPARQL Update made only of ``INSERT DATA`` / ``DELETE DATA`` into named graphs
(memory or embedded store): the update's own quads, each looked up in the store."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, URIRef
from rdflib.term import Node

from e2kg.store import Store
from e2kg.store.scratch import GraphName, Quad, canonical
from e2kg.submissions.change import Delta, Triple, blank_nodes, data_change, graphs_holding


def data_delta(store: Store, operations: list[Any]) -> Delta:
    """The delta of INSERT DATA / DELETE DATA into named graphs, from the store's answers only.

    Each operation's quads are played in order over what the store holds; blank nodes of an
    ``INSERT DATA`` are new nodes (one per label and operation), so their quads are always added.
    """
    holders: dict[Triple, set[GraphName]] = {}
    reads = 0

    def stored(triple: Triple) -> set[GraphName]:
        nonlocal reads
        if triple not in holders:
            holders[triple] = graphs_holding(store, triple)
            reads += len(holders[triple])
        return holders[triple]

    present: dict[Quad, bool] = {}
    fresh: set[Quad] = set()
    for op in operations:
        labels: dict[Node, BNode] = {}
        for graph, triples in op["quads"].items():
            for s, p, o in canonical(store, triples):
                if op.name == "InsertData" and (isinstance(s, BNode) or isinstance(o, BNode)):
                    s = labels.setdefault(s, BNode()) if isinstance(s, BNode) else s
                    o = labels.setdefault(o, BNode()) if isinstance(o, BNode) else o
                    fresh.add((s, p, o, URIRef(graph)))
                    continue
                present[(s, p, o, URIRef(graph))] = op.name == "InsertData"
    added = set(fresh)
    removed = set()
    for quad, now in present.items():
        was = quad[3] in stored(quad[:3])
        if now and not was:
            added.add(quad)
        elif was and not now:
            removed.add(quad)

    def graphs_after(triple: Triple) -> set[GraphName]:
        graphs = set(stored(triple))
        graphs -= {g for (s, p, o, g) in removed if (s, p, o) == triple}
        return graphs | {g for (s, p, o, g) in added if (s, p, o) == triple}

    data_added, data_removed = data_change(added, removed, graphs_after)
    return Delta(
        frozenset(added), frozenset(removed), data_added, data_removed, reads, blank_nodes(fresh)
    )
