"""Service description (GET /sparql for RDF clients), VoID at /.well-known/void, CORS."""

from __future__ import annotations

import warnings

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID

from e2kg_testing import LiveServer

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")],
)
def test_service_description(live_server: LiveServer, accept: str, rdflib_format: str) -> None:
    response = requests.get(live_server.url + "/sparql", headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph = Graph().parse(data=response.content, format=rdflib_format)
    endpoint = URIRef(live_server.url + "/sparql")
    service = graph.value(predicate=SD.endpoint, object=endpoint)
    assert service is not None and (service, RDF.type, SD.Service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # no token configured
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    dataset = graph.value(service, SD.defaultDataset)
    assert dataset == URIRef(live_server.url + "/.well-known/void#dataset")
    names = {graph.value(named, SD.name) for named in graph.objects(dataset, SD.namedGraph)}
    assert names == set(live_server.store.graphs())


def test_void(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/.well-known/void", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    dataset = URIRef(live_server.url + "/.well-known/void#dataset")
    assert (dataset, VOID.sparqlEndpoint, URIRef(live_server.url + "/sparql")) in graph
    total = graph.value(dataset, VOID.triples)
    assert total == Literal(live_server.store.triple_count())
    subsets = set(graph.objects(dataset, VOID.subset))
    assert subsets == set(live_server.store.graphs())
    for subset in subsets:
        assert graph.value(subset, VOID.triples) == Literal(
            live_server.store.triple_count(graph=URIRef(str(subset)))
        )


def test_cors_on_results_errors_and_preflight(live_server: LiveServer) -> None:
    url = live_server.url + "/sparql"
    answer = requests.get(
        url, params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"}, timeout=10
    )
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in answer.headers
    error = requests.get(url, params={"query": "ASK {"}, timeout=10)
    assert error.status_code == 400
    assert error.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(
        url,
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
