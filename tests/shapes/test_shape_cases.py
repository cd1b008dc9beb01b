"""Data-driven shape cases: each file under tests/data/entries/ is one new study entry.

valid/*.ttl must conform under the study-entry profile. invalid/<ShapeLocalName>[--variant].ttl breaks
exactly one shape, named on its first line (``# expect: <shape IRI>``); a few breaks cannot help also
breaking a second shape, named on a ``# also: <shape IRI>`` line. Each case is validated like a real
entry: with graph/ and ontology/ as context and only the entry's subjects as focus nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, SH, Graph, Literal, URIRef

from e2kg.parsing import new_graph, parse_turtle
from e2kg.sources import Profile, graph_files
from e2kg.validation import (
    Severity,
    ValidationReport,
    load_ontology,
    validate_files,
    validate_graph,
)

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = ROOT / "tests" / "data" / "entries"
VALID = sorted((ENTRIES / "valid").glob("*.ttl"))
INVALID = sorted((ENTRIES / "invalid").glob("*.ttl"))
GRAPH_PROFILE = sorted((ENTRIES / "graph-profile").glob("*.ttl"))
"""Cases for shapes that cannot apply to a study entry: validated with the graph profile."""

KNOWN_FAILURES: dict[str, str] = {}
"""Cases the shapes get wrong today (real errors): strict xfail, so the test turns red once they
are fixed and the mark must go. Empty: the scheme checks are SPARQL constraints now, because pySHACL
0.40.1 skips nested sh:node/sh:or checks on value nodes when focus_nodes is given."""

GERMAN_MESSAGE_FAILURES: dict[str, str] = {}
"""Cases whose message comes in the wrong language for one of de/en (real error, strict xfail)."""

NOT_APPLICABLE = {
    "ArticleShape": "articles are the consultancy's blog posts, not part of a study entry",
    "PassageShape": "an entry cites passages of existing articles, it does not add passages",
    "QuotationShape": "quotes come from articles, not from study entries",
    "QuestionShape": "questions belong to the barcamp Q&A articles",
    "AnswerShape": "answers belong to the barcamp Q&A articles",
    "ClaimShape": "claims are statements of articles",
    "PersonShape": "a study's publisher is an organisation; persons come with quotes",
    "EventShape": "events (the barcamp) are not study entries",
    "ProgrammeShape": "reverse-mentoring programmes are not study entries",
    "ConceptShape": "concepts live in ontology/schemes/, an entry only uses them",
}
"""Shapes (by local-name prefix) that cannot apply to a study entry, and why."""

SPARQL_SHAPES_PASSED_BY = {
    "LabelShape-de": "existing-publisher.ttl",
    "LabelShape-en": "existing-publisher.ttl",
    "ObservationShape-unique": "existing-publisher.ttl",
    "ObservationShape-study-matches-dataset": "new-publisher.ttl",
    "ObservationShape-number-in-sentence": "new-publisher.ttl",
    "EvidenceShape-exact-in-passage": "new-publisher.ttl",
    "StudyEntryShape-year-range": "existing-publisher.ttl",
    "StudyEntryShape-finding": "new-publisher.ttl",
    "StudyEntryShape-german-title": "existing-publisher.ttl",
    "EvidenceShape-exact-text": "existing-publisher.ttl",
    "ObservationShape-department-scheme": "existing-publisher.ttl",
    "ObservationShape-role-scheme": "existing-publisher.ttl",
    "ObservationShape-qualifier-scheme": "new-publisher.ttl",
    "ObservationShape-placement-scheme": "new-publisher.ttl",
    "NonListingShape-department-scheme": "new-publisher.ttl",
    "NonListingShape-role-scheme": "new-publisher.ttl",
    "ProgrammeShape-programmeStatus-scheme": "graph/programmes/reverse-mentoring.ttl",
}
"""Each SPARQL-based shape and a valid case whose nodes it targets and passes (an error in a SPARQL
expression makes a rule pass silently, so every rule also needs a failing case). A name under graph/
is a file of the published graph (for shapes that cannot apply to a study entry)."""


@dataclass(frozen=True)
class Case:
    path: Path
    expected: URIRef
    also: frozenset[URIRef]

    @property
    def name(self) -> str:
        return self.path.stem


def read_case(path: Path) -> Case:
    lines = path.read_text(encoding="utf-8").splitlines()
    match = re.fullmatch(r"# expect: <(\S+)>", lines[0])
    assert match, f"{path.name}: the first line must be '# expect: <shape IRI>'"
    also = [m.group(1) for line in lines[1:] if (m := re.fullmatch(r"# also: <(\S+)>", line))]
    return Case(path, URIRef(match.group(1)), frozenset(URIRef(iri) for iri in also))


def local_name(shape: URIRef) -> str:
    return str(shape).rsplit("#", 1)[-1]


@cache
def validate(
    path: Path, language: str = "en", profile: Profile = Profile.STUDY_ENTRY
) -> ValidationReport:
    """The report of one case in ``language`` (cached: each case is validated once per language)."""
    return validate_files([path], source_dir=ROOT, profile=profile, language=language)


def named_shapes(shapes: Graph) -> set[URIRef]:
    return {
        shape
        for kind in (SH.NodeShape, SH.PropertyShape)
        for shape in shapes.subjects(RDF.type, kind)
        if isinstance(shape, URIRef)
    }


def invalid_params(
    failures: dict[str, str] = KNOWN_FAILURES, paths: list[Path] = INVALID
) -> Iterator[object]:
    for path in paths:
        reason = failures.get(path.stem) or KNOWN_FAILURES.get(path.stem)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(path, id=path.stem, marks=marks)


# -- guards ----------------------------------------------------------------------------------------


def test_cases_were_found() -> None:
    assert len(VALID) >= 2
    assert len(INVALID) >= 30


def test_every_invalid_case_names_an_existing_shape(study_entry_shapes: Graph) -> None:
    shapes = named_shapes(study_entry_shapes)
    for path in INVALID:
        case = read_case(path)
        assert case.expected in shapes, f"{path.name}: no shape {case.expected}"
        assert path.stem.split("--")[0] == local_name(case.expected), path.name
        assert case.also <= shapes, path.name


def test_known_failures_have_cases() -> None:
    assert set(KNOWN_FAILURES) <= {path.stem for path in INVALID + GRAPH_PROFILE}
    assert set(GERMAN_MESSAGE_FAILURES) <= {path.stem for path in INVALID}


def test_graph_profile_cases_name_existing_shapes(study_entry_shapes: Graph) -> None:
    assert GRAPH_PROFILE
    for path in GRAPH_PROFILE:
        case = read_case(path)
        assert path.stem == local_name(case.expected)
        assert {case.expected} | case.also <= named_shapes(study_entry_shapes), path.name


# -- valid entries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", VALID, ids=[path.stem for path in VALID])
def test_a_valid_entry_conforms_without_warnings(path: Path) -> None:
    report = validate(path)
    assert report.conforms
    assert report.results == [], [(r.source_shape, r.message) for r in report.results]


@pytest.mark.parametrize("path", VALID, ids=[path.stem for path in VALID])
def test_a_valid_entry_adds_new_resources_only(path: Path) -> None:
    """An entry describes new IRIs: none of its subjects is already described in graph/."""
    entry = parse_turtle(path)
    existing = new_graph()
    for file in graph_files(ROOT):
        parse_turtle(file, into=existing)
    subjects = {subject for subject in entry.subjects() if isinstance(subject, URIRef)}
    assert subjects
    assert not {subject for subject in subjects if (subject, None, None) in existing}


# -- invalid entries -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(invalid_params()))
def test_an_invalid_entry_is_reported_with_its_shape(path: Path, study_entry_shapes: Graph) -> None:
    case = read_case(path)
    severity = Severity.from_iri(study_entry_shapes.value(case.expected, SH.severity))
    reports = {language: validate(path, language) for language in ("de", "en")}
    for language, report in reports.items():
        results = [r for r in report.results if r.source_shape == case.expected]
        assert results, f"{case.name}: {case.expected} not reported ({language})"
        assert {result.severity for result in results} == {severity}
        assert all(result.message.strip() for result in results)
        reported = {r.source_shape for r in report.results}
        assert reported == {case.expected} | case.also, f"{case.name} breaks more than its shape"
        assert report.conforms == (severity is not Severity.VIOLATION)


@pytest.mark.parametrize("path", list(invalid_params(paths=GRAPH_PROFILE)))
def test_a_broken_resource_is_reported_with_its_shape_under_the_graph_profile(
    path: Path, study_entry_shapes: Graph
) -> None:
    """Shapes that cannot apply to a study entry: a copy of an existing resource of their class
    under a new IRI, with one property dropped or spoilt, validated like an entry (focus nodes)."""
    case = read_case(path)
    severity = Severity.from_iri(study_entry_shapes.value(case.expected, SH.severity))
    for language in ("de", "en"):
        report = validate(path, language, Profile.GRAPH)
        results = [r for r in report.results if r.source_shape == case.expected]
        assert results, f"{case.name}: {case.expected} not reported ({language})"
        assert {result.severity for result in results} == {severity}
        pattern = message_pattern(study_entry_shapes, case.expected, language)
        assert all(pattern.fullmatch(result.message) for result in results), results
        assert {r.source_shape for r in report.results} == {case.expected} | case.also


def message_pattern(shapes: Graph, shape: URIRef, language: str) -> re.Pattern[str]:
    """The shape's declared message in ``language`` (on the shape or on its SPARQL constraint) as
    a pattern: a substituted variable such as ``{?value}`` matches any text."""
    holders = [shape, *shapes.objects(shape, SH.sparql)]
    declared = [
        str(message)
        for holder in holders
        for message in shapes.objects(holder, SH.message)
        if isinstance(message, Literal) and message.language == language
    ]
    assert len(declared) == 1, f"{shape} needs one sh:message@{language}"
    return re.compile(re.sub(r"\\\{\\[?$]\w+\\\}", ".+", re.escape(declared[0])))


@pytest.mark.parametrize("path", list(invalid_params(GERMAN_MESSAGE_FAILURES)))
def test_the_message_is_in_the_chosen_language(path: Path, study_entry_shapes: Graph) -> None:
    case = read_case(path)
    for language in ("de", "en"):
        pattern = message_pattern(study_entry_shapes, case.expected, language)
        messages = {
            r.message for r in validate(path, language).results if r.source_shape == case.expected
        }
        assert messages, f"{case.name}: not reported"
        for message in messages:
            assert pattern.fullmatch(message), f"{case.name} ({language}): {message!r}"


@pytest.mark.parametrize(
    "name",
    [path.stem for path in INVALID + GRAPH_PROFILE if path.stem.endswith("-scheme")],
    ids=str,
)
def test_the_vocabulary_shapes_fire_without_focus_nodes(
    name: str, study_entry_shapes: Graph
) -> None:
    """The scheme shapes fire without focus nodes too (entry and ontology only), not only in the
    focus-node validation of entries."""
    case = read_case(next(path for path in INVALID + GRAPH_PROFILE if path.stem == name))
    data = load_ontology(ROOT, into=parse_turtle(case.path))
    report = validate_graph(data, study_entry_shapes, profile=Profile.STUDY_ENTRY)
    assert case.expected in {result.source_shape for result in report.results}


# -- coverage --------------------------------------------------------------------------------------


def test_every_applicable_shape_has_a_failing_case(study_entry_shapes: Graph) -> None:
    covered = {read_case(path).expected for path in INVALID}
    covered_in_graph_profile = {read_case(path).expected for path in GRAPH_PROFILE}
    not_applicable = {
        shape
        for shape in named_shapes(study_entry_shapes)
        if local_name(shape).split("-", 1)[0] in NOT_APPLICABLE
    }
    missing = named_shapes(study_entry_shapes) - not_applicable - covered
    assert not missing, sorted(missing)
    assert not_applicable - covered_in_graph_profile == set(), "a graph-profile case is missing"
    assert not_applicable, "the not-applicable list matches no shape: is it stale?"
    prefixes = {local_name(shape).split("-", 1)[0] for shape in not_applicable}
    assert prefixes == set(NOT_APPLICABLE), "a not-applicable entry matches no shape"


def test_every_sparql_shape_has_a_passing_and_a_failing_case(study_entry_shapes: Graph) -> None:
    sparql_shapes = {
        shape
        for shape in named_shapes(study_entry_shapes)
        if (shape, SH.sparql, None) in study_entry_shapes
    }
    assert {local_name(shape) for shape in sparql_shapes} == set(SPARQL_SHAPES_PASSED_BY)
    failing = {read_case(path).expected for path in INVALID + GRAPH_PROFILE}
    assert sparql_shapes <= failing
    for shape in sparql_shapes:
        name = SPARQL_SHAPES_PASSED_BY[local_name(shape)]
        valid = ROOT / name if name.startswith("graph/") else ENTRIES / "valid" / name
        entry = parse_turtle(valid)
        targets = set(study_entry_shapes.objects(shape, SH.targetClass))
        assert any((None, RDF.type, target) in entry for target in targets), (
            f"{valid.name} has no node that {local_name(shape)} targets"
        )
        assert shape not in {result.source_shape for result in validate(valid).results}


def test_the_graph_conforms() -> None:
    """The whole graph/ under the graph profile: no violations (full validation, no focus nodes)."""
    report = validate_files([ROOT / "graph"], source_dir=ROOT, profile=Profile.GRAPH)
    violations = [r for r in report.results if r.severity is Severity.VIOLATION]
    assert not violations, [(str(r.focus_node), str(r.source_shape), r.message) for r in violations]
    assert report.conforms
