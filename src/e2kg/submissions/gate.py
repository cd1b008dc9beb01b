"""SHACL gates every write: a SPARQL Update or Graph Store write is first applied to a copy.

The copy is an rdflib Dataset of the whole store (its N-Quads dump). The write is applied to it, the
difference tells which nodes it touched (subjects and IRI objects of every added or removed triple,
and the subjects that point to them), and those nodes are validated with the study-entry shapes in
the state after the write. Only violations the write introduces count: a result already present
for the same node, shape, path and value before the write does not block it. When nothing new
is violated, the caller applies the write to the real store, under ``WRITE_LOCK`` so no other gated
write slips in between check and write.

Limits: the copy costs time and memory in proportion to the store (fine for the seed graph, slow
for millions of triples); the copy runs the update with rdflib, whose SPARQL Update may differ from
the store's engine in corner cases; ``LOAD`` (when the allow-list permits it) is fetched again for
the copy; writes made directly at a remote store are not gated.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import rdflib.plugins.sparql
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.term import Node

from e2kg.sources import Profile
from e2kg.store import Store
from e2kg.store.memory import rdflib_calls, syntax_error
from e2kg.store.parsing import parse_quads
from e2kg.store.terms import to_rdflib
from e2kg.submissions.context import ValidationContext, prepared_graph
from e2kg.validation import ValidationReport, ValidationResult

WRITE_LOCK = threading.RLock()
"""Held from the check of a write until it has been applied to the store."""

_SHAPES_GRAPHS = "https://w3id.org/e2kg/source/shapes/"

Quad = tuple[Node, Node, Node, Node]
Change = Callable[[Dataset], None]
"""A write, applied to the copy of the store."""


@dataclass(frozen=True)
class GateOutcome:
    """What the gate found: the report on the touched nodes and whether the write changes data."""

    report: ValidationReport
    changes: int


def update_change(update: str) -> Change:
    """A SPARQL Update as a change of the copy."""
    try:
        parsed = translateUpdate(parseUpdate(update))
    except Exception as error:
        raise syntax_error(error, "update") from error

    def apply(copy: Dataset) -> None:
        copy.update(parsed)

    return apply


def graph_change(graph: URIRef, *, body: bytes | None, media_type: str, replace: bool) -> Change:
    """A Graph Store write: replace (PUT), add to (POST) or drop (``body`` None) ``graph``.

    The body is parsed here, before anything else, so a body that does not parse is a ParseError.
    """
    triples = []
    if body is not None:
        triples = [
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in parse_quads(body, media_type=media_type, graph=graph)
        ]

    def apply(copy: Dataset) -> None:
        if replace or body is None:
            copy.remove_graph(graph)
        target = copy.graph(graph)
        for triple in triples:
            target.add(triple)

    return apply


def check_write(
    store: Store, context: ValidationContext, change: Change, *, language: str = "en"
) -> GateOutcome:
    """Validate what ``change`` would do to the store; the store itself is not touched."""
    with rdflib_calls():
        copy = Dataset(default_union=True)
        copy.parse(data=b"".join(store.dump("application/n-quads")), format="nquads")
        before = _quads(copy)
        with _no_remote_loading():
            change(copy)
        after = _quads(copy)
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


def _quads(copy: Dataset) -> set[Quad]:
    return {(s, p, o, g) for s, p, o, g in copy.quads((None, None, None, None))}  # type: ignore[misc]


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
