"""Machine-readable descriptions: the SPARQL 1.1 Service Description and the VoID dataset description.

The service description answers a GET on /sparql without a query from an RDF client; VoID is at
``/.well-known/void`` (RFC 5785 / VoID section 7) and the service description links to it. Both are
small graphs built here and serialised in the negotiated RDF type.
"""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from e2kg.errors import NotAcceptable
from e2kg.web.context import get_settings, get_store, read_web_query
from e2kg.web.cors import allow_cross_origin
from e2kg.web.negotiation import RDF_DOCUMENT_TYPES, best_match, with_charset

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

RDFLIB_FORMAT = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "N-Quads",
    "TriG",
    "JSON-LD",
    "RDF_XML",
)
"""W3C format IRIs (http://www.w3.org/ns/formats/) of what the endpoint answers in."""

blueprint = Blueprint("description", __name__)
blueprint.after_request(allow_cross_origin)


def void_iri() -> URIRef:
    """The IRI of the dataset that VoID describes."""
    return URIRef(url_for("description.void", _external=True) + "#dataset")


def service_description() -> Graph:
    """The SPARQL 1.1 Service Description of /sparql."""
    graph = Graph(bind_namespaces="core")
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS)
    endpoint = URIRef(url_for("sparql.endpoint", _external=True))
    service = URIRef(str(endpoint) + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, endpoint))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if get_settings().update_token is not None and get_store().writable:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if get_settings().remote_allow:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for name in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    dataset = void_iri()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDFS.seeAlso, URIRef(url_for("description.void", _external=True))))
    default_graph = BNode()
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    total = 0
    for name, triples, _ in graph_sizes():
        total += triples
        named = BNode()
        described = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, name))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(triples, datatype=XSD.integer)))
    graph.add((default_graph, VOID.triples, Literal(total, datatype=XSD.integer)))
    return graph


def void_description() -> Graph:
    """The VoID description: the dataset, its SPARQL endpoint, one subset per named graph."""
    graph = Graph(bind_namespaces="core")
    graph.bind("void", VOID)
    graph.bind("dcterms", DCTERMS)
    settings = get_settings()
    dataset = void_iri()
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add(
        (
            dataset,
            DCTERMS.title,
            Literal("e2kg: Enterprise 2.0 / Social Business research", lang="en"),
        )
    )
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(url_for("sparql.endpoint", _external=True))))
    graph.add((dataset, VOID.uriSpace, Literal(settings.base_iri + "id/")))
    graph.add((dataset, VOID.dataDump, URIRef(url_for("graph_store.graph_store", _external=True))))
    total = 0
    for name, triples, subjects in graph_sizes():
        total += triples
        subset = URIRef(str(name))
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, Literal(triples, datatype=XSD.integer)))
        graph.add((subset, VOID.distinctSubjects, Literal(subjects, datatype=XSD.integer)))
    graph.add((dataset, VOID.triples, Literal(total, datatype=XSD.integer)))
    return graph


def graph_sizes() -> list[tuple[URIRef, int, int]]:
    """(graph name, triples, distinct subjects) of every named graph."""
    rows = get_store().select(read_web_query("graph-sizes.rq")).rows
    return [
        (URIRef(str(row["graph"])), int(str(row["triples"])), int(str(row["subjects"])))
        for row in rows
    ]


def rdf_response(graph: Graph, media_type: str) -> Response:
    """``graph`` serialised as ``media_type``."""
    body = graph.serialize(format=RDFLIB_FORMAT[media_type], encoding="utf-8")
    response = Response(body, content_type=with_charset(media_type))
    response.headers["Vary"] = "Accept"
    return response


def negotiate_rdf() -> str:
    """The RDF type the client prefers for a description; 406 when it accepts none."""
    chosen = best_match(
        request.accept_mimetypes,
        RDF_DOCUMENT_TYPES,
        {"application/json": "application/ld+json", "text/html": "text/turtle"},
    )
    if chosen is None:
        raise NotAcceptable(
            f"a description is available as {', '.join(RDF_DOCUMENT_TYPES)}",
            detail={"supported": list(RDF_DOCUMENT_TYPES)},
        )
    return chosen


@blueprint.route("/.well-known/void", methods=["GET", "HEAD"])
def void() -> Response:
    """The VoID description of the dataset."""
    return rdf_response(void_description(), negotiate_rdf())
