"""The RDF description of a resource (what its RDF forms serve) and whether the graph knows it."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from e2kg.resources.queries import resource_query
from e2kg.store import Store


def describe(store: Store, iri: URIRef, *, hash_document: bool = False) -> Graph:
    """The triples about ``iri``: its own, and those of the blank nodes it points to.

    For a hash-namespace document (``hash_document``, e.g. ``.../def/core``) the description also
    holds every typed IRI of ``<document>#...``, so that the document serves its terms.
    """
    graph = store.construct(resource_query("describe"), bindings={"resource": iri})
    if not hash_document:
        return graph
    members = store.select(
        resource_query("namespace-members"), bindings={"namespace": Literal(str(iri) + "#")}
    ).rows
    for row in members:
        member = row.get("resource")
        if isinstance(member, URIRef):
            graph += store.construct(resource_query("describe"), bindings={"resource": member})
    return graph


def exists(store: Store, iri: URIRef) -> bool:
    """Whether the graph has any triple with ``iri`` as subject or object."""
    return store.ask(resource_query("exists"), bindings={"resource": iri})
