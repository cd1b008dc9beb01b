"""What the graph holds, for the home page: counts per class and the main entry points."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from e2kg.resources.binding import select_rows
from e2kg.resources.iris import IriMapper
from e2kg.resources.labels import choose_literal, term_label
from e2kg.resources.pages import Link
from e2kg.resources.queries import resource_query
from e2kg.store import Store

SCHEMA = "http://schema.org/"
DEPARTMENT_SCHEME = "id/scheme/department"


@dataclass(frozen=True)
class ClassCount:
    """How many resources a class has."""

    cls: Link
    count: int


@dataclass(frozen=True)
class Overview:
    """The home page's content."""

    classes: list[ClassCount]
    studies_by_year: list[tuple[str, list[Link]]]
    departments: list[Link]
    organizations: list[Link]
    articles: list[Link]
    totals: dict[str, int]
    """Resources per class IRI: how many the lists above (at most 100 each) were taken from."""


def overview(store: Store, mapper: IriMapper, language: str) -> Overview:
    """Counts per class and the entry points, labelled in ``language``."""
    bindings = {"language": Literal(language)}

    def link(iri: object, label: object = None, fallback: object = None) -> Link:
        text = str(iri)
        name = str(label or fallback or term_label(text, language))
        return Link(text, name, mapper.local_path(text) or text)

    counted = [
        row
        for row in store.select(resource_query("class-counts")).rows
        if "class" in row  # an empty group may come back as one row
    ]
    labels: dict[Node, list[Node]] = defaultdict(list)
    rows = [{"resource": row["class"]} for row in counted if isinstance(row["class"], URIRef)]
    for row in select_rows(store, resource_query("labels"), rows).rows:
        labels[row["resource"]].append(row["label"])
    classes = [
        ClassCount(
            link(row["class"], choose_literal(labels.get(row["class"], []), language)),
            int(str(row["count"])),
        )
        for row in counted
    ]

    def members(cls: str) -> list[tuple[Link, str | None]]:
        rows = store.select(
            resource_query("members"), bindings={**bindings, "class": URIRef(cls)}
        ).rows
        return [
            (
                link(row["resource"], row.get("label"), row.get("fallback")),
                str(row["year"]) if row.get("year") is not None else None,
            )
            for row in rows
            if "resource" in row
        ]

    by_year: dict[str, list[Link]] = defaultdict(list)
    for study, year in members(SCHEMA + "Report"):
        by_year[year or "?"].append(study)
    departments = [
        link(row["resource"], row.get("label"), row.get("fallback"))
        for row in store.select(
            resource_query("scheme-members"),
            bindings={**bindings, "scheme": URIRef(mapper.base + DEPARTMENT_SCHEME)},
        ).rows
        if "resource" in row
    ]
    return Overview(
        classes=classes,
        studies_by_year=sorted(by_year.items(), reverse=True),
        departments=departments,
        organizations=[item for item, _ in members(SCHEMA + "Organization")],
        articles=[item for item, _ in members(SCHEMA + "BlogPosting")],
        totals={str(row["class"]): int(str(row["count"])) for row in counted},
    )
