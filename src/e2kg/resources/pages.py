"""A resource as a page: its label in a language, types, properties and incoming links with human
labels, a view fitted to its main type, and its schema.org JSON-LD. No HTML here: the web layer
renders these values with templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from e2kg.resources.binding import limited, select_bound, select_rows
from e2kg.resources.iris import IriMapper
from e2kg.resources.labels import LABEL_PROPERTIES, choose_literal, local_name, term_label
from e2kg.resources.queries import resource_query
from e2kg.resources.sections import (
    FINDINGS_PAGE_SIZE,
    FIRST_ROWS,
    INCOMING_PAGE_SIZE,
    SectionPage,
    section_page,
)
from e2kg.store import Store

SCHEMA = "http://schema.org/"
SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
BLANK_NODE_LABEL = ("(an anonymous node)", "(ein anonymer Knoten)")
"""How a blank node pointing here is listed (English, German): it has no address of its own."""


@dataclass(frozen=True)
class Link:
    """An IRI with its label and where it leads (a local path for our IRIs, else the IRI)."""

    iri: str
    label: str
    href: str


@dataclass(frozen=True)
class Value:
    """One object of a property: a link, or a literal with language/datatype, or a blank node."""

    text: str
    link: Link | None = None
    language: str | None = None
    datatype: str | None = None
    nested: list[tuple[str, Value]] = field(default_factory=list)


@dataclass(frozen=True)
class PropertyGroup:
    """The values of one predicate."""

    predicate: Link
    values: list[Value]


@dataclass(frozen=True)
class IncomingGroup:
    """Resources pointing here with one predicate: how many in all, and the ones shown."""

    predicate: Link
    subjects: list[Link]
    total: int
    page: SectionPage | None = None
    """Set when this group is shown a page at a time (``?via=``); else the first few only."""


@dataclass(frozen=True)
class ResourcePage:
    """Everything a resource page shows."""

    iri: str
    label: str
    language: str
    types: list[Link]
    properties: list[PropertyGroup]
    incoming: list[IncomingGroup]
    """Every predicate pointing here with its count and first rows, or the one paged (``via``)."""
    incoming_via: str | None
    """The predicate whose incoming links this page lists a page at a time; None: all, briefly."""
    view: str | None
    """The main type's view: study, department, article, organization, quote, question."""
    view_data: dict[str, Any]
    json_ld: dict[str, Any]


VIEW_BY_TYPE = {
    SCHEMA + "Report": "study",
    SCHEMA + "BlogPosting": "article",
    SCHEMA + "Organization": "organization",
    SCHEMA + "Quotation": "quote",
    "https://w3id.org/e2kg/def/core#Definition": "quote",
    SCHEMA + "Claim": "quote",
    SCHEMA + "Question": "question",
}
"""The view of a resource by its type, in order of preference."""


class PageBuilder:
    """Builds resource pages from the store in one language."""

    def __init__(self, store: Store, mapper: IriMapper, language: str) -> None:
        self.store = store
        self.mapper = mapper
        self.language = language
        self._language_literal = Literal(language)

    # -- links and labels --------------------------------------------------------------------------

    def link(
        self, iri: Node, label: Node | str | None = None, fallback: Node | None = None
    ) -> Link:
        """A link to ``iri`` labelled with ``label``, ``fallback``, a vocabulary label or its name."""
        text = str(iri)
        href = self.mapper.local_path(text) or text
        if label is not None and str(label):
            name = str(label)
        elif fallback is not None and str(fallback):
            name = str(fallback)
        else:
            name = term_label(text, self.language)
        return Link(text, name, href)

    def _bindings(self, **terms: Node) -> dict[str, Node]:
        return {"language": self._language_literal, **terms}

    # -- the page ----------------------------------------------------------------------------------

    def page(
        self,
        iri: URIRef,
        description: Graph,
        *,
        via: URIRef | None = None,
        via_page: int = 1,
        findings_page: int = 1,
    ) -> ResourcePage:
        """The page of ``iri``; ``description`` is its RDF description (for JSON-LD and blank nodes).

        ``via``: list the resources pointing here with that predicate, page ``via_page``, instead of
        the first few of every predicate. ``findings_page``: the page of a business function's
        findings.
        """
        rows = select_bound(
            self.store, resource_query("properties"), self._bindings(resource=iri)
        ).rows
        rows = [
            row for row in rows if "predicate" in row
        ]  # an empty group may come back as one row
        label = self._own_label(rows) or local_name(str(iri))
        types = [
            self.link(row["object"], row.get("label"), row.get("fallback"))
            for row in rows
            if row["predicate"] == RDF.type
        ]
        properties = self._properties(rows, description)
        incoming = self.incoming(iri, via=via, via_page=via_page)
        view = self._view(rows)
        view_data = self.view_data(view, iri, findings_page=findings_page) if view else {}
        return ResourcePage(
            iri=str(iri),
            label=label,
            language=self.language,
            types=types,
            properties=properties,
            incoming=incoming,
            incoming_via=str(via) if via is not None else None,
            view=view,
            view_data=view_data,
            json_ld=schema_json_ld(iri, label, description),
        )

    def _own_label(self, rows: list[dict[str, Node]]) -> str | None:
        best: tuple[int, int, str] | None = None
        for row in rows:
            predicate, value = str(row["predicate"]), row["object"]
            if predicate not in LABEL_PROPERTIES or not isinstance(value, Literal):
                continue
            tag = (value.language or "").split("-")[0].lower()
            language_rank = 0 if tag == self.language else 1 if tag == "" else 2
            rank = (language_rank, LABEL_PROPERTIES.index(predicate), str(value))
            if best is None or rank < best:
                best = rank
        return best[2] if best else None

    def _properties(self, rows: list[dict[str, Node]], description: Graph) -> list[PropertyGroup]:
        groups: dict[str, PropertyGroup] = {}
        for row in rows:
            predicate = row["predicate"]
            if predicate == RDF.type:
                continue
            key = str(predicate)
            if key not in groups:
                groups[key] = PropertyGroup(self.link(predicate, row.get("plabel")), [])
            groups[key].values.append(self._value(row["object"], row, description))

        def order(group: PropertyGroup) -> tuple[int, str]:
            iri = group.predicate.iri
            rank = LABEL_PROPERTIES.index(iri) if iri in LABEL_PROPERTIES else len(LABEL_PROPERTIES)
            return (rank, group.predicate.label.lower())

        result = sorted(groups.values(), key=order)
        for group in result:
            group.values.sort(key=lambda value: (self._language_order(value), value.text))
        return result

    def _language_order(self, value: Value) -> int:
        if value.language is None:
            return 1
        return 0 if value.language.split("-")[0].lower() == self.language else 2

    def _value(self, node: Node, row: Mapping[str, Node], description: Graph) -> Value:
        if isinstance(node, Literal):
            datatype = str(node.datatype) if node.datatype else None
            return Value(str(node), language=node.language, datatype=datatype)
        if isinstance(node, BNode):
            nested = [
                (term_label(str(p), self.language), self._nested_value(o))
                for p, o in sorted(description.predicate_objects(node))
            ]
            return Value("", nested=nested)
        link = self.link(node, row.get("label"), row.get("fallback"))
        return Value(link.label, link=link)

    def _nested_value(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return Value(str(node), language=node.language)
        if isinstance(node, URIRef):
            link = self.link(node)
            return Value(link.label, link=link)
        return Value("…")

    # -- incoming links ----------------------------------------------------------------------------

    def incoming(
        self, iri: URIRef, *, via: URIRef | None = None, via_page: int = 1
    ) -> list[IncomingGroup]:
        """What points to ``iri``, grouped by predicate with counts: the first ``FIRST_ROWS`` of
        each, or page ``via_page`` of the one predicate ``via``."""
        counts = {
            row["predicate"]: int(str(row["count"]))
            for row in select_bound(
                self.store, resource_query("incoming-counts"), {"resource": iri}
            ).rows
            if "predicate" in row  # an empty group may come back as one row
        }
        if via is not None:
            page: SectionPage | None = section_page(
                "page", via_page, INCOMING_PAGE_SIZE, counts.get(via, 0)
            )
            chosen: dict[Node, SectionPage | None] = {via: page} if counts.get(via) else {}
        else:
            page = None
            chosen = dict.fromkeys(counts)
        subjects: dict[Node, list[Node]] = {}
        for predicate, paged in chosen.items():
            if not isinstance(predicate, URIRef):
                continue
            size, offset = (paged.size, paged.offset) if paged else (FIRST_ROWS, 0)
            query = limited(resource_query("incoming-subjects"), size, offset)
            rows = select_bound(self.store, query, {"resource": iri, "predicate": predicate}).rows
            subjects[predicate] = [row["subject"] for row in rows if "subject" in row]
        labels = self.labels([*chosen, *(s for listed in subjects.values() for s in listed)])
        groups = []
        for predicate, listed in subjects.items():
            links = sorted(
                (self.subject_link(subject, labels) for subject in listed),
                key=lambda link: (link.label.lower(), link.iri),
            )
            predicate_label = labels.get(predicate)
            if predicate_label is not None and predicate_label.language not in (
                None,
                self.language,
            ):
                predicate_label = None  # a reused term's own label in this language is better
            groups.append(
                IncomingGroup(self.link(predicate, predicate_label), links, counts[predicate], page)
            )
        return sorted(groups, key=lambda group: group.predicate.label.lower())

    def labels(self, iris: list[Node]) -> dict[Node, Literal]:
        """IRI -> its label, in the page language if it has one (``choose_literal``), for each of
        ``iris`` that has a label."""
        unique = [{"resource": iri} for iri in dict.fromkeys(iris) if isinstance(iri, URIRef)]
        candidates: dict[Node, list[Node]] = {}
        for row in select_rows(self.store, resource_query("labels"), unique).rows:
            if "resource" in row and "label" in row:
                candidates.setdefault(row["resource"], []).append(row["label"])
        chosen = {iri: choose_literal(found, self.language) for iri, found in candidates.items()}
        return {iri: label for iri, label in chosen.items() if label is not None}

    def subject_link(self, subject: Node, labels: Mapping[Node, Literal]) -> Link:
        """A link to ``subject`` with its label; a blank node gets a label and no address."""
        if isinstance(subject, BNode):
            return Link("", BLANK_NODE_LABEL[self.language == "de"], "")
        return self.link(subject, labels.get(subject))

    # -- views per main type -----------------------------------------------------------------------

    def _view(self, rows: list[dict[str, Node]]) -> str | None:
        types = {str(row["object"]) for row in rows if row["predicate"] == RDF.type}
        schemes = {str(row["object"]) for row in rows if str(row["predicate"]) == SKOS_IN_SCHEME}
        if any(scheme.endswith("/scheme/department") for scheme in schemes):
            return "department"
        for type_iri, view in VIEW_BY_TYPE.items():
            if type_iri in types:
                return view
        return None

    def view_data(self, view: str, iri: URIRef, *, findings_page: int = 1) -> dict[str, Any]:
        """The rows of the view ``view`` for ``iri`` (page ``findings_page`` of a department's
        findings)."""
        if view == "study":
            return {
                "findings": self._rows("study-findings", study=iri),
                "citations": self._rows("study-citations", study=iri),
            }
        if view == "department":
            findings, shares = self.department_findings(iri, findings_page)
            return {
                "shares": shares,
                "findings": findings,
                "statements": self._rows("statements-about", resource=iri),
            }
        if view == "article":
            return {
                "passages": self._rows("article-passages", article=iri),
                "statements": self._rows("article-statements", article=iri),
            }
        if view == "organization":
            return {"relations": self._rows("organization-relations", organization=iri)}
        if view == "quote":
            return {"details": self._rows("quote-details", quote=iri)}
        if view == "question":
            return {"answers": self._rows("question-answer", question=iri)}
        return {}

    def department_findings(
        self, department: URIRef, number: int
    ) -> tuple[SectionPage, list[dict[str, Any]]]:
        """Page ``number`` of the findings about ``department`` and their rows (study, year, role,
        share, qualifiers): a cheap count, one page of finding IRIs, then the details of those."""
        bound = {"department": department}
        counted = select_bound(self.store, resource_query("department-finding-count"), bound)
        total = int(str(counted.rows[0]["count"])) if counted.rows else 0
        page = section_page("findings", number, FINDINGS_PAGE_SIZE, total)
        query = limited(resource_query("department-findings"), page.size, page.offset)
        findings = [row["finding"] for row in select_bound(self.store, query, bound).rows]
        rows = [
            {"finding": finding, "department": department}
            for finding in findings
            if isinstance(finding, URIRef)
        ]
        details = select_rows(
            self.store, resource_query("department-shares"), rows, self._bindings()
        )
        return page, self._converted(details.rows)

    def _rows(self, query: str, **terms: Node) -> list[dict[str, Any]]:
        """Rows of a view query with IRIs as Links (labelled by the matching ``*Name`` column)."""
        result = select_bound(self.store, resource_query(query), self._bindings(**terms))
        return self._converted(result.rows)

    def _converted(self, result_rows: list[dict[str, Node]]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for row in result_rows:
            if not any(isinstance(node, URIRef) for node in row.values()):
                continue  # an empty group may come back as one row without IRIs
            converted: dict[str, Any] = {}
            for name, node in row.items():
                if isinstance(node, URIRef):
                    label = row.get(name + "Name") or row.get("label")
                    fallback = row.get(name + "Fallback") or row.get("fallback")
                    converted[name] = self.link(node, label, fallback)
                elif name == "qualifiers":
                    converted[name] = ", ".join(part for part in str(node).split("|") if part)
                elif isinstance(node, Literal):
                    converted[name] = node.toPython() if node.datatype else str(node)
            rows.append(converted)
        return rows


def schema_json_ld(iri: URIRef, label: str, description: Graph) -> dict[str, Any]:
    """The schema.org part of ``description`` as JSON-LD for embedding in the page."""
    types = [
        str(o)[len(SCHEMA) :]
        for o in description.objects(iri, RDF.type)
        if str(o).startswith(SCHEMA)
    ]
    document: dict[str, Any] = {
        "@context": {"@vocab": SCHEMA},
        "@id": str(iri),
        "@type": types or ["Thing"],
        "name": label,
    }
    for predicate, value in sorted(description.predicate_objects(iri)):
        key = str(predicate)
        if not key.startswith(SCHEMA) or key == SCHEMA + "name":
            continue
        if isinstance(value, Literal):
            item: Any = (
                {"@value": str(value), "@language": value.language}
                if value.language
                else str(value)
            )
        elif isinstance(value, URIRef):
            item = {"@id": str(value)}
        else:
            continue
        document.setdefault(key[len(SCHEMA) :], []).append(item)
    return document
