"""The example question "which studies name HR as the leading department, with share?".

The query (src/e2kg/queries/examples/hr-as-leading-department.rq) runs through the real store, in
memory and embedded Oxigraph, loaded with the project's own loading code. No number is typed in
here: the expected answer is derived independently by walking the parsed graph/ files in Python,
each share is checked against the percentage in its own evidence sentence, and the set of studies
against the sentences with a percentage in the HR article's passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import QB, SKOS
from rdflib.term import Node

from e2kg.loading import load_sources
from e2kg.store import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
E2KG = Namespace("https://w3id.org/e2kg/def/core#")
SCHEMA = Namespace("http://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")

HR = URIRef("https://w3id.org/e2kg/id/concept/department/hr")
LEADING = URIRef("https://w3id.org/e2kg/id/concept/role/leading")
HR_ARTICLE = URIRef("https://w3id.org/e2kg/id/article/social-business-und-die-rolle-von-hr")
"""The question's parameters (which department, which role) and the article about HR's role."""

PERCENTAGE = re.compile(r"(\d+(?:,\d+)?)\s*%")


@dataclass(frozen=True)
class Answer:
    """One row of the answer, in comparable Python values."""

    study: URIRef
    name: str
    year: str
    share: Decimal
    qualifiers: frozenset[str]
    sentence: str


def query_text() -> str:
    path = files("e2kg").joinpath("queries", "examples", "hr-as-leading-department.rq")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The real sources loaded into each embedded backend with the project's loading code."""
    location = (
        "memory"
        if request.param == "memory"
        else str(tmp_path_factory.mktemp("oxigraph") / "store")
    )
    with open_store(location) as opened:
        outcome = load_sources(opened, ROOT, manifest=None)
        assert outcome.loaded
        yield opened


@pytest.fixture(scope="module")
def answers(store: Store) -> list[Answer]:
    rows = store.select(query_text()).rows
    return [
        Answer(
            study=URIRef(str(row["study"])),
            name=str(row["studyName"]),
            year=str(row["year"]),
            share=Decimal(str(row["share"])),
            qualifiers=frozenset(
                label.strip()
                for label in str(row.get("qualifiers", "")).split(",")
                if label.strip()
            ),
            sentence=str(row["sentence"]),
        )
        for row in rows
    ]


@pytest.fixture(scope="module")
def vocabulary() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "ontology" / "schemes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def studies() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "graph" / "studies").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def passages() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "graph" / "passages").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def german(graph: Graph, subject: Node, predicate: URIRef) -> str:
    values = [
        value
        for value in graph.objects(subject, predicate)
        if isinstance(value, Literal) and value.language == "de"
    ]
    assert len(values) == 1, f"{subject} needs exactly one {predicate}@de"
    return str(values[0])


def one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} needs exactly one {predicate}: {values}"
    return values[0]


def sentence_of(graph: Graph, finding: Node) -> str:
    evidence = one(graph, finding, PROV.wasDerivedFrom)
    return str(one(graph, one(graph, evidence, OA.hasSelector), OA.exact))


@pytest.fixture(scope="module")
def expected(studies: Graph, vocabulary: Graph) -> set[Answer]:
    """The answer derived from graph/studies/*.ttl by walking the triples, without SPARQL."""
    roles = set(vocabulary.transitive_subjects(SKOS.broader, LEADING))
    assert LEADING in roles and len(roles) >= 2, "role:leading and its narrower roles"
    found = set()
    for finding in studies.subjects(RDF.type, QB.Observation):
        if (finding, E2KG.department, HR) not in studies:
            continue
        if one(studies, finding, E2KG.role) not in roles:
            continue
        study = one(studies, finding, PROV.hadPrimarySource)
        assert isinstance(study, URIRef)
        found.add(
            Answer(
                study=study,
                name=german(studies, study, SCHEMA.name),
                year=str(one(studies, study, SCHEMA.datePublished)),
                share=Decimal(str(one(studies, finding, E2KG.share))),
                qualifiers=frozenset(
                    german(vocabulary, qualifier, SKOS.prefLabel)
                    for qualifier in studies.objects(finding, E2KG.qualifier)
                ),
                sentence=sentence_of(studies, finding),
            )
        )
    return found


def test_the_query_answers_what_the_graph_says(
    answers: list[Answer], expected: set[Answer]
) -> None:
    assert expected, "the graph has no finding of HR in a leading role"
    assert len(answers) == len(set(answers))
    assert set(answers) == expected


def test_one_row_per_study_in_order_of_year(answers: list[Answer]) -> None:
    assert len({answer.study for answer in answers}) == len(answers)
    years = [int(answer.year) for answer in answers]
    assert years == sorted(years)


def test_each_share_is_the_number_in_its_evidence_sentence(answers: list[Answer]) -> None:
    assert answers
    for answer in answers:
        numbers = PERCENTAGE.findall(answer.sentence)
        assert len(numbers) == 1, f"{answer.study}: {answer.sentence!r}"
        assert Decimal(numbers[0].replace(",", ".")) == answer.share, answer
        assert "HR" in answer.sentence


def test_each_qualifier_of_an_answer_stands_in_its_sentence(answers: list[Answer]) -> None:
    for answer in answers:
        for qualifier in answer.qualifiers:
            assert qualifier.casefold() in answer.sentence.casefold(), answer


def test_the_studies_are_those_the_hr_article_gives_a_percentage_for(
    answers: list[Answer], studies: Graph, passages: Graph
) -> None:
    """Every sentence with a percentage in the HR article's passages is the evidence of a finding
    in the answer, and every study in the answer has such a sentence."""
    hr_passages = set(passages.subjects(SCHEMA.isPartOf, HR_ARTICLE))
    assert hr_passages, f"no passages of {HR_ARTICLE}"
    sentences_with_percentage = {
        sentence.strip(" -")
        for passage in hr_passages
        for sentence in re.split(r"(?<=[.!?])\s+", str(one(passages, passage, SCHEMA.text)))
        if PERCENTAGE.search(sentence)
    }
    assert sentences_with_percentage

    evidence_studies = set()
    for evidence in studies.subjects(OA.hasSource, HR_ARTICLE):
        if one(studies, evidence, OA.hasScope) not in hr_passages:
            continue
        sentence = str(one(studies, one(studies, evidence, OA.hasSelector), OA.exact))
        if not PERCENTAGE.search(sentence):
            continue
        assert sentence in sentences_with_percentage, sentence
        for fact in studies.subjects(PROV.wasDerivedFrom, evidence):
            evidence_studies.add(one(studies, fact, PROV.hadPrimarySource))

    assert {answer.study for answer in answers} == evidence_studies
    assert {answer.sentence for answer in answers} == sentences_with_percentage
