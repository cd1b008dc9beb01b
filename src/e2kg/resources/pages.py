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

from e2kg.resources.binding import select_bound
from e2kg.resources.iris import IriMapper
from e2kg.resources.labels import LABEL_PROPERTIES, local_name, term_label
from e2kg.resources.queries import resource_query
from e2kg.store import Store

SCHEMA = "http://schema.org/"
SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
SUBSTITUTED = frozenset({"study-citations"})
"""View queries faster with their resource substituted than joined first (``select_bound``):
measured at a million triples, study-citations 85 ms substituted, 152 ms joined first."""
INCOMING_PAGE_SIZE = 200
"""Rows of "what points here" per page; incoming.rq asks for one more."""


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
    """Resources pointing here with one predicate."""

    predicate: Link
    subjects: list[Link]


@dataclass(frozen=True)
class ResourcePage:
    """Everything a resource page shows."""

    iri: str
    label: str
    language: str
    types: list[Link]
    properties: list[PropertyGroup]
    incoming: list[IncomingGroup]
    incoming_next: str | None
    """The ``after`` value of the next page of incoming links; None when this is the last."""
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

    def page(self, iri: URIRef, description: Graph, *, after: str = "") -> ResourcePage:
        """The page of ``iri``; ``description`` is its RDF description (for JSON-LD and blank nodes)."""
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
        incoming, incoming_next = self.incoming(iri, after=after)
        view = self._view(rows)
        view_data = self.view_data(view, iri) if view else {}
        return ResourcePage(
            iri=str(iri),
            label=label,
            language=self.language,
            types=types,
            properties=properties,
            incoming=incoming,
            incoming_next=incoming_next,
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

    def incoming(self, iri: URIRef, *, after: str = "") -> tuple[list[IncomingGroup], str | None]:
        """One page of what points to ``iri``, grouped by predicate, and the next page's key."""
        # Substituted, not select_bound: joined first, the resource made this query slower
        # (hr at a million triples: 1.0 -> 1.2 s); it groups every incoming link before LIMIT.
        rows = self.store.select(
            resource_query("incoming"),
            bindings=self._bindings(resource=iri, after=Literal(after)),
        ).rows
        rows = [row for row in rows if "subject" in row]  # an empty group may come back as one row
        next_after = None
        if len(rows) > INCOMING_PAGE_SIZE:
            # Drop the last subject entirely: it may continue on the next page.
            last = rows[INCOMING_PAGE_SIZE]["subject"]
            rows = [row for row in rows[:INCOMING_PAGE_SIZE] if row["subject"] != last]
            next_after = str(rows[-1]["subject"]) if rows else None
        groups: dict[str, IncomingGroup] = {}
        for row in rows:
            key = str(row["predicate"])
            if key not in groups:
                groups[key] = IncomingGroup(self.link(row["predicate"], row.get("plabel")), [])
            groups[key].subjects.append(
                self.link(row["subject"], row.get("label"), row.get("fallback"))
            )
        return sorted(groups.values(), key=lambda group: group.predicate.label.lower()), next_after

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

    def view_data(self, view: str, iri: URIRef) -> dict[str, Any]:
        """The rows of the view ``view`` for ``iri``."""
        if view == "study":
            return {
                "findings": self._rows("study-findings", study=iri),
                "citations": self._rows("study-citations", study=iri),
            }
        if view == "department":
            return {
                "shares": self._rows("department-shares", department=iri),
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

    def _rows(self, query: str, **terms: Node) -> list[dict[str, Any]]:
        """Rows of a view query with IRIs as Links (labelled by the matching ``*Name`` column)."""
        bindings = self._bindings(**terms)
        if query in SUBSTITUTED:
            result = self.store.select(resource_query(query), bindings=bindings)
        else:
            result = select_bound(self.store, resource_query(query), bindings)
        rows: list[dict[str, Any]] = []
        for row in result.rows:
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
