"""The RDF description of a resource (what its RDF forms serve) and whether the graph knows it."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from e2kg.resources.binding import select_bound, with_rows
from e2kg.resources.queries import resource_query
from e2kg.store import Store


def describe(store: Store, iri: URIRef, *, hash_document: bool = False) -> Graph:
    """The triples about ``iri``: its own, and those of the blank nodes it points to.

    For a hash-namespace document (``hash_document``, e.g. ``.../def/core``) the description also
    holds every typed IRI of ``<document>#...`` (``document_members``), so that the document serves
    its terms.
    """
    graph = store.construct(resource_query("describe"), bindings={"resource": iri})
    if not hash_document:
        return graph
    members = document_members(store, iri)
    if members:
        # One query for every term (one VALUES row each): 24 queries took 18 ms at 100 k, this 4.
        rows = [{"resource": member} for member in members]
        graph += store.construct(with_rows(resource_query("describe"), rows))
    return graph


def document_members(store: Store, document: URIRef) -> list[URIRef]:
    """The typed IRIs ``<document>#...``: looked for in the graph(s) typing ``document`` (the
    ontology's own graph), and only if none holds any, among every typed IRI of the store."""
    namespace = Literal(str(document) + "#")
    rows = select_bound(
        store, resource_query("document-members"), {"document": document, "namespace": namespace}
    ).rows
    if not any("resource" in row for row in rows):
        rows = store.select(
            resource_query("namespace-members"), bindings={"namespace": namespace}
        ).rows
    return [member for row in rows if isinstance(member := row.get("resource"), URIRef)]


def exists(store: Store, iri: URIRef) -> bool:
    """Whether the graph has any triple with ``iri`` as subject or object."""
    return store.ask(resource_query("exists"), bindings={"resource": iri})
