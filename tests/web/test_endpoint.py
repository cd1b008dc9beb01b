"""The web application over real HTTP: home page, /sparql with content negotiation, /healthz, errors.

Clients are real ones -- requests and SPARQLWrapper -- against a server on 127.0.0.1.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree

import pytest
import requests
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from e2kg_testing import LiveServer

GRAPHS_QUERY = "SELECT ?graph WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"
STUDIES_QUERY = "SELECT ?study WHERE { ?study a <http://schema.org/Report> }"
STUDIES_GRAPH = (
    "CONSTRUCT { ?study a <http://schema.org/Report> } "  # one triple per study
    "WHERE { ?study a <http://schema.org/Report> }"
)
SCHEMA = Namespace("http://schema.org/")
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML_NS = "{http://www.w3.org/2005/sparql-results#}"


def store_graphs(live_server: LiveServer) -> list[str]:
    return [str(graph) for graph in live_server.store.graphs()]


class TestHomeAndHealth:
    def test_home_page_shows_what_the_graph_holds(self, live_server: LiveServer) -> None:
        response = requests.get(live_server.url + "/", timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")
        count = live_server.store.triple_count()
        assert f'data-count="{count}">{count}</strong>' in response.text
        for graph in store_graphs(live_server):
            assert f"<code>{graph}</code>" in response.text
        assert 'href="/sparql"' in response.text

    def test_healthz_reports_the_store(self, live_server: LiveServer) -> None:
        response = requests.get(live_server.url + "/healthz", timeout=10)
        assert response.status_code == 200
        assert response.json() == {
            "status": "ok",
            "store": {"backend": "memory", "reachable": True, "writable": True},
        }

    def test_unknown_path_is_404_as_json_or_html(self, live_server: LiveServer) -> None:
        as_json = requests.get(live_server.url + "/nothing-here", timeout=10)
        assert as_json.status_code == 404
        assert as_json.json()["error"] == "not-found"
        as_html = requests.get(
            live_server.url + "/nothing-here",
            headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
            timeout=10,
        )
        assert as_html.status_code == 404
        assert as_html.headers["Content-Type"].startswith("text/html")
        assert "404: not-found" in as_html.text


class TestSparqlProtocol:
    def test_get_with_json_results(self, live_server: LiveServer) -> None:
        response = requests.get(
            live_server.url + "/sparql",
            params={"query": GRAPHS_QUERY},
            headers={"Accept": SPARQL_JSON},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(SPARQL_JSON)
        bindings = response.json()["results"]["bindings"]
        assert [row["graph"]["value"] for row in bindings] == store_graphs(live_server)

    def test_post_form_with_csv_results(self, live_server: LiveServer) -> None:
        response = requests.post(
            live_server.url + "/sparql",
            data={"query": GRAPHS_QUERY},
            headers={"Accept": "text/csv"},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["graph"]
        assert [row[0] for row in rows[1:]] == store_graphs(live_server)

    def test_post_direct_with_tsv_results(self, live_server: LiveServer) -> None:
        response = requests.post(
            live_server.url + "/sparql",
            data=STUDIES_QUERY.encode(),
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": "text/tab-separated-values",
            },
            timeout=10,
        )
        assert response.status_code == 200
        assert response.text.splitlines() == [
            "?study",
            "<https://w3id.org/e2kg/id/study/example-2012>",
        ]

    def test_ask_as_xml(self, live_server: LiveServer) -> None:
        response = requests.get(
            live_server.url + "/sparql",
            params={"query": "ASK { ?s a <http://schema.org/Report> }"},
            headers={"Accept": "application/sparql-results+xml"},
            timeout=10,
        )
        assert response.status_code == 200
        root = ElementTree.fromstring(response.content)
        boolean = root.find(f"{SPARQL_XML_NS}boolean")
        assert boolean is not None and boolean.text == "true"

    @pytest.mark.parametrize(
        ("accept", "rdflib_format"),
        [
            ("text/turtle", "turtle"),
            ("application/n-triples", "nt"),
        ],
    )
    def test_construct_by_accept(
        self, live_server: LiveServer, accept: str, rdflib_format: str
    ) -> None:
        response = requests.get(
            live_server.url + "/sparql",
            params={"query": STUDIES_GRAPH},
            headers={"Accept": accept},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(accept)
        graph = Graph().parse(data=response.content, format=rdflib_format)
        assert {str(subject) for subject in graph.subjects()} == {
            "https://w3id.org/e2kg/id/study/example-2012"
        }

    def test_construct_as_json_ld(self, live_server: LiveServer) -> None:
        response = requests.get(
            live_server.url + "/sparql",
            params={"query": STUDIES_GRAPH},
            headers={"Accept": "application/ld+json"},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/ld+json")
        document = response.json()
        nodes = document if isinstance(document, list) else document.get("@graph", [document])
        assert [node["@id"] for node in nodes] == ["https://w3id.org/e2kg/id/study/example-2012"]

    def test_format_parameter_overrides_accept(self, live_server: LiveServer) -> None:
        response = requests.get(
            live_server.url + "/sparql",
            params={"query": STUDIES_QUERY, "format": "json"},
            headers={"Accept": "text/csv"},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.json()["head"]["vars"] == ["study"]

    def test_syntax_error_is_400_with_the_parser_message(self, live_server: LiveServer) -> None:
        response = requests.get(
            live_server.url + "/sparql", params={"query": "SELECT ?x WHERE {"}, timeout=10
        )
        assert response.status_code == 400
        body = response.json()
        assert body["error"] == "query-syntax"
        assert "line" in body["message"]

    def test_nothing_acceptable_is_406_listing_the_types(self, live_server: LiveServer) -> None:
        response = requests.get(
            live_server.url + "/sparql",
            params={"query": STUDIES_QUERY},
            headers={"Accept": "image/png"},
            timeout=10,
        )
        assert response.status_code == 406
        assert SPARQL_JSON in response.json()["supported"]

    def test_wrong_body_type_is_415(self, live_server: LiveServer) -> None:
        response = requests.post(
            live_server.url + "/sparql",
            data=STUDIES_QUERY.encode(),
            headers={"Content-Type": "text/plain"},
            timeout=10,
        )
        assert response.status_code == 415
        assert response.json()["error"] == "unsupported-media-type"

    def test_missing_query_is_400_for_programs_and_a_form_for_browsers(
        self, live_server: LiveServer
    ) -> None:
        assert requests.get(live_server.url + "/sparql", timeout=10).status_code == 400
        page = requests.get(
            live_server.url + "/sparql", headers={"Accept": "text/html"}, timeout=10
        )
        assert page.status_code == 200
        assert '<textarea name="query"' in page.text

    def test_two_queries_are_refused(self, live_server: LiveServer) -> None:
        response = requests.get(
            live_server.url + "/sparql",
            params=[("query", STUDIES_QUERY), ("query", STUDIES_QUERY)],
            timeout=10,
        )
        assert response.status_code == 400
        assert "exactly one" in response.json()["message"]


class TestSparqlWrapperClient:
    def client(self, live_server: LiveServer, query: str, return_format: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(live_server.url + "/sparql")
        wrapper.setQuery(query)
        wrapper.setReturnFormat(return_format)
        return wrapper

    def test_json(self, live_server: LiveServer) -> None:
        result = self.client(live_server, GRAPHS_QUERY, JSON).queryAndConvert()
        assert isinstance(result, dict)
        graphs = [row["graph"]["value"] for row in result["results"]["bindings"]]
        assert graphs == store_graphs(live_server)

    def test_xml(self, live_server: LiveServer) -> None:
        document = self.client(live_server, STUDIES_QUERY, XML).queryAndConvert()
        uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]  # type: ignore[union-attr]
        assert uris == ["https://w3id.org/e2kg/id/study/example-2012"]

    def test_csv(self, live_server: LiveServer) -> None:
        raw = self.client(live_server, STUDIES_QUERY, CSV).queryAndConvert()
        assert isinstance(raw, bytes)
        assert raw.decode().splitlines() == ["study", "https://w3id.org/e2kg/id/study/example-2012"]

    def test_turtle(self, live_server: LiveServer) -> None:
        raw = self.client(live_server, STUDIES_GRAPH, TURTLE).queryAndConvert()
        graph = Graph().parse(data=raw, format="turtle")
        assert len(graph) == 1

    def test_post(self, live_server: LiveServer) -> None:
        wrapper = self.client(live_server, STUDIES_QUERY, JSON)
        wrapper.setMethod("POST")
        result = wrapper.queryAndConvert()
        assert isinstance(result, dict)
        assert len(result["results"]["bindings"]) == 1


def test_json_error_body_is_json(live_server: LiveServer) -> None:
    response = requests.post(live_server.url + "/sparql", data={"update": "CLEAR ALL"}, timeout=10)
    assert response.status_code == 403
    assert json.loads(response.text)["error"] == "forbidden"


class TestRdflibSparqlStore:
    """rdflib's SPARQLStore reads the graph through the endpoint like a local graph."""

    def graph(self, live_server: LiveServer, method: str) -> Graph:
        store = SPARQLStore(live_server.url + "/sparql", method=method)
        return Graph(store=store)

    @pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
    def test_triples_and_queries(self, live_server: LiveServer, method: str) -> None:
        graph = self.graph(live_server, method)
        reports = set(graph.subjects(RDF.type, SCHEMA.Report))
        assert reports == {URIRef("https://w3id.org/e2kg/id/study/example-2012")}
        assert len(graph) == live_server.store.triple_count()
        rows = list(graph.query(STUDIES_QUERY))
        assert [str(row[0]) for row in rows] == ["https://w3id.org/e2kg/id/study/example-2012"]  # type: ignore[index]
        assert graph.query("ASK { ?s a <http://schema.org/Report> }").askAnswer is True

    def test_construct(self, live_server: LiveServer) -> None:
        result = self.graph(live_server, "GET").query(STUDIES_GRAPH)
        assert result.graph is not None and len(result.graph) == 1
