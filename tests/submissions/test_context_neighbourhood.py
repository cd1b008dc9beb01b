"""The validation context fetches an entry's neighbourhood, and that is enough (issue 8).

Each shape that reads outside the entry gets an entry that breaks it only because of data already
in the store (the repository's graph), validated against a large store (the repository's sources
plus 10 k generated triples, on the memory and the embedded Oxigraph backends): the violation is
still reported, and the unchanged entry still conforms. The context fetched for the same entry is
the same size on the seed store and on the large one.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Iterator
from types import ModuleType

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.term import Node
from submission_testing import ROOT
from werkzeug.datastructures import MultiDict

from e2kg.loading import load_sources
from e2kg.parsing import new_graph, parse_turtle
from e2kg.sources import graph_files, ontology_files
from e2kg.store import Store, open_store
from e2kg.submissions.context import ValidationContext
from e2kg.submissions.form import StudyForm
from e2kg.validation import ValidationReport

QB = Namespace("http://purl.org/linked-data/cube#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("http://schema.org/")
E2KG = Namespace("https://w3id.org/e2kg/def/core#")
SHAPES = "https://w3id.org/e2kg/shapes/"
ID = "https://w3id.org/e2kg/id/"
GENERATED = URIRef("https://w3id.org/e2kg/source/graph/generated-10k.nq")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_generator", ROOT / "bench" / "generator.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def seed() -> Graph:
    """The repository's ontology and graph as one rdflib graph, to pick stored resources from."""
    graph = new_graph()
    for path in ontology_files(ROOT) + graph_files(ROOT):
        parse_turtle(path, into=graph)
    return graph


@pytest.fixture(scope="module")
def seed_store() -> Iterator[Store]:
    store = open_store("memory")
    load_sources(store, ROOT, manifest=None)
    yield store
    store.close()


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def large_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The repository's sources plus the studies of a generated graph of about 10 k triples."""
    directory = tmp_path_factory.mktemp("large")
    generated = directory / "10000.nq"
    _generator().generate(generated, 10_000)
    # The generated file repeats the ontology (with other blank-node labels); the seed has it.
    data = directory / "10000-data.nq"
    with generated.open(encoding="utf-8") as lines, data.open("w", encoding="utf-8") as out:
        out.writelines(line for line in lines if "/source/ontology/" not in line)
    location = "memory" if request.param == "memory" else str(directory / "store")
    store = open_store(location)
    load_sources(store, ROOT, manifest=None)
    store.load(data, media_type="application/n-quads", graph=GENERATED)
    assert store.triple_count() > 10_000
    yield store
    store.close()


def new_entry() -> tuple[Graph, URIRef]:
    """A new study with three findings citing a real article, as the study form makes it."""
    fields = MultiDict(
        {
            "title": "Nachbarschaftsstudie 2019",
            "title_en": "Neighbourhood study 2019",
            "publisher": f"{ID}organization/bitkom",
            "year": "2019",
            "population": "befragte Unternehmen",
            "article": f"{ID}article/social-business-und-die-rolle-von-hr",
        }
    )
    for department, share in (("hr", "12"), ("it", "40"), ("marketing", "25")):
        fields.add("department", f"{ID}concept/department/{department}")
        fields.add("role", f"{ID}concept/role/leading")
        fields.add("share", share)
        fields.add("qualifier", "")
        fields.add(
            "sentence", f"In der Nachbarschaftsstudie nennen {share}% der Firmen den Bereich."
        )
    return StudyForm.from_fields(fields).to_entry("https://w3id.org/e2kg/")


def findings(entry: Graph) -> list[URIRef]:
    return sorted(
        node for node in entry.subjects(RDF.type, QB.Observation) if isinstance(node, URIRef)
    )


def iris(nodes: Iterable[Node]) -> list[URIRef]:
    return sorted(node for node in nodes if isinstance(node, URIRef))


def replace(entry: Graph, subject: Node | None, predicate: URIRef, value: Node) -> None:
    assert subject is not None
    entry.remove((subject, predicate, None))
    entry.add((subject, predicate, value))


def violations(report: ValidationReport, shape: str) -> list[tuple[URIRef, object]]:
    return [
        (result.focus_node, result.value)  # type: ignore[misc]
        for result in report.results
        if str(result.source_shape) == SHAPES + shape
    ]


def a_stored_finding(seed: Graph) -> tuple[URIRef, URIRef, URIRef, URIRef, URIRef]:
    """A stored finding with its data set, department, role and the data set's study."""
    for finding in iris(seed.subjects(RDF.type, QB.Observation)):
        data_set = seed.value(finding, QB.dataSet)
        department = seed.value(finding, E2KG.department)
        role = seed.value(finding, E2KG.role)
        study = seed.value(data_set, DCTERMS.source) if data_set is not None else None
        if None not in (data_set, department, role, study):
            return finding, data_set, department, role, study  # type: ignore[return-value]
    raise AssertionError("the seed graph has no finding with data set, department and role")


def test_the_unchanged_entry_conforms_on_the_large_store(large_store: Store) -> None:
    """Publisher, article, departments and role are found (type and scheme) among 10 k triples."""
    entry, _study = new_entry()
    report = ValidationContext(large_store, ROOT).validate(entry)
    assert report.conforms, [result.message for result in report.results]


def test_a_duplicate_of_a_stored_finding_is_reported(large_store: Store, seed: Graph) -> None:
    stored, data_set, department, role, study = a_stored_finding(seed)
    entry, _study = new_entry()
    finding = findings(entry)[0]
    replace(entry, finding, QB.dataSet, data_set)
    replace(entry, finding, E2KG.department, department)
    replace(entry, finding, E2KG.role, role)
    replace(entry, finding, PROV.hadPrimarySource, study)
    report = ValidationContext(large_store, ROOT).validate(entry)
    assert (finding, stored) in violations(report, "rules#ObservationShape-unique")


def test_a_data_set_of_another_stored_study_is_reported(large_store: Store, seed: Graph) -> None:
    _stored, data_set, _department, _role, study = a_stored_finding(seed)
    entry, new_study = new_entry()
    finding = findings(entry)[0]
    replace(entry, finding, QB.dataSet, data_set)
    report = ValidationContext(large_store, ROOT).validate(entry)
    assert (finding, new_study) in violations(
        report, "rules#ObservationShape-study-matches-dataset"
    )
    assert study != new_study


def test_a_sentence_not_in_the_stored_passage_is_reported(large_store: Store, seed: Graph) -> None:
    passage, text = next(
        (passage, text)
        for passage in iris(seed.subjects(RDF.type, E2KG.Passage))
        if isinstance(text := seed.value(passage, SCHEMA.text), Literal) and len(str(text)) > 40
    )
    entry, _study = new_entry()
    evidence = iris(entry.subjects(RDF.type, OA.SpecificResource))
    assert len(evidence) >= 2
    absent, present = evidence[0], evidence[1]
    entry.add((absent, OA.hasScope, passage))
    entry.add((present, OA.hasScope, passage))
    selector = entry.value(present, OA.hasSelector)
    replace(entry, selector, OA.exact, Literal(str(text)[:30]))
    report = ValidationContext(large_store, ROOT).validate(entry)
    reported = [
        focus for focus, _value in violations(report, "rules#EvidenceShape-exact-in-passage")
    ]
    assert reported == [absent]


def test_a_concept_of_another_scheme_is_reported(large_store: Store, seed: Graph) -> None:
    role_concept = next(
        concept
        for concept in iris(seed.subjects(SKOS.inScheme, URIRef(f"{ID}scheme/role")))
        if (concept, SKOS.inScheme, URIRef(f"{ID}scheme/department")) not in seed
    )
    entry, _study = new_entry()
    finding = findings(entry)[0]
    replace(entry, finding, E2KG.department, role_concept)
    report = ValidationContext(large_store, ROOT).validate(entry)
    assert violations(report, "vocabularies#ObservationShape-department-scheme") == [
        (finding, role_concept)
    ]


def test_a_stored_resource_of_the_wrong_class_is_reported(large_store: Store) -> None:
    article = URIRef(f"{ID}article/social-business-und-die-rolle-von-hr")
    entry, _study = new_entry()
    finding = findings(entry)[0]
    replace(entry, finding, PROV.hadPrimarySource, article)
    report = ValidationContext(large_store, ROOT).validate(entry)
    assert (finding, article) in violations(report, "core#ObservationShape-primarySource")


def test_stored_findings_of_a_stored_study_count(large_store: Store, seed: Graph) -> None:
    """A stored study restated without findings has its stored ones; a new one has none."""
    _stored, _data_set, _department, _role, study = a_stored_finding(seed)
    restated = new_graph()
    for predicate, value in seed.predicate_objects(study):
        restated.add((study, predicate, value))
    context = ValidationContext(large_store, ROOT)
    assert violations(context.validate(restated), "study-entry#StudyEntryShape-finding") == []
    copy = URIRef(f"{ID}study/a-copy-without-findings")
    renamed = new_graph()
    for _subject, predicate, value in restated:
        renamed.add((copy, predicate, value))
    reported = violations(context.validate(renamed), "study-entry#StudyEntryShape-finding")
    assert [focus for focus, _value in reported] == [copy]


def test_the_context_does_not_grow_with_the_store(seed_store: Store, large_store: Store) -> None:
    entry, _study = new_entry()
    small, large = ValidationContext(seed_store, ROOT), ValidationContext(large_store, ROOT)
    with small.lock, large.lock:
        fetched_small = len(small.neighbourhood(entry))
        fetched_large = len(large.neighbourhood(entry))
        kept_small, kept_large = len(small.data()), len(large.data())
    assert 0 < fetched_small == fetched_large
    assert kept_large <= kept_small + 10
    assert fetched_large + kept_large < 2_000 < large_store.triple_count()


def test_the_kept_ontology_is_fetched_again_after_invalidate(seed_store: Store) -> None:
    context = ValidationContext(seed_store, ROOT)
    with context.lock:
        first = context.data()
        assert (
            E2KG.Review,
            URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
            SCHEMA.Report,
        ) in first
        context.invalidate()
        assert context.data() is not first
