"""Documentation of the vocabulary and the shapes: every class and property of the ontology with
label, comment, domain, range and super term, and the shapes that constrain it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Literal

from e2kg.resources.iris import IriMapper
from e2kg.resources.labels import term_label
from e2kg.resources.pages import Link
from e2kg.resources.queries import resource_query
from e2kg.store import Store

OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"


@dataclass(frozen=True)
class ShapeDoc:
    """One shape: what it targets or constrains, severity, name and message."""

    shape: Link
    target: Link | None
    path: Link | None
    severity: str
    message: str


@dataclass(frozen=True)
class TermDoc:
    """One class or property of the ontology."""

    term: Link
    is_class: bool
    comment: str
    domains: list[Link]
    ranges: list[Link]
    parents: list[Link]
    shapes: list[ShapeDoc]


def _link(mapper: IriMapper, iri: str, label: str | None, language: str) -> Link:
    return Link(iri, label or term_label(iri, language), mapper.local_path(iri) or iri)


def shape_docs(store: Store, mapper: IriMapper, language: str) -> list[ShapeDoc]:
    """Every shape of the loaded shapes files."""
    rows = store.select(resource_query("shapes"), bindings={"language": Literal(language)}).rows
    docs = []
    for row in rows:
        target, path = row.get("targetClass"), row.get("path")
        docs.append(
            ShapeDoc(
                shape=_link(
                    mapper, str(row["shape"]), str(row.get("name") or "") or None, language
                ),
                target=_link(mapper, str(target), None, language) if target else None,
                path=_link(mapper, str(path), None, language) if path else None,
                severity=term_label(str(row.get("severity") or ""), language)
                if row.get("severity")
                else "",
                message=str(row.get("message") or row.get("fallback") or ""),
            )
        )
    return docs


def term_docs(store: Store, mapper: IriMapper, language: str) -> list[TermDoc]:
    """Every class and property declared in the ontology, with the shapes that constrain it."""
    shapes = shape_docs(store, mapper, language)
    by_term: dict[str, list[ShapeDoc]] = defaultdict(list)
    for shape in shapes:
        for constrained in (shape.target, shape.path):
            if constrained is not None:
                by_term[constrained.iri].append(shape)
    rows = store.select(
        resource_query("ontology-terms"), bindings={"language": Literal(language)}
    ).rows

    def links(text: object) -> list[Link]:
        return [_link(mapper, iri, None, language) for iri in str(text or "").split()]

    docs = []
    for row in rows:
        iri = str(row["term"])
        if not iri.startswith(mapper.base):
            continue
        docs.append(
            TermDoc(
                term=_link(mapper, iri, str(row.get("label") or "") or None, language),
                is_class=str(row["kind"]) == OWL_CLASS,
                comment=str(row.get("comment") or ""),
                domains=links(row.get("domains")),
                ranges=links(row.get("ranges")),
                parents=links(row.get("parents")),
                shapes=by_term.get(iri, []),
            )
        )
    return docs
