"""The ontology, concept schemes and shapes parse and are self-consistent with the data in graph/.

Every own (e2kg:) term is declared in ontology/e2kg.ttl and documented in German and English; every
other class and property comes from a reused vocabulary on the allow-list below; every concept has
labels and a scheme; every coded value is a concept of the right scheme. The structural checks are
ODK-style SPARQL files ontology/checks/*-violation.rq that must return no rows over the real graph,
and each has a fixture under tests/data/checks/ that proves it can fire.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    ORG,
    PROV,
    QB,
    SDO,
    SKOS,
    VANN,
    XSD,
    DefinedNamespace,
)

from e2kg.parsing import parse_turtle
from e2kg.sources import graph_files, ontology_files, shapes_files

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ROOT / "ontology" / "checks"
CHECK_FIXTURES = ROOT / "tests" / "data" / "checks"
E2KG = Namespace("https://w3id.org/e2kg/def/core#")
SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
CONCEPT_BASE = "https://w3id.org/e2kg/id/concept/"
SCHEME_BASE = "https://w3id.org/e2kg/id/scheme/"

REUSED_NAMESPACES: dict[str, str] = {
    "http://schema.org/": "schema.org (http, as pySHACL's bundled schema.org shapes use it)",
    "http://purl.org/linked-data/cube#": "W3C Data Cube",
    "http://purl.org/linked-data/sdmx/2009/attribute#": "SDMX attributes",
    "http://purl.org/linked-data/sdmx/2009/measure#": "SDMX measures",
    "http://purl.org/linked-data/sdmx/2009/dimension#": "SDMX dimensions",
    "http://qudt.org/vocab/unit/": "QUDT units",
    "http://www.w3.org/2004/02/skos/core#": "SKOS",
    "http://www.w3.org/ns/prov#": "PROV-O",
    "http://www.w3.org/ns/oa#": "Web Annotation",
    "http://purl.org/dc/terms/": "DCMI terms",
    "http://purl.org/spar/fabio/": "FaBiO",
    "http://purl.org/spar/cito/": "CiTO",
    "http://www.w3.org/ns/org#": "W3C ORG",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "RDF",
    "http://www.w3.org/2000/01/rdf-schema#": "RDFS",
    "http://www.w3.org/2002/07/owl#": "OWL",
    "http://www.w3.org/2001/XMLSchema#": "XSD",
    "http://purl.org/vocab/vann/": "VANN",
}
"""Vocabularies e2kg reuses (namespace -> name). A class or property in any other namespace than
these and e2kg: is an error (a typo in a prefix, or a vocabulary nobody agreed to reuse)."""

CLOSED_VOCABULARIES: dict[str, type[DefinedNamespace]] = {
    "http://schema.org/": SDO,  # rdflib lists schema.org's terms under https; the names are the same
    "http://purl.org/linked-data/cube#": QB,
    "http://www.w3.org/2004/02/skos/core#": SKOS,
    "http://www.w3.org/ns/prov#": PROV,
    "http://purl.org/dc/terms/": DCTERMS,
    "http://www.w3.org/ns/org#": ORG,
    "http://purl.org/vocab/vann/": VANN,
    "http://www.w3.org/2001/XMLSchema#": XSD,
}
"""Reused vocabularies whose term lists rdflib ships: a term must be one of them (catches typos)."""

WEB_ANNOTATION_TERMS = frozenset(
    {
        "Annotation",
        "SpecificResource",
        "TextQuoteSelector",
        "TextPositionSelector",
        "hasBody",
        "hasTarget",
        "hasSource",
        "hasScope",
        "hasSelector",
        "exact",
        "prefix",
        "suffix",
        "start",
        "end",
    }
)
"""Terms of the Web Annotation vocabulary (https://www.w3.org/TR/annotation-vocab/) e2kg may use."""

DECLARATION_TYPES = {
    "class": {OWL.Class, RDFS.Class},
    "property": {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property},
}

SOURCE_FILES = ontology_files(ROOT) + shapes_files(ROOT) + graph_files(ROOT)


def local_name(term: URIRef, namespace: str) -> str:
    return str(term)[len(namespace) :]


def namespace_of(term: URIRef) -> str | None:
    """The reused namespace ``term`` lies in, or None."""
    return next((ns for ns in REUSED_NAMESPACES if str(term).startswith(ns)), None)


def classes_and_properties(graph: Graph) -> dict[URIRef, str]:
    """Every class (object of rdf:type) and property (predicate) used in ``graph``."""
    used: dict[URIRef, str] = {}
    for _subject, predicate, value in graph:
        used[predicate] = "property"
        if predicate == RDF.type and isinstance(value, URIRef):
            used.setdefault(value, "class")
    return used


def own_terms_in_files(paths: list[Path]) -> set[URIRef]:
    """Every e2kg: IRI in the files: in triples, and as prefixed names inside SPARQL strings."""
    found: set[URIRef] = set()
    for path in paths:
        graph = parse_turtle(path)
        for triple in graph:
            found.update(
                term for term in triple if isinstance(term, URIRef) and term.startswith(E2KG)
            )
        for literal in graph.objects():
            if isinstance(literal, Literal):
                found.update(E2KG[name] for name in re.findall(r"\be2kg:([\w-]+)", str(literal)))
    return found


def labelled_in(graph: Graph, term: URIRef, predicate: URIRef, language: str) -> bool:
    return any(
        isinstance(value, Literal) and value.language == language and str(value).strip()
        for value in graph.objects(term, predicate)
    )


# -- parsing ------------------------------------------------------------------------------------


def test_the_sources_are_found() -> None:
    folders = {path.relative_to(ROOT).parts[0] for path in SOURCE_FILES}
    assert folders == {"ontology", "shapes", "graph"}
    assert (ROOT / "ontology" / "e2kg.ttl") in SOURCE_FILES


@pytest.mark.parametrize(
    "path", SOURCE_FILES, ids=[path.relative_to(ROOT).as_posix() for path in SOURCE_FILES]
)
def test_every_source_file_parses(path: Path) -> None:
    assert len(parse_turtle(path)) > 0


def test_the_shapes_are_well_formed_shacl(shapes_graph: Graph) -> None:
    """The shapes graph conforms to SHACL's own shapes (SHACL-SHACL)."""
    conforms, _graph, text = pyshacl_validate(
        Graph(), shacl_graph=shapes_graph, meta_shacl=True, advanced=True, inference="none"
    )
    assert conforms, text


# -- own terms ------------------------------------------------------------------------------------


def test_the_ontology_declares_own_terms(ontology_graph: Graph) -> None:
    declared = {
        term for term in ontology_graph.subjects(RDF.type) if str(term).startswith(str(E2KG))
    }
    assert len(declared) >= 10


@pytest.mark.parametrize("folder", ["graph", "shapes"])
def test_every_own_term_used_is_declared_in_the_ontology(
    folder: str, ontology_graph: Graph
) -> None:
    paths = graph_files(ROOT) if folder == "graph" else shapes_files(ROOT)
    used = own_terms_in_files(paths)
    assert used, f"{folder}/ uses no e2kg: term at all; is the namespace right?"
    undeclared = sorted(term for term in used if (term, RDF.type, None) not in ontology_graph)
    assert not undeclared, f"used in {folder}/ but not declared in ontology/e2kg.ttl: {undeclared}"


def test_every_own_term_has_label_and_comment_in_german_and_english(
    ontology_graph: Graph,
) -> None:
    own = sorted(
        {term for term in ontology_graph.subjects(RDF.type) if str(term).startswith(str(E2KG))}
    )
    missing = [
        f"{local_name(term, str(E2KG))}: {predicate.n3()}@{language}"
        for term in own
        for predicate in (RDFS.label, RDFS.comment)
        for language in ("de", "en")
        if not labelled_in(ontology_graph, term, predicate, language)
    ]
    assert not missing, missing


def test_own_terms_are_used_as_what_they_are_declared(
    ontology_graph: Graph, instance_graph: Graph
) -> None:
    """An e2kg: class is used as a class and an e2kg: property as a predicate, never the other way."""
    wrong = []
    for term, use in classes_and_properties(instance_graph).items():
        if not str(term).startswith(str(E2KG)):
            continue
        types = set(ontology_graph.objects(term, RDF.type))
        if not types & DECLARATION_TYPES[use]:
            wrong.append(f"{term} used as {use}, declared as {sorted(types)}")
    assert not wrong, wrong


# -- reused vocabularies ----------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["graph", "ontology"])
def test_every_class_and_property_is_own_or_from_a_reused_vocabulary(
    folder: str, instance_graph: Graph, vocabulary_graph: Graph, ontology_graph: Graph
) -> None:
    graph = instance_graph if folder == "graph" else vocabulary_graph
    used = classes_and_properties(graph)
    assert len(used) > 10
    unknown = []
    for term in sorted(used):
        if str(term).startswith(str(E2KG)):
            if (term, RDF.type, None) not in ontology_graph:
                unknown.append(f"{term}: own term, not declared")
            continue
        namespace = namespace_of(term)
        if namespace is None:
            unknown.append(f"{term}: namespace is not on the allow-list")
            continue
        name = local_name(term, namespace)
        if namespace in CLOSED_VOCABULARIES:
            vocabulary = CLOSED_VOCABULARIES[namespace]
            known = set(vocabulary.__annotations__) | set(getattr(vocabulary, "_extras", ()))
            if name not in known:
                unknown.append(f"{term}: not a term of {REUSED_NAMESPACES[namespace]}")
        elif namespace == str(OA) and name not in WEB_ANNOTATION_TERMS:
            unknown.append(f"{term}: not a term of the Web Annotation vocabulary")
    assert not unknown, unknown


def test_the_allow_list_rejects_a_foreign_namespace() -> None:
    assert namespace_of(URIRef("https://schema.org/name")) is None  # https, not the chosen http
    assert namespace_of(URIRef("http://xmlns.com/foaf/0.1/name")) is None
    assert namespace_of(SCHEMA.name) == "http://schema.org/"


# -- concepts and coded values --------------------------------------------------------------------


def test_every_concept_has_german_and_english_label_and_a_declared_scheme(
    vocabulary_graph: Graph,
) -> None:
    concepts = sorted(vocabulary_graph.subjects(RDF.type, SKOS.Concept))
    schemes = set(vocabulary_graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(concepts) > 10 and len(schemes) >= 3
    problems = []
    for concept in concepts:
        for language in ("de", "en"):
            if not labelled_in(vocabulary_graph, concept, SKOS.prefLabel, language):
                problems.append(f"{concept}: no skos:prefLabel@{language}")
        in_schemes = set(vocabulary_graph.objects(concept, SKOS.inScheme))
        if not in_schemes or not in_schemes <= schemes:
            problems.append(f"{concept}: schemes {sorted(in_schemes)} not all declared")
    assert not problems, problems


def coded_properties(ontology_graph: Graph) -> dict[URIRef, URIRef]:
    """Property -> the scheme its values come from: qb:codeList where the ontology states one, else
    the scheme of the same name for properties whose range is skos:Concept."""
    mapping: dict[URIRef, URIRef] = {}
    for prop in ontology_graph.subjects(RDFS.range, SKOS.Concept):
        assert isinstance(prop, URIRef)
        code_list = ontology_graph.value(prop, QB.codeList)
        if isinstance(code_list, URIRef):
            mapping[prop] = code_list
        else:
            slug = re.sub(r"(?<!^)([A-Z])", r"-\1", local_name(prop, str(E2KG))).lower()
            mapping[prop] = URIRef(SCHEME_BASE + slug)
    return mapping


def test_every_coded_value_is_a_concept_of_the_right_scheme(
    ontology_graph: Graph, vocabulary_graph: Graph, instance_graph: Graph
) -> None:
    mapping = coded_properties(ontology_graph)
    assert {E2KG.department, E2KG.role, E2KG.qualifier, E2KG.programmeStatus} <= set(mapping)
    for scheme in mapping.values():
        assert (scheme, RDF.type, SKOS.ConceptScheme) in vocabulary_graph, scheme
    wrong = []
    checked = 0
    for subject, predicate, value in instance_graph:
        if predicate in mapping:
            scheme = mapping[predicate]
        elif isinstance(value, URIRef) and str(value).startswith(CONCEPT_BASE):
            scheme = URIRef(SCHEME_BASE + str(value)[len(CONCEPT_BASE) :].split("/")[0])
        else:
            continue
        checked += 1
        if (value, RDF.type, SKOS.Concept) not in vocabulary_graph or (
            value,
            SKOS.inScheme,
            scheme,
        ) not in vocabulary_graph:
            wrong.append(f"{subject} {predicate.n3()} {value}: not a concept of {scheme}")
    assert checked > 50
    assert not wrong, wrong


# -- ODK-style SPARQL checks ------------------------------------------------------------------------

CHECK_FILES = sorted(CHECKS.glob("*-violation.rq"))


def test_there_are_checks() -> None:
    assert len(CHECK_FILES) >= 5, f"no *-violation.rq checks found in {CHECKS}"
    assert all(path.suffix == ".rq" for path in CHECKS.iterdir() if path.is_file())


@pytest.mark.parametrize("check", CHECK_FILES, ids=[path.stem for path in CHECK_FILES])
def test_check_finds_nothing_in_the_graph(check: Path, full_graph: Graph) -> None:
    rows = list(full_graph.query(check.read_text(encoding="utf-8")))
    assert rows == [], f"{check.name}: {len(rows)} violations, e.g. {rows[:5]}"


@pytest.mark.parametrize("check", CHECK_FILES, ids=[path.stem for path in CHECK_FILES])
def test_check_fires_on_its_failing_fixture(check: Path) -> None:
    fixture = CHECK_FIXTURES / f"{check.stem}.ttl"
    assert fixture.is_file(), f"every check needs a failing example: {fixture}"
    first_line = fixture.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# expect: <(.+)>", first_line)
    assert match, f"{fixture.name}: first line must be '# expect: <IRI>'"
    rows = list(parse_turtle(fixture).query(check.read_text(encoding="utf-8")))
    assert rows, f"{check.name} found nothing in {fixture.name}"
    assert any(URIRef(match.group(1)) in row for row in rows), rows  # type: ignore[operator]


def test_every_check_fixture_has_a_check() -> None:
    orphans = [
        fixture.name
        for fixture in CHECK_FIXTURES.glob("*.ttl")
        if not (CHECKS / f"{fixture.stem}.rq").is_file()
    ]
    assert not orphans
