"""SHACL gates every write: a SPARQL Update or Graph Store write is first applied to a copy.

The copy is a scratch store of the same engine (Oxigraph in a temporary directory for an embedded
Oxigraph store, rdflib in memory otherwise) holding every named graph of the store, so the write
has the same effect on it as on the real store. The difference between the copy's quads before
and after tells which nodes the write touched (subjects and IRI objects of every added or removed
triple, and the subjects that point to a changed subject), and those nodes are validated with the
study-entry shapes in the state after the write. Only violations the write introduces count: a
result already present for the same node, shape, path and value before the write does not block
it. When nothing new is violated, the caller applies the write to the real store, under
``WRITE_LOCK`` so no other gated write slips in between check and write.

Limits: the copy costs time and memory in proportion to the store (fine for the seed graph, slow
for millions of triples); for a remote store the copy is rdflib, whose SPARQL Update may differ
from the remote engine; rdflib does not fetch ``USING`` graphs for the copy (it takes them from the
copy); writes made directly at a remote store are not gated.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import rdflib.plugins.sparql
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.term import Node

from e2kg.sources import Profile
from e2kg.store import Store, open_store
from e2kg.store.memory import rdflib_calls, syntax_error
from e2kg.store.parsing import parse_quads
from e2kg.store.terms import to_rdflib
from e2kg.submissions.context import ValidationContext, prepared_graph
from e2kg.submissions.queries import submission_query
from e2kg.validation import ValidationReport, ValidationResult

WRITE_LOCK = threading.RLock()
"""Held from the check of a write until it has been applied to the store."""

_SHAPES_GRAPHS = "https://w3id.org/e2kg/source/shapes/"

Quad = tuple[Node, Node, Node, Node]
Change = Callable[[Store], None]
"""A write, applied to the scratch copy of the store."""


@dataclass(frozen=True)
class GateOutcome:
    """What the gate found: the report on the touched nodes and how many quads the write changes."""

    report: ValidationReport
    changes: int


def update_change(update: str) -> Change:
    """A SPARQL Update as a change of the copy; a syntax error is raised here, before any work."""
    try:
        translateUpdate(parseUpdate(update))
    except Exception as error:
        raise syntax_error(error, "update") from error

    def apply(copy: Store) -> None:
        copy.update(update)

    return apply


def graph_change(graph: URIRef, *, body: bytes | None, media_type: str, replace: bool) -> Change:
    """A Graph Store write: replace (PUT), add to (POST) or drop (``body`` None) ``graph``.

    The body is parsed here, before anything else, so a body that does not parse is a ParseError.
    """
    triples = Graph()
    if body is not None:
        for quad in parse_quads(body, media_type=media_type, graph=graph):
            triples.add(
                (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
            )

    def apply(copy: Store) -> None:
        if body is None:
            copy.drop_graph(graph)
        elif replace:
            copy.replace_graph(graph, triples, media_type="text/turtle")
        else:
            copy.replace_graph(graph, _union(copy, graph, triples), media_type="text/turtle")

    return apply


def check_write(
    store: Store, context: ValidationContext, change: Change, *, language: str = "en"
) -> GateOutcome:
    """Validate what ``change`` would do to the store; the store itself is not touched."""
    with (
        tempfile.TemporaryDirectory(prefix="e2kg-gate-") as directory,
        _scratch(store, Path(directory)) as copy,
    ):
        labels: dict[str, Node] = {}  # one blank node per label across both dumps
        before = _quads(copy, labels)
        with _no_remote_loading():
            change(copy)
        after = _quads(copy, labels)
    added, removed = after - before, before - after
    if not added and not removed:
        return GateOutcome(ValidationReport(profile=Profile.STUDY_ENTRY, results=[]), 0)
    data_after = _data(after)
    touched = _touched(added | removed, data_after)
    focus = sorted(node for node in touched if (node, None, None) in data_after)
    if not focus:
        return GateOutcome(
            ValidationReport(profile=Profile.STUDY_ENTRY, results=[]), len(added | removed)
        )
    with context.lock:
        report = context.validate_nodes(data_after, focus, language=language)
        if not report.conforms:
            data_before = _data(before)
            known = [node for node in focus if (node, None, None) in data_before]
            earlier = (
                {_key(result) for result in context.validate_nodes(data_before, known).results}
                if known
                else set()
            )
            report = ValidationReport(
                profile=report.profile,
                results=[result for result in report.results if _key(result) not in earlier],
                prefixes=report.prefixes,
            )
    return GateOutcome(report, len(added | removed))


@contextmanager
def _scratch(store: Store, directory: Path) -> Iterator[Store]:
    """A store of the same engine holding a copy of every named graph of ``store``."""
    copy = open_store(str(directory / "copy") if store.name == "oxigraph" else "memory")
    try:
        for graph in store.graphs():
            triples = store.construct(submission_query("graph-triples"), bindings={"graph": graph})
            copy.replace_graph(graph, triples, media_type="text/turtle")
        yield copy
    finally:
        copy.close()


def _union(copy: Store, graph: URIRef, triples: Graph) -> Graph:
    merged = copy.construct(submission_query("graph-triples"), bindings={"graph": graph})
    merged += triples
    return merged


@contextmanager
def _no_remote_loading() -> Iterator[None]:
    """rdflib's update engine fetches ``USING`` graphs from the web unless this flag is off;
    the copy holds every graph already, so it takes them from there (the flag is global: it is
    switched off only while the copy is updated, under ``WRITE_LOCK``)."""
    previous = rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    try:
        yield
    finally:
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = previous


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
        name = str(g)
        if name.startswith(_SHAPES_GRAPHS) or name.endswith("/history"):
            continue
        graph.add((s, p, o))
    return graph


def _touched(changed: set[Quad], data: Graph) -> set[URIRef]:
    """IRIs of changed subjects and objects, and the subjects pointing to a changed subject.

    (A changed subject's referrers are checked because rules read across links: a finding's
    share must stand in its evidence's sentence. Referrers of changed objects are not, or a new
    link to a department would revalidate every finding of that department.)
    """
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


def _key(result: ValidationResult) -> tuple[str, str, str, str]:
    return (
        str(result.focus_node),
        str(result.source_shape),
        str(result.path),
        str(result.value),
    )
