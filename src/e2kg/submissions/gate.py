"""SHACL gates every write: the gate finds what a SPARQL Update or Graph Store write would change
and validates the study entries it touches, before the caller applies it.

How the change (the quads added and removed) is found, at a cost that follows the write, not the
store:

- a Graph Store write: the body is parsed before the write lock is taken (and refused there when
  it is over ``MAX_WRITE_TRIPLES`` or ``MAX_BLANK_DEPTH``); the delta is the target graph's old
  triples against the body;
- a SPARQL Update made only of ``INSERT DATA`` / ``DELETE DATA`` into named graphs (memory or
  embedded store): the delta is the update's own quads, each looked up in the store;
- any other update on the embedded Oxigraph store: it is applied to a checkpoint of the store
  (``store.scratch``, hard links, the engine's own semantics), and only the quads matching the
  update's templates (a variable or blank node matches anything) are read before and after;
  every quad an operation inserts or deletes is an instance of one of its templates, so the
  comparison is exact. Templates with ``GRAPH ?g`` and every variable position read more;
- any other update on a memory or remote store (the slow path): a scratch copy of every named
  graph, dumped before and after the update and compared, as before.

The touched nodes (subjects and IRI objects of changed triples, and subjects pointing to a changed
subject) are validated with the study-entry shapes against the validation context (the store's
data as an rdflib graph, kept by ``ValidationContext``) with the change applied in place and taken
out again. Only violations the write introduces count: a result already present for the same node,
shape, path and value before the write does not block it. When nothing new is violated the caller
applies the write under ``WRITE_LOCK`` (no other gated write slips in between) and then calls
``after_write``, which applies the change to the context (or drops the context when blank nodes,
which the store relabels, are involved). For a remote store the context is fetched again for each
check, as writes made directly at the remote engine are not seen otherwise.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib.plugins.sparql
from rdflib import RDF, RDFS, BNode, Dataset, Graph, URIRef, Variable
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.term import Node

from e2kg.errors import InputError, PayloadTooLarge
from e2kg.sources import Profile
from e2kg.store import Store, open_store
from e2kg.store.memory import rdflib_calls, syntax_error
from e2kg.store.parsing import parse_quads
from e2kg.store.scratch import (
    GraphName,
    Pattern,
    Quad,
    can_checkpoint,
    canonical,
    checkpoint,
    to_quad,
)
from e2kg.store.terms import to_rdflib
from e2kg.submissions.context import ValidationContext, prepared_graph
from e2kg.submissions.queries import submission_query
from e2kg.validation import ValidationReport, ValidationResult

WRITE_LOCK = threading.RLock()
"""Held from the check of a write until it has been applied to the store."""

MAX_WRITE_TRIPLES = 200_000
"""Triples a Graph Store body may hold; more is refused (413) before the write lock is taken."""

MAX_BLANK_DEPTH = 1_000
"""How long a chain of blank nodes (a nested or long collection) a Graph Store body may hold;
deeper is refused (400) before the write lock is taken: study data has no such lists, and a
50,000-deep collection would hold the lock for the check and the write of 100,000 triples."""

_SHAPES_GRAPHS = "https://w3id.org/e2kg/source/shapes/"

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


@dataclass(frozen=True)
class GateOutcome:
    """What the gate found: the report on the touched nodes and how many quads the write changes."""

    report: ValidationReport
    changes: int
    delta: Delta | None = None
    """The change found cheaply (None: found on a full copy; the context is fetched again)."""
    reads: int = field(default=0)
    """Quads read from the store to find the change and the nodes it touches (0 on the slow
    path, which reads every quad twice)."""
    fetched: int = field(default=0)
    """Triples fetched as the validation neighbourhood of the touched nodes."""


# -- SPARQL Update -------------------------------------------------------------------------------


def update_change(update: str) -> Change:
    """A SPARQL Update as a change; a syntax error is raised here, before any lock or work."""
    try:
        operations = list(translateUpdate(parseUpdate(update)).algebra)
    except Exception as error:
        raise syntax_error(error, "update") from error
    data_only = all(
        op.name in ("InsertData", "DeleteData") and not _part(op, "triples") for op in operations
    )
    patterns = _patterns(operations)

    def find_delta(store: Store) -> Delta | None:
        if data_only and store.name != "remote":
            return _data_delta(store, operations)
        if can_checkpoint(store):
            return _checkpoint_delta(store, update, patterns)
        return None

    def apply(copy: Store) -> None:
        copy.update(update)

    return Change(find_delta, apply, "update")


def _data_delta(store: Store, operations: list[Any]) -> Delta:
    """The delta of INSERT DATA / DELETE DATA into named graphs, from the store's answers only.

    Each operation's quads are played in order over what the store holds; blank nodes of an
    ``INSERT DATA`` are new nodes (one per label and operation), so their quads are always added.
    """
    holders: dict[Triple, set[GraphName]] = {}
    reads = 0

    def stored(triple: Triple) -> set[GraphName]:
        nonlocal reads
        if triple not in holders:
            subject, predicate, obj = triple
            rows = store.select(
                submission_query("triple-graphs"),
                bindings={"subject": subject, "predicate": predicate, "object": obj},
            ).rows
            reads += len(rows)
            holders[triple] = {URIRef(str(row["graph"])) for row in rows}
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

    data_added, data_removed = _data_change(added, removed, graphs_after)
    return Delta(
        frozenset(added), frozenset(removed), data_added, data_removed, reads, _blank(fresh)
    )


def _checkpoint_delta(store: Store, update: str, patterns: list[Pattern]) -> Delta:
    """The delta of any update: applied to a checkpoint, quads matching its templates compared."""
    with checkpoint(store) as scratch:
        before = scratch.matching(patterns)
        with _no_remote_loading():
            scratch.update(update)
        after = scratch.matching(patterns)
        added = {to_quad(quad) for quad in after - before}
        removed = {to_quad(quad) for quad in before - after}
        data_added, data_removed = _data_change(
            added, removed, lambda triple: scratch.graphs_of(*triple)
        )
        reads = scratch.reads
    return Delta(frozenset(added), frozenset(removed), data_added, data_removed, reads)


def _patterns(operations: list[Any]) -> list[Pattern]:
    """Quad patterns every quad an operation inserts or deletes matches (a superset, never less)."""
    everything: Pattern = (None, None, None, None)
    patterns: list[Pattern] = []
    for op in operations:
        if op.name in ("InsertData", "DeleteData", "DeleteWhere"):
            patterns += _template_patterns(op, "default")
        elif op.name == "Modify":
            default = _part(op, "withClause") or "default"
            for name in ("delete", "insert"):
                clause = _part(op, name)
                if clause is not None:
                    patterns += _template_patterns(clause, default)
        elif op.name in ("Clear", "Drop", "Load"):
            patterns.append((None, None, None, _graph_pattern(_part(op, "graphiri"))))
        elif op.name in ("Add", "Copy"):
            patterns.append((None, None, None, _graph_pattern(op["graph"][1])))
        elif op.name == "Move":
            patterns += [(None, None, None, _graph_pattern(g)) for g in op["graph"]]
        elif op.name != "Create":
            patterns.append(everything)
    if everything in patterns:
        return [everything]
    return list(dict.fromkeys(patterns))


def _template_patterns(clause: Any, default: URIRef | str) -> list[Pattern]:
    patterns: list[Pattern] = []
    for s, p, o in _part(clause, "triples") or ():
        patterns.append((_fixed(s), _fixed(p), _fixed(o), _graph_pattern(default)))
    for graph, triples in (_part(clause, "quads") or {}).items():
        for s, p, o in triples:
            patterns.append((_fixed(s), _fixed(p), _fixed(o), _graph_pattern(graph)))
    return patterns


def _blank(quads: Iterable[Quad]) -> frozenset[Node]:
    """The blank nodes of ``quads``."""
    return frozenset(term for s, _p, o, _g in quads for term in (s, o) if isinstance(term, BNode))


def _part(value: Any, name: str) -> Any:
    """A part of an algebra node, None when it has none (``CompValue.get`` answers the key)."""
    return value[name] if name in value else None  # noqa: SIM401 - get() answers the key


def _fixed(term: Node) -> Node | None:
    return None if isinstance(term, Variable | BNode) else term


def _graph_pattern(graph: object) -> Any:
    """A graph of the algebra as a pattern graph: an IRI, ``"default"`` or None (any graph)."""
    if isinstance(graph, URIRef):
        return graph
    if graph is None or graph == "default" or str(graph).upper() == "DEFAULT":
        return "default"
    return None  # a variable, ALL or NAMED


# -- Graph Store ---------------------------------------------------------------------------------


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
            rows = store.select(
                submission_query("triple-graphs"),
                bindings={"subject": triple[0], "predicate": triple[1], "object": triple[2]},
            ).rows
            holders: set[GraphName] = {URIRef(str(row["graph"])) for row in rows}
            return holders - {graph}

        data_added, data_removed = _data_change(added, removed, graphs_after)
        return Delta(
            frozenset(added),
            frozenset(removed),
            data_added,
            data_removed,
            len(old),
            _blank((s, p, o, graph) for s, p, o in new),
        )

    def apply(copy: Store) -> None:  # pragma: no cover - Graph Store writes always have a delta
        raise NotImplementedError

    return Change(find_delta, apply, "graph-store")


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


# -- the check -----------------------------------------------------------------------------------


def check_write(
    store: Store, context: ValidationContext, change: Change, *, language: str = "en"
) -> GateOutcome:
    """Validate what ``change`` would do to the store; the store itself is not touched."""
    delta = change.find_delta(store)
    if delta is None:
        return _check_on_copy(store, context, change, language=language)
    if store.name == "remote":
        context.invalidate()  # the remote engine may have been written to directly
    changes = len(delta.added | delta.removed)
    if not changes:
        return GateOutcome(_conforming(), 0, delta, delta.reads)
    reads = delta.reads
    with context.lock:
        subjects = {s for s, _p, _o, _g in delta.added | delta.removed}
        objects = {o for _s, _p, o, _g in delta.added | delta.removed if isinstance(o, URIRef)}
        pointing, read = _referrers(store, subjects, delta)
        touched = {n for n in subjects | objects | pointing if isinstance(n, URIRef)}
        readable = _readable(delta.data_added, touched)
        fetched = _neighbourhood(context, touched, readable, delta.data_removed)
        reads += read
        kept = context.data()
        adding = [t for t in set(fetched) | readable if t not in kept]
        removing = [t for t in delta.data_removed if t in kept]
        with _applied(kept, adding, removing):
            focus = sorted(node for node in touched if (node, None, None) in kept)
            if not focus:
                return GateOutcome(_conforming(), changes, delta, reads, len(fetched))
            report = context.validate_nodes(kept, focus, language=language)
        if not report.conforms:
            known = _neighbourhood(context, set(focus), set(), frozenset())
            with _applied(kept, [t for t in known if t not in kept], []):
                report = _new_results(context, report, kept, focus)
    return GateOutcome(report, changes, delta, reads, len(fetched))


def _referrers(store: Store, subjects: set[Node], delta: Delta) -> tuple[set[Node], int]:
    """Subjects pointing to a changed subject after the write (and to those blank referrers).

    Blank nodes the write creates (``delta.new_blank_nodes``) are in no stored triple: only the
    added triples are looked at for them, not the store.
    """
    reads = 0
    pointing_in_added: dict[Node, set[Node]] = {}
    for s, _p, o in delta.data_added:
        pointing_in_added.setdefault(o, set()).add(s)

    def referring(node: Node) -> set[Node]:
        nonlocal reads
        found = set(pointing_in_added.get(node, ()))
        if isinstance(node, BNode) and node in delta.new_blank_nodes:
            return found
        rows = store.select(submission_query("referrers"), bindings={"node": node}).rows
        reads += len(rows)
        return found | {row["referrer"] for row in rows if "referrer" in row}

    pointing = {referrer for node in subjects for referrer in referring(node)}
    pointing |= {
        referrer
        for node in list(pointing)
        if not isinstance(node, URIRef)
        for referrer in referring(node)
    }
    return pointing, reads


def _readable(added: Iterable[Triple], touched: set[URIRef]) -> set[Triple]:
    """The added triples the shapes can read from the touched nodes: those about a touched node
    and about the blank nodes those point to (the reach of ``queries/validation``), not, say,
    the thousands of list nodes of a deeply nested collection."""
    about: dict[Node, list[Triple]] = {}
    for triple in added:
        about.setdefault(triple[0], []).append(triple)
    readable = {triple for node in touched for triple in about.get(node, ())}
    blank = {o for _s, _p, o in readable if isinstance(o, BNode)}
    return readable | {triple for node in blank for triple in about.get(node, ())}


def _neighbourhood(
    context: ValidationContext,
    nodes: set[URIRef],
    added: set[Triple],
    removed: frozenset[Triple],
) -> Graph:
    """What the shapes can read about ``nodes`` in the store once ``added`` are in it and
    ``removed`` are gone (both empty: the store as it is).
    """
    entry = Graph()
    for node in nodes:
        entry.add((node, RDF.type, RDFS.Resource))  # names each node as a subject, nothing more
    for triple in added:
        entry.add(triple)
    return context.neighbourhood(entry, hidden=removed)


def after_write(context: ValidationContext, outcome: GateOutcome) -> None:
    """Bring the validation context up to date once the checked write has been applied."""
    delta = outcome.delta
    if delta is None or delta.has_blank_nodes:
        context.invalidate()  # the store gives inserted blank nodes new labels
    elif delta.data_added or delta.data_removed:
        context.apply(added=delta.data_added, removed=delta.data_removed)


def _conforming() -> ValidationReport:
    return ValidationReport(profile=Profile.STUDY_ENTRY, results=[])


def _new_results(
    context: ValidationContext, report: ValidationReport, before: Graph, focus: list[URIRef]
) -> ValidationReport:
    """``report`` without the results already there before the write (``before``: that state)."""
    known = [node for node in focus if (node, None, None) in before]
    earlier = (
        {_key(result) for result in context.validate_nodes(before, known).results}
        if known
        else set()
    )
    return ValidationReport(
        profile=report.profile,
        results=[result for result in report.results if _key(result) not in earlier],
        prefixes=report.prefixes,
    )


@contextmanager
def _applied(data: Graph, adding: list[Triple], removing: list[Triple]) -> Iterator[None]:
    """``data`` with the change applied for the block, as it was afterwards."""
    for triple in removing:
        data.remove(triple)
    for triple in adding:
        data.add(triple)
    try:
        yield
    finally:
        for triple in adding:
            data.remove(triple)
        for triple in removing:
            data.add(triple)


def _is_data_graph(graph: GraphName) -> bool:
    """Whether a graph's triples are validation data (a named graph, not shapes, not a history)."""
    if graph is None:
        return False
    name = str(graph)
    return not name.startswith(_SHAPES_GRAPHS) and not name.endswith("/history")


def _data_change(
    added: Iterable[Quad],
    removed: Iterable[Quad],
    graphs_after: Callable[[Triple], set[GraphName]],
) -> tuple[frozenset[Triple], frozenset[Triple]]:
    """The change of the validation data: triples added to a data graph, and triples removed
    from one that stand in no data graph afterwards."""
    data_added = frozenset((s, p, o) for s, p, o, g in added if _is_data_graph(g))
    gone = {(s, p, o) for s, p, o, g in removed if _is_data_graph(g)} - data_added
    data_removed = frozenset(
        triple for triple in gone if not any(map(_is_data_graph, graphs_after(triple)))
    )
    return data_added, data_removed


# -- the slow path: a full copy (memory and remote stores, updates with WHERE) ------------------


def _check_on_copy(
    store: Store, context: ValidationContext, change: Change, *, language: str
) -> GateOutcome:
    """Apply ``change`` to a copy of every named graph and compare whole dumps (slow path)."""
    with (
        tempfile.TemporaryDirectory(prefix="e2kg-gate-") as directory,
        _scratch(store, Path(directory)) as copy,
    ):
        labels: dict[str, Node] = {}  # one blank node per label across both dumps
        before = _quads(copy, labels)
        with _no_remote_loading():
            change.apply(copy)
        after = _quads(copy, labels)
    added, removed = after - before, before - after
    if not added and not removed:
        return GateOutcome(_conforming(), 0)
    data_after = _data(after)
    touched = _touched(added | removed, data_after)
    focus = sorted(node for node in touched if (node, None, None) in data_after)
    if not focus:
        return GateOutcome(_conforming(), len(added | removed))
    with context.lock:
        report = context.validate_nodes(data_after, focus, language=language)
        if not report.conforms:
            report = _new_results(context, report, _data(before), focus)
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


def _key(result: ValidationResult) -> tuple[str, str, str, str]:
    return (
        str(result.focus_node),
        str(result.source_shape),
        str(result.path),
        str(result.value),
    )
