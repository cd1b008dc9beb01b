"""What a write changes, as the gate sees it: the ``Change`` to check, the ``Delta`` it makes
(quads added and removed, and the same for the validation data), and the rule of which graphs
hold validation data."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import BNode, URIRef
from rdflib.term import Node

from e2kg.store import Store
from e2kg.store.scratch import GraphName, Quad
from e2kg.submissions.queries import submission_query

_SHAPES_GRAPHS = "https://w3id.org/e2kg/source/shapes/"
"""The prefix of the named graphs holding shapes (not validation data)."""

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Delta:
    """What a write changes: quads added and removed, and the same for the validation data."""

    added: frozenset[Quad]
    removed: frozenset[Quad]
    data_added: frozenset[Triple]
    """Triples of added quads in data graphs (named graphs other than shapes and histories)."""
    data_removed: frozenset[Triple]
    """Triples of removed quads in data graphs that stand in no data graph after the write."""
    reads: int
    """How many quads the gate read from the store to find the change (its work)."""
    new_blank_nodes: frozenset[Node] = frozenset()
    """Blank nodes the write creates (a parsed body's, an INSERT DATA's): in no stored triple."""

    @property
    def has_blank_nodes(self) -> bool:
        """Whether any changed data triple holds a blank node (the store relabels those)."""
        return any(
            isinstance(term, BNode)
            for triple in self.data_added | self.data_removed
            for term in triple
        )


@dataclass(frozen=True)
class Change:
    """A write to check: how to find its delta, and how to apply it to a full copy (slow path)."""

    find_delta: Callable[[Store], Delta | None]
    """The delta, or None where this store has no cheap way (then ``apply`` runs on a copy)."""
    apply: Callable[[Store], None]
    description: str = ""


def blank_nodes(quads: Iterable[Quad]) -> frozenset[Node]:
    """The blank nodes of ``quads``."""
    return frozenset(term for s, _p, o, _g in quads for term in (s, o) if isinstance(term, BNode))


def graphs_holding(store: Store, triple: Triple) -> set[GraphName]:
    """The named graphs of ``store`` that hold ``triple`` (one lookup, one read per graph)."""
    subject, predicate, obj = triple
    rows = store.select(
        submission_query("triple-graphs"),
        bindings={"subject": subject, "predicate": predicate, "object": obj},
    ).rows
    return {URIRef(str(row["graph"])) for row in rows}


def is_data_graph(graph: GraphName) -> bool:
    """Whether a graph's triples are validation data (a named graph, not shapes, not a history)."""
    if graph is None:
        return False
    name = str(graph)
    return not name.startswith(_SHAPES_GRAPHS) and not name.endswith("/history")


def data_change(
    added: Iterable[Quad],
    removed: Iterable[Quad],
    graphs_after: Callable[[Triple], set[GraphName]],
) -> tuple[frozenset[Triple], frozenset[Triple]]:
    """The change of the validation data: triples added to a data graph, and triples removed
    from one that stand in no data graph afterwards."""
    data_added = frozenset((s, p, o) for s, p, o, g in added if is_data_graph(g))
    gone = {(s, p, o) for s, p, o, g in removed if is_data_graph(g)} - data_added
    data_removed = frozenset(
        triple for triple in gone if not any(map(is_data_graph, graphs_after(triple)))
    )
    return data_added, data_removed
