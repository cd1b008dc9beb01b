"""The RDF forms of a resource: media types on offer, their ``format=`` names and serialisation."""

from __future__ import annotations

from rdflib import Graph

HTML = "text/html"

RDF_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
"""RDF media type -> rdflib serializer name."""

OFFERED = (HTML, *RDF_MEDIA_TYPES)
"""Media types a resource is offered in, the default first."""

ALIASES = {
    "application/xhtml+xml": HTML,
    "application/x-turtle": "text/turtle",
    "application/json": "application/ld+json",
    "text/plain": "application/n-triples",
    "application/xml": "application/rdf+xml",
}
"""Media types clients send that stand for one on offer."""

FORMAT_NAMES = {
    "html": HTML,
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "xml": "application/rdf+xml",
}
"""Values of ``format=`` and file suffixes."""

SUFFIXES = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
}
"""The suffix of each RDF form (``/id/study/x.ttl``)."""

PREFIXES = {
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "qb": "http://purl.org/linked-data/cube#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dct": "http://purl.org/dc/terms/",
    "cito": "http://purl.org/spar/cito/",
    "fabio": "http://purl.org/spar/fabio/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
    "e2kg": "https://w3id.org/e2kg/def/core#",
}


def serialise(graph: Graph, media_type: str) -> bytes:
    """``graph`` in the RDF ``media_type`` (one of RDF_MEDIA_TYPES), UTF-8."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    data = graph.serialize(format=RDF_MEDIA_TYPES[media_type], encoding="utf-8")
    return data
