"""SHACL validation of source files and entries with pySHACL, and the report model it produces.

The data graph is the files being checked plus the ontology (class declarations and concept schemes
that controlled-vocabulary rules need) plus the rest of graph/ as context, because an entry refers
to departments, studies and articles that already exist. When context is added, only the checked
files' subjects are validated (``focus_nodes``): pySHACL's SPARQL constraints grow with the square
of the data, and MODELLING.md explains why the context must not go in as ``ont_graph``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Literal as Literal_

from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.paths import Path as PropertyPath
from rdflib.term import Node

from e2kg.errors import ConfigError
from e2kg.parsing import new_graph, parse_turtle
from e2kg.sources import Profile, expand_paths, graph_files, ontology_files, shapes_files

SCHEMA = Namespace("http://schema.org/")

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, SCHEMA.name, SCHEMA.headline)
"""Where a readable name of a focus node is looked up, in order."""


class Severity(Enum):
    """SHACL severities, most severe first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @classmethod
    def from_iri(cls, iri: Node | None) -> Severity:
        """The severity named by ``sh:Warning`` or ``sh:Info``; Violation otherwise."""
        if iri == SH.Warning:
            return cls.WARNING
        if iri == SH.Info:
            return cls.INFO
        return cls.VIOLATION


@dataclass(frozen=True)
class ValidationResult:
    """One thing wrong with one focus node."""

    focus_node: Node
    severity: Severity
    message: str
    path: URIRef | PropertyPath | None = None
    value: Node | None = None
    source_shape: Node | None = None
    source_shape_name: str | None = None
    constraint_component: URIRef | None = None
    focus_label: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one validation run."""

    profile: Profile
    results: list[ValidationResult]
    files: list[str] = field(default_factory=list)
    """The checked files (not the context)."""
    prefixes: dict[str, str] = field(default_factory=dict)
    """Prefixes of the shapes and data, for compact rendering of IRIs."""

    @property
    def conforms(self) -> bool:
        """True unless a result has severity Violation (warnings and infos do not fail an entry)."""
        return not any(result.severity is Severity.VIOLATION for result in self.results)

    @property
    def counts(self) -> dict[str, int]:
        """Number of results per severity name, every severity present (zero when none)."""
        counted = Counter(result.severity for result in self.results)
        return {severity.value: counted[severity] for severity in Severity}


def load_shapes(source_dir: Path, profile: Profile) -> Graph:
    """The shapes graph of ``profile``: the project's shapes/*.ttl that the profile uses."""
    paths = shapes_files(source_dir, profile)
    if not paths:
        raise ConfigError(f"no shapes found: {source_dir / 'shapes'} holds no *.ttl files")
    shapes = new_graph()
    for path in paths:
        parse_turtle(path, into=shapes)
    return shapes


def load_ontology(source_dir: Path, into: Graph | None = None) -> Graph:
    """The ontology and concept schemes: every ontology/**/*.ttl, parsed into one graph."""
    graph = new_graph() if into is None else into
    for path in ontology_files(source_dir):
        parse_turtle(path, into=graph)
    return graph


def validate_files(
    paths: Sequence[Path],
    *,
    source_dir: Path,
    profile: Profile = Profile.GRAPH,
    language: str = "en",
) -> ValidationReport:
    """Validate Turtle files and folders against the shapes of ``profile``.

    Raises InputError for a missing path and ParseError (with line and column) for a file that is
    not Turtle; both before anything is validated.
    """
    source_dir = source_dir.resolve()
    checked = expand_paths(paths)
    checked_set = set(checked)
    entry = new_graph()
    for path in checked:
        parse_turtle(path, into=entry)
    shapes = load_shapes(source_dir, profile)

    data = new_graph()
    for prefix, namespace in entry.namespaces():
        data.bind(prefix, namespace, override=False)
    data += entry
    for path in ontology_files(source_dir):
        if path not in checked_set:
            parse_turtle(path, into=data)
    context_files = [path for path in graph_files(source_dir) if path not in checked_set]
    for path in context_files:
        parse_turtle(path, into=data)

    if context_files:
        report = validate_in_context(entry, data, shapes, profile=profile, language=language)
    else:
        report = validate_graph(data, shapes, profile=profile, language=language)
    return ValidationReport(
        profile=report.profile,
        results=report.results,
        files=[_display_path(path) for path in checked],
        prefixes=report.prefixes,
    )


def validate_in_context(
    entry: Graph,
    context: Graph,
    shapes: Graph,
    *,
    profile: Profile,
    language: str = "en",
) -> ValidationReport:
    """Validate ``entry`` within ``context`` (ontology, schemes, the existing graph).

    The one code path of ``e2kg validate`` and the web service's ``/validate``: the entry's
    triples are added to ``context`` for the run and taken out again afterwards (``context`` is
    left as it was, so a caller may keep it between runs; it must not be used by another thread
    meanwhile), and only the entry's subjects are focus nodes.
    """
    added = [triple for triple in entry if triple not in context]
    for triple in added:
        context.add(triple)
    try:
        focus_nodes = _subjects(entry)
        return validate_graph(
            context, shapes, profile=profile, focus_nodes=focus_nodes or None, language=language
        )
    finally:
        for triple in added:
            context.remove(triple)


def validate_graph(
    data: Graph,
    shapes: Graph,
    *,
    profile: Profile,
    focus_nodes: Sequence[URIRef] | None = None,
    language: str = "en",
) -> ValidationReport:
    """Validate ``data`` (entry plus context) against ``shapes``; only ``focus_nodes`` if given."""
    # Imported here: pySHACL takes a second or two to import, which the web service's start
    # (a worker must answer its first request quickly) need not pay.
    from pyshacl import validate as pyshacl_validate

    _conforms, results_graph, _text = pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        focus_nodes=list(focus_nodes) if focus_nodes else None,
        # pySHACL copies the data graph before each run in advanced mode, in case SHACL rules
        # add triples; without rules nothing is written, and the copy would cost O(data).
        inplace=(None, SH.rule, None) not in shapes,
    )
    assert isinstance(results_graph, Graph)
    results = [
        _read_result(results_graph, node, data=data, shapes=shapes, language=language)
        for node in results_graph.subjects(RDF.type, SH.ValidationResult)
        if not _is_nested(results_graph, node)
    ]
    results.sort(
        key=lambda result: (
            _severity_rank(result.severity),
            str(result.focus_node),
            str(result.path),
            result.message,
        )
    )
    prefixes = {prefix: str(namespace) for prefix, namespace in shapes.namespaces()}
    for prefix, namespace in data.namespaces():
        prefixes.setdefault(prefix, str(namespace))
    return ValidationReport(profile=profile, results=results, prefixes=prefixes)


def pick_language(values: Iterable[Node], language: str) -> str | None:
    """The literal in ``language``, else English, else untagged, else any; None if none."""
    literals = [value for value in values if isinstance(value, Literal)]
    for wanted in (language, "en", None):
        for literal in literals:
            if literal.language == wanted:
                return str(literal)
    return str(literals[0]) if literals else None


def _read_result(
    results: Graph, node: Node, *, data: Graph, shapes: Graph, language: str
) -> ValidationResult:
    focus = results.value(node, SH.focusNode)
    assert focus is not None, "pySHACL results always have a focus node"
    shape = results.value(node, SH.sourceShape)
    path_node = results.value(node, SH.resultPath)
    message = _message(results, node, shapes, shape, language)
    component = results.value(node, SH.sourceConstraintComponent)
    return ValidationResult(
        focus_node=focus,
        severity=Severity.from_iri(results.value(node, SH.resultSeverity)),
        message=message or "constraint not met",
        path=_read_path(results, path_node) if path_node is not None else None,
        value=results.value(node, SH.value),
        source_shape=shape,
        source_shape_name=_shape_name(shapes, shape, language),
        constraint_component=component if isinstance(component, URIRef) else None,
        focus_label=pick_language(_labels(data, focus), language),
    )


def _read_path(graph: Graph, node: Node) -> URIRef | PropertyPath | None:
    """A SHACL property path (as written in RDF) as an rdflib path object."""
    if isinstance(node, URIRef):
        return node
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        inner = _read_path(graph, inverse)
        return InvPath(inner) if inner is not None else None
    modifiers: tuple[tuple[URIRef, Literal_["*", "+", "?"]], ...] = (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    )
    for predicate, modifier in modifiers:
        target = graph.value(node, predicate)
        if target is not None:
            inner = _read_path(graph, target)
            return MulPath(inner, modifier) if inner is not None else None
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        members = [_read_path(graph, member) for member in graph.items(alternatives)]
        return AlternativePath(*[member for member in members if member is not None])
    if (node, RDF.first, None) in graph:
        members = [_read_path(graph, member) for member in graph.items(node)]
        return SequencePath(*[member for member in members if member is not None])
    return None


def _message(
    results: Graph, node: Node, shapes: Graph, shape: Node | None, language: str
) -> str | None:
    """The result's message in ``language``.

    pySHACL drops the language tags of SPARQL-constraint messages and substitutes their variables
    itself, so the tagged messages are taken from the shape (or its ``sh:sparql`` constraints) and
    ``{?value}`` / ``{$this}`` are filled in here from the result.
    """
    reported = [
        value for value in results.objects(node, SH.resultMessage) if isinstance(value, Literal)
    ]
    if any(value.language == language for value in reported):
        return pick_language(reported, language)
    if shape is not None:
        declared = [
            value for value in shapes.objects(shape, SH.message) if isinstance(value, Literal)
        ]
        for constraint in shapes.objects(shape, SH.sparql):
            declared.extend(
                value
                for value in shapes.objects(constraint, SH.message)
                if isinstance(value, Literal)
            )
        tagged = [value for value in declared if value.language == language]
        if tagged:
            return _substitute(str(tagged[0]), results, node)
    return pick_language(reported, language) or pick_language(
        shapes.objects(shape, SH.message) if shape is not None else [], language
    )


def _substitute(template: str, results: Graph, node: Node) -> str:
    """Fill ``{?value}`` and ``{$this}`` (also ``{?this}``) of a message template from a result."""
    replacements = {
        "value": results.value(node, SH.value),
        "this": results.value(node, SH.focusNode),
    }
    for name, term in replacements.items():
        text = _display_term(term) if term is not None else "?"
        for placeholder in (f"{{?{name}}}", f"{{${name}}}"):
            template = template.replace(placeholder, text)
    return template


def _display_term(term: Node) -> str:
    if isinstance(term, Literal):
        return str(term)
    if isinstance(term, URIRef):
        return f"<{term}>"
    return str(term)


def _shape_name(shapes: Graph, shape: Node | None, language: str) -> str | None:
    if shape is None:
        return None
    name = pick_language(shapes.objects(shape, SH.name), language)
    if name is None and isinstance(shape, BNode):
        parent = shapes.value(predicate=SH.property, object=shape)
        if parent is not None:
            name = pick_language(shapes.objects(parent, SH.name), language)
    return name


def _labels(data: Graph, node: Node) -> list[Node]:
    for predicate in LABEL_PROPERTIES:
        values = list(data.objects(node, predicate))
        if values:
            return values
    return []


def _is_nested(results: Graph, node: Node) -> bool:
    """Whether a result is the ``sh:detail`` of another (reported through its parent)."""
    return (None, SH.detail, node) in results


def _subjects(graph: Graph) -> list[URIRef]:
    return sorted({subject for subject in graph.subjects() if isinstance(subject, URIRef)})


def _severity_rank(severity: Severity) -> int:
    return list(Severity).index(severity)


def _display_path(path: Path) -> str:
    """The path relative to the working directory where it lies below it, else in full."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
