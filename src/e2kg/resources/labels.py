"""Human labels in a requested language, for resources of the graph and for reused vocabulary terms.

Resources carry their own labels (``rdfs:label``, ``skos:prefLabel``, ``schema:name``, ...); terms of
reused vocabularies (schema.org, Data Cube, PROV-O ...) are not in the store, so their labels come
from the table below, and anything else falls back to its local name made readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.term import Node

LANGUAGES = ("en", "de")
"""Languages the pages are offered in; the first is the default."""

LABEL_PROPERTIES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://schema.org/name",
    "http://schema.org/headline",
    "http://www.w3.org/ns/shacl#name",
    "http://purl.org/dc/terms/title",
)
"""Properties whose values name a resource, the preferred first."""

_S = "http://schema.org/"
_QB = "http://purl.org/linked-data/cube#"
_PROV = "http://www.w3.org/ns/prov#"
_OA = "http://www.w3.org/ns/oa#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SH = "http://www.w3.org/ns/shacl#"
_DCT = "http://purl.org/dc/terms/"

TERM_LABELS: dict[str, tuple[str, str]] = {
    _RDF + "type": ("type", "Typ"),
    _RDFS + "label": ("label", "Bezeichnung"),
    _RDFS + "comment": ("comment", "Kommentar"),
    _RDFS + "subClassOf": ("subclass of", "Unterklasse von"),
    _RDFS + "subPropertyOf": ("subproperty of", "Untereigenschaft von"),
    _RDFS + "domain": ("domain", "Definitionsbereich"),
    _RDFS + "range": ("range", "Wertebereich"),
    _OWL + "sameAs": ("same as", "identisch mit"),
    _OWL + "Class": ("class", "Klasse"),
    _OWL + "ObjectProperty": ("object property", "Objekteigenschaft"),
    _OWL + "DatatypeProperty": ("datatype property", "Datentypeigenschaft"),
    _SKOS + "prefLabel": ("preferred label", "Vorzugsbezeichnung"),
    _SKOS + "altLabel": ("alternative label", "Synonym"),
    _SKOS + "definition": ("definition", "Definition"),
    _SKOS + "notation": ("notation", "Notation"),
    _SKOS + "inScheme": ("in scheme", "in Vokabular"),
    _SKOS + "topConceptOf": ("top concept of", "Oberbegriff von"),
    _SKOS + "hasTopConcept": ("top concept", "Oberbegriff"),
    _SKOS + "broader": ("broader", "Oberbegriff"),
    _SKOS + "Concept": ("concept", "Begriff"),
    _SKOS + "ConceptScheme": ("concept scheme", "Vokabular"),
    _S + "name": ("name", "Name"),
    _S + "headline": ("headline", "Überschrift"),
    _S + "description": ("description", "Beschreibung"),
    _S + "text": ("text", "Text"),
    _S + "publisher": ("publisher", "Herausgeber"),
    _S + "author": ("author", "Autor"),
    _S + "creator": ("speaker / creator", "Sprecher / Urheber"),
    _S + "datePublished": ("published", "veröffentlicht"),
    _S + "dateCreated": ("created", "entstanden"),
    _S + "about": ("about", "handelt von"),
    _S + "mentions": ("mentions", "erwähnt"),
    _S + "isPartOf": ("part of", "Teil von"),
    _S + "isBasedOn": ("based on", "beruht auf"),
    _S + "inLanguage": ("language", "Sprache"),
    _S + "position": ("position", "Position"),
    _S + "acceptedAnswer": ("accepted answer", "Antwort"),
    _S + "answerCount": ("number of answers", "Anzahl Antworten"),
    _S + "recordedAt": ("recorded at", "aufgenommen bei"),
    _S + "provider": ("provider", "Anbieter"),
    _S + "location": ("location", "Ort"),
    _S + "subEvent": ("session", "Programmpunkt"),
    _S + "startDate": ("start", "Beginn"),
    _S + "url": ("web page", "Webseite"),
    _S + "sameAs": ("same as", "identisch mit"),
    _S + "citation": ("cites", "zitiert"),
    _S + "Report": ("study", "Studie"),
    _S + "BlogPosting": ("article", "Artikel"),
    _S + "Quotation": ("quote", "Zitat"),
    _S + "Claim": ("claim", "Aussage"),
    _S + "Organization": ("organisation", "Organisation"),
    _S + "Person": ("person", "Person"),
    _S + "Question": ("question", "Frage"),
    _S + "Answer": ("answer", "Antwort"),
    _S + "Event": ("event", "Veranstaltung"),
    _S + "Country": ("country", "Land"),
    _S + "Place": ("place", "Ort"),
    _S + "CreativeWork": ("work", "Werk"),
    _S + "CreativeWorkSeries": ("series", "Serie"),
    _QB + "Observation": ("finding", "Befund"),
    _QB + "DataSet": ("data set", "Datensatz"),
    _QB + "dataSet": ("data set", "Datensatz"),
    _QB + "structure": ("structure", "Struktur"),
    _PROV + "hadPrimarySource": ("study", "Studie"),
    _PROV + "wasDerivedFrom": ("evidence", "Beleg"),
    _OA + "SpecificResource": ("evidence", "Beleg"),
    _OA + "hasSource": ("article", "Artikel"),
    _OA + "hasScope": ("passage", "Textabschnitt"),
    _OA + "hasSelector": ("selector", "Textstelle"),
    _OA + "exact": ("source sentence", "Belegsatz"),
    _DCT + "source": ("source", "Quelle"),
    _DCT + "title": ("title", "Titel"),
    _SH + "path": ("path", "Pfad"),
    _SH + "targetClass": ("target class", "Zielklasse"),
    _SH + "message": ("message", "Meldung"),
    _SH + "severity": ("severity", "Schweregrad"),
    "http://purl.org/spar/cito/citesAsDataSource": ("cites as data source", "zitiert als Quelle"),
    "http://purl.org/spar/fabio/ReportDocument": ("report", "Bericht"),
}
"""English and German labels of reused vocabulary terms shown on the pages."""


def choose_literal(candidates: Iterable[Node], language: str) -> Literal | None:
    """The literal in ``language``, else one without language, else the other page language."""
    literals = [node for node in candidates if isinstance(node, Literal)]
    if not literals:
        return None
    order = [language, "", *(other for other in LANGUAGES if other != language)]

    def rank(literal: Literal) -> tuple[int, str]:
        tag = (literal.language or "").lower().split("-")[0]
        return (order.index(tag) if tag in order else len(order), str(literal))

    return min(literals, key=rank)


def term_label(iri: str, language: str) -> str:
    """The label of a reused vocabulary term from the table, else its readable local name."""
    labels = TERM_LABELS.get(iri)
    if labels is not None:
        return labels[0] if language == "en" else labels[1]
    return local_name(iri)


def local_name(iri: str) -> str:
    """The last part of an IRI made readable: ``datePublished`` -> ``date published``."""
    name = re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return spaced.replace("-", " ").replace("_", " ") if spaced[:1].islower() else spaced


def is_label_property(predicate: URIRef | str) -> bool:
    """Whether ``predicate`` names its subject."""
    return str(predicate) in LABEL_PROPERTIES
