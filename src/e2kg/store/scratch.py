"""A throw-away copy of an embedded Oxigraph store for the write gate, and quad reads by pattern.

The copy is a RocksDB checkpoint (``Store.backup``: hard links on the same file system, the way
the query workers snapshot the store), opened as a second pyoxigraph store in a temporary
directory. A SPARQL Update applied to it has exactly the engine's semantics; the gate reads only
the quads that match the update's templates before and after, never the whole store. Blank nodes
keep their labels in the checkpoint, so unchanged blank-node quads compare equal.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
from rdflib import Literal as RdflibLiteral
from rdflib import URIRef
from rdflib.term import Node

from e2kg.errors import StoreUnavailable
from e2kg.store.base import Store
from e2kg.store.oxigraph import OxigraphStore, run_update
from e2kg.store.terms import to_oxigraph, to_rdflib

GraphName = URIRef | None
"""A graph of a quad: a named graph, or None for the default graph."""
Quad = tuple[Node, Node, Node, GraphName]
Pattern = tuple[Node | None, Node | None, Node | None, URIRef | Literal["default"] | None]
"""Subject, predicate, object, graph: None matches anything; graph ``"default"`` the default graph."""


def can_checkpoint(store: Store) -> bool:
    """Whether ``store`` is an embedded Oxigraph store (the only engine this module copies)."""
    return isinstance(store, OxigraphStore)


class Scratch:
    """The checkpoint of a store: apply an update to it and read quads by pattern."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self.reads = 0
        """How many quads were read from the copy so far (the gate's work)."""

    def update(self, update: str) -> None:
        """Run a SPARQL Update on the copy (QuerySyntaxError, StoreError as the store gives them)."""
        run_update(self._store, update)

    def matching(self, patterns: Iterable[Pattern]) -> set[ox.Quad]:
        """Every quad of the copy matching one of ``patterns`` (pyoxigraph quads, not converted)."""
        found: set[ox.Quad] = set()
        for subject, predicate, obj, graph in patterns:
            quads = self._store.quads_for_pattern(
                None if subject is None else to_oxigraph(subject),  # type: ignore[arg-type]
                None if predicate is None else to_oxigraph(predicate),  # type: ignore[arg-type]
                None if obj is None else to_oxigraph(obj),
                ox.DefaultGraph() if graph == "default" else _graph(graph),
            )
            for quad in quads:
                self.reads += 1
                found.add(quad)
        return found

    def graphs_of(self, subject: Node, predicate: Node, obj: Node) -> set[GraphName]:
        """The graphs of the copy holding the triple."""
        quads = self.matching([(subject, predicate, obj, None)])
        return {graph_name(quad) for quad in quads}


def canonical(
    store: Store, triples: Iterable[tuple[Node, Node, Node]]
) -> set[tuple[Node, Node, Node]]:
    """``triples`` with their literals as ``store`` would hold them.

    Embedded Oxigraph keeps typed literals in canonical form (``12.0`` as a decimal is stored as
    ``"12"``), so a write's triples are compared with stored ones in that form; other stores keep
    literals as given.
    """
    triples = list(triples)
    if not isinstance(store, OxigraphStore):
        return set(triples)
    literals = sorted({o for _s, _p, o in triples if isinstance(o, RdflibLiteral)}, key=str)
    probe = ox.Store()
    predicate = ox.NamedNode("urn:e2kg:canonical")
    for number, literal in enumerate(literals):
        probe.add(
            ox.Quad(ox.NamedNode(f"urn:e2kg:literal:{number}"), predicate, to_oxigraph(literal))
        )
    stored: dict[Node, Node] = {}
    for quad in probe:
        number = int(quad.subject.value.rsplit(":", 1)[1])
        stored[literals[number]] = to_rdflib(quad.object)
    return {(s, p, stored.get(o, o)) for s, p, o in triples}


def graph_name(quad: ox.Quad) -> GraphName:
    """The graph of a pyoxigraph quad as an rdflib IRI, None for the default graph."""
    name = quad.graph_name
    return URIRef(name.value) if isinstance(name, ox.NamedNode) else None


def to_quad(quad: ox.Quad) -> Quad:
    """A pyoxigraph quad as rdflib terms (graph None for the default graph)."""
    return (
        to_rdflib(quad.subject),
        to_rdflib(quad.predicate),
        to_rdflib(quad.object),
        graph_name(quad),
    )


@contextmanager
def checkpoint(store: Store) -> Iterator[Scratch]:
    """A checkpoint of ``store`` (an OxigraphStore), removed when the block ends."""
    if not isinstance(store, OxigraphStore):
        raise TypeError(f"a checkpoint needs an embedded Oxigraph store, not {store.name}")
    directory = Path(tempfile.mkdtemp(prefix="e2kg-gate-"))
    try:
        try:
            store.store.backup(str(directory / "copy"))
            copy = ox.Store(str(directory / "copy"))
        except OSError as e:
            raise StoreUnavailable(f"cannot copy the store for the write gate: {e}") from e
        try:
            yield Scratch(copy)
        finally:
            del copy
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _graph(graph: URIRef | None) -> ox.NamedNode | None:
    return None if graph is None else ox.NamedNode(str(graph))
