"""The gate's slow path: an update with no cheap delta (a WHERE update on a memory or remote
store) applied to a scratch copy of every named graph, whole dumps compared before and after,
and the touched nodes validated against the copy's data."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from e2kg.store import Store, open_store
from e2kg.store.memory import MemoryStore, rdflib_calls
from e2kg.store.scratch import Quad
from e2kg.submissions.change import Change, is_data_graph
from e2kg.submissions.context import ValidationContext, prepared_graph
from e2kg.submissions.outcome import GateOutcome, conforming, new_results
from e2kg.submissions.queries import submission_query
from e2kg.submissions.remote_loading import no_remote_loading


def check_on_copy(
    store: Store, context: ValidationContext, change: Change, *, language: str
) -> GateOutcome:
    """Apply ``change`` to a copy of every named graph and compare whole dumps (slow path)."""
    with (
        tempfile.TemporaryDirectory(prefix="e2kg-gate-") as directory,
        _scratch(store, Path(directory)) as copy,
    ):
        labels: dict[str, Node] = {}  # one blank node per label across both dumps
        before = _quads(copy, labels)
        with no_remote_loading():
            change.apply(copy)
        after = _quads(copy, labels)
    added, removed = after - before, before - after
    if not added and not removed:
        return GateOutcome(conforming(), 0)
    data_after = _data(after)
    touched = _touched(added | removed, data_after)
    focus = sorted(node for node in touched if (node, None, None) in data_after)
    if not focus:
        return GateOutcome(conforming(), len(added | removed))
    with context.lock:
        report = context.validate_nodes(data_after, focus, language=language)
        if not report.conforms:
            report = new_results(context, report, _data(before), focus)
    return GateOutcome(report, len(added | removed))


@contextmanager
def _scratch(store: Store, directory: Path) -> Iterator[Store]:
    """A store of the same engine holding a copy of ``store``: a memory store's whole dump with
    its default graph (an update's WHERE reads it; without it a write keyed on a default-graph
    triple changed nothing on the copy and passed unchecked), a remote store's named graphs
    (what its dump holds), every named graph of an embedded store."""
    embedded = store.name == "oxigraph"
    copy = (
        open_store(str(directory / "copy"))
        if embedded
        else MemoryStore.from_quads(b"".join(store.dump("application/n-quads")))
    )
    try:
        for graph in store.graphs() if embedded else ():
            triples = store.construct(submission_query("graph-triples"), bindings={"graph": graph})
            copy.replace_graph(graph, triples, media_type="text/turtle")
        yield copy
    finally:
        copy.close()


def _quads(copy: Store, labels: dict[str, Node]) -> set[Quad]:
    with rdflib_calls():
        dataset = Dataset()
        dump = b"".join(copy.dump("application/n-quads"))
        dataset.parse(data=dump, format="nquads", bnode_context=labels)
        return {(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None))}  # type: ignore[misc]


def _data(quads: set[Quad]) -> Graph:
    """The union of the graphs a study entry is validated against (not shapes, not histories)."""
    graph = prepared_graph()
    for s, p, o, g in quads:
        if is_data_graph(g):  # a dump's default graph is rdflib's urn:x-rdflib:default, not None
            graph.add((s, p, o))
    return graph


def _touched(changed: Iterable[Quad], data: Graph) -> set[URIRef]:
    """IRIs of changed subjects and objects, and the subjects pointing to a changed subject.

    (A changed subject's referrers are checked because rules read across links: a finding's
    share must stand in its evidence's sentence. Referrers of changed objects are not, or a new
    link to a department would revalidate every finding of that department.)
    """
    changed = list(changed)
    subjects = {s for s, _p, _o, _g in changed}
    objects = {o for _s, _p, o, _g in changed if isinstance(o, URIRef)}
    pointing = {referrer for node in subjects for referrer in data.subjects(None, node)}
    pointing |= {
        referrer
        for node in pointing
        if not isinstance(node, URIRef)
        for referrer in data.subjects(None, node)
    }
    return {node for node in subjects | objects | pointing if isinstance(node, URIRef)}
