"""Read an uploaded study entry (Turtle, N-Triples, JSON-LD, RDF/XML) into an rdflib graph, safely.

Nothing is fetched while parsing: ``e2kg.store.parsing`` (shared with the Graph Store writes)
refuses a JSON-LD document whose ``@context`` names a remote document and an RDF/XML document with
a DTD (the way to external entities and entity bombs) before the parser sees them.
A syntax error becomes a ParseError with line and column.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from e2kg.errors import InputError, UnsupportedMediaType
from e2kg.parsing import new_graph
from e2kg.store.parsing import parse_quads
from e2kg.store.terms import to_rdflib

ENTRY_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "application/n-triples": "application/n-triples",
    "text/plain": "application/n-triples",
    "application/ld+json": "application/ld+json",
    "application/json": "application/ld+json",
    "application/rdf+xml": "application/rdf+xml",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}
"""Media types an entry may be sent as -> the one it is read as."""

FORMAT_NAMES: dict[str, str] = {
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "xml": "application/rdf+xml",
}
"""Values of the ``format`` form field."""

_ENTRY_GRAPH = URIRef("https://w3id.org/e2kg/submission/upload")


def entry_media_type(content_type: str | None, format_name: str | None = None) -> str:
    """The media type to read an entry as: from ``format`` if given, else from Content-Type."""
    if format_name:
        wanted = FORMAT_NAMES.get(format_name.strip().lower())
        wanted = wanted or ENTRY_MEDIA_TYPES.get(format_name.strip().lower())
        if wanted is None:
            raise UnsupportedMediaType(
                f"format {format_name!r} is not readable; use one of {', '.join(FORMAT_NAMES)}",
                detail={"supported": sorted(set(ENTRY_MEDIA_TYPES.values()))},
            )
        return wanted
    essence = (content_type or "").split(";", 1)[0].strip().lower()
    wanted = ENTRY_MEDIA_TYPES.get(essence)
    if wanted is None:
        raise UnsupportedMediaType(
            f"cannot read an entry sent as {essence or 'no Content-Type'}; send Turtle, "
            "N-Triples, JSON-LD or RDF/XML (text/turtle, application/n-triples, "
            "application/ld+json, application/rdf+xml)",
            detail={"supported": sorted(set(ENTRY_MEDIA_TYPES.values()))},
        )
    return wanted


def parse_entry(body: bytes, media_type: str) -> Graph:
    """The triples of ``body``; ParseError (line, column) or InputError when it is unusable."""
    if not body.strip():
        raise InputError("the entry is empty: send the study entry as the request body")
    graph = new_graph()
    for quad in parse_quads(body, media_type=media_type, graph=_ENTRY_GRAPH):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    if len(graph) == 0:
        raise InputError("the entry holds no triples")
    return graph
