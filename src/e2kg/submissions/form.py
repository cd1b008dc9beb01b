"""The fields of the study form (``/studies/new``) as an entry, and a report's results by field.

The form asks for what an editor knows about a study (titles, publisher, year, population, the
article that reports it, rows of findings) and builds the entry the shapes check, with readable
IRIs from natural keys (MODELLING.md): ``study/<slug>``, ``observation/<slug>_<role>_<department>``.
A field left empty leaves its triple out, so the shapes say what is missing; a year or share that
is not a number goes in as text, so the datatype rule names it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node
from werkzeug.datastructures import MultiDict

from e2kg.parsing import new_graph
from e2kg.validation import ValidationReport, ValidationResult

SCHEMA = Namespace("http://schema.org/")
QB = Namespace("http://purl.org/linked-data/cube#")
OA = Namespace("http://www.w3.org/ns/oa#")
FABIO = Namespace("http://purl.org/spar/fabio/")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
E2KG = Namespace("https://w3id.org/e2kg/def/core#")

ROW_FIELDS = ("department", "role", "share", "qualifier", "sentence")
MAX_ROWS = 50

_GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}

SHAPE_FIELDS: dict[str, str] = {
    "StudyShape-name": "title",
    "StudyEntryShape-german-title": "title",
    "LabelShape-de": "title",
    "LabelShape-en": "title_en",
    "StudyShape-publisher": "publisher",
    "StudyShape-datePublished": "year",
    "StudyEntryShape-year-range": "year",
    "StudyEntryShape-population": "population",
    "StudyEntryShape-finding": "findings",
    "ObservationShape-department": "department",
    "ObservationShape-department-scheme": "department",
    "ObservationShape-unique": "department",
    "ObservationShape-role": "role",
    "ObservationShape-role-scheme": "role",
    "ObservationShape-share": "share",
    "ObservationShape-qualifier-scheme": "qualifier",
    "ObservationShape-number-in-sentence": "sentence",
    "ObservationShape-evidence": "sentence",
    "EvidenceShape-source": "article",
    "EvidenceShape-exact": "sentence",
    "EvidenceShape-exact-text": "sentence",
    "EvidenceShape-exact-in-passage": "sentence",
}
"""Which form field a shape's result belongs to (per row for the row fields)."""


@dataclass
class FindingRow:
    """One row of findings as typed."""

    department: str = ""
    role: str = ""
    share: str = ""
    qualifier: str = ""
    sentence: str = ""

    @property
    def empty(self) -> bool:
        """Whether nothing was typed in the row."""
        return not any((self.department, self.role, self.share, self.qualifier, self.sentence))


@dataclass
class StudyForm:
    """The study form's fields as typed (strings), and the IRIs of the entry built from them."""

    title: str = ""
    title_en: str = ""
    slug: str = ""
    publisher: str = ""
    year: str = ""
    population: str = ""
    url: str = ""
    article: str = ""
    rows: list[FindingRow] = field(default_factory=list)
    row_nodes: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    """(observation, evidence) of each row, filled by ``to_entry``."""

    @classmethod
    def from_fields(cls, values: MultiDict[str, str]) -> StudyForm:
        """The form from a request's fields (rows as ``department``, ``role`` ... lists)."""

        def text(name: str) -> str:
            return (values.get(name) or "").strip()

        columns = {name: values.getlist(name) for name in ROW_FIELDS}
        count = min(max((len(column) for column in columns.values()), default=0), MAX_ROWS)
        rows = [
            FindingRow(
                **{
                    name: (columns[name][index] if index < len(columns[name]) else "").strip()
                    for name in ROW_FIELDS
                }
            )
            for index in range(count)
        ]
        return cls(
            title=text("title"),
            title_en=text("title_en"),
            slug=text("slug"),
            publisher=text("publisher"),
            year=text("year"),
            population=text("population"),
            url=text("url"),
            article=text("article"),
            rows=[row for row in rows if not row.empty],
        )

    def study_slug(self) -> str:
        """The slug given, or one made from the German title."""
        return slugify(self.slug or self.title) or "new-study"

    def to_entry(self, base_iri: str) -> tuple[Graph, URIRef]:
        """The entry these fields describe, and its study IRI."""
        slug = self.study_slug()
        ids = Namespace(base_iri + "id/")
        study, dataset = ids[f"study/{slug}"], ids[f"dataset/{slug}"]
        graph = new_graph()
        for prefix, namespace in (("schema", SCHEMA), ("qb", QB), ("oa", OA), ("e2kg", E2KG)):
            graph.bind(prefix, namespace)
        add = graph.add
        add((study, RDF.type, SCHEMA.Report))
        add((study, RDF.type, FABIO.ReportDocument))
        if self.title:
            add((study, SCHEMA.name, Literal(self.title, lang="de")))
        if self.title_en:
            add((study, SCHEMA.name, Literal(self.title_en, lang="en")))
        if self.publisher:
            add((study, SCHEMA.publisher, URIRef(self.publisher)))
        if self.year:
            is_year = re.fullmatch(r"\d{4}", self.year)
            add(
                (
                    study,
                    SCHEMA.datePublished,
                    Literal(self.year, datatype=XSD.gYear) if is_year else Literal(self.year),
                )
            )
        if self.population:
            add((study, E2KG.population, Literal(self.population, lang="de")))
        if self.url:
            add((study, SCHEMA.url, Literal(self.url, datatype=XSD.anyURI)))
        title = self.title or slug
        add((dataset, RDF.type, QB.DataSet))
        add((dataset, RDFS.label, Literal(f"Befunde: {title}", lang="de")))
        add((dataset, RDFS.label, Literal(f"Findings: {self.title_en or title}", lang="en")))
        add((dataset, QB.structure, E2KG["share-structure"]))
        add((dataset, DCTERMS.source, study))
        add((dataset, SDMX_ATTRIBUTE.unitMeasure, UNIT.PERCENT))
        self.row_nodes = []
        used: set[str] = set()
        for index, row in enumerate(self.rows, start=1):
            role, department = _last_segment(row.role), _last_segment(row.department)
            key = f"{slug}_{role or 'role'}_{department or 'department'}"
            if key in used:
                key = f"{key}-{index}"
            used.add(key)
            observation, evidence = ids[f"observation/{key}"], ids[f"evidence/{key}"]
            self.row_nodes.append((observation, evidence))
            add((observation, RDF.type, QB.Observation))
            name = f"{title}: {_last_segment(row.department)}, {_last_segment(row.role)}, {row.share} %"
            add((observation, RDFS.label, Literal(name, lang="de")))
            add((observation, RDFS.label, Literal(name, lang="en")))
            add((observation, QB.dataSet, dataset))
            if row.department:
                add((observation, E2KG.department, URIRef(row.department)))
            if row.role:
                add((observation, E2KG.role, URIRef(row.role)))
            if row.share:
                add((observation, E2KG.share, _share(row.share)))
            if row.qualifier:
                add((observation, E2KG.qualifier, URIRef(row.qualifier)))
            add((observation, PROV.hadPrimarySource, study))
            add((observation, PROV.wasDerivedFrom, evidence))
            add((evidence, RDF.type, OA.SpecificResource))
            if self.article:
                add((evidence, OA.hasSource, URIRef(self.article)))
            selector = BNode()
            add((evidence, OA.hasSelector, selector))
            add((selector, RDF.type, OA.TextQuoteSelector))
            if row.sentence:
                add((selector, OA.exact, Literal(row.sentence, lang="de")))
        return graph, study

    def field_errors(
        self, report: ValidationReport, study: URIRef
    ) -> tuple[dict[str, list[str]], list[ValidationResult]]:
        """Messages by field name (``share-2`` for row 2), and the results no field takes."""
        rows: dict[Node, int] = {
            node: index for index, nodes in enumerate(self.row_nodes, 1) for node in nodes
        }
        by_field: dict[str, list[str]] = {}
        general: list[ValidationResult] = []
        for result in report.results:
            shape = str(result.source_shape or "").rsplit("#", 1)[-1]
            name = SHAPE_FIELDS.get(shape)
            if name in ROW_FIELDS and result.focus_node in rows:
                name = f"{name}-{rows[result.focus_node]}"
            elif name in ROW_FIELDS or (name is not None and result.focus_node != study):
                name = None
            if name is None:
                general.append(result)
            else:
                by_field.setdefault(name, []).append(result.message)
        return by_field, general


def slugify(text: str) -> str:
    """A lower-case ASCII slug; German letters transliterated first (ä -> ae, ß -> ss)."""
    text = "".join(_GERMAN.get(character, character) for character in text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _last_segment(iri: str) -> str:
    return slugify(iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]) if iri else ""


def _share(text: str) -> Literal:
    try:
        return Literal(Decimal(text.replace(",", ".").rstrip("% ").strip()), datatype=XSD.decimal)
    except InvalidOperation:
        return Literal(text)
