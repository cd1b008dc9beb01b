"""Server-side request forgery and local files: no query, update or upload makes the service
connect anywhere or read a file, whatever way the request hides it; each gets a clear 4xx.

A socket on 127.0.0.1 (the ``listener`` trap) records every connection: it must record none.
"""

from __future__ import annotations

import pytest
import requests

from conftest import AUTH, Listener, Service, assert_client_error, hostile

SECRET_FILE = "file:///etc/passwd"

QUERIES = {
    "service": "SELECT * WHERE { SERVICE <{trap}sparql> { ?s ?p ?o } }",
    "service-silent": "SELECT * WHERE { SERVICE SILENT <{trap}sparql> { ?s ?p ?o } }",
    "service-lowercase": "select * where { service <{trap}sparql> { ?s ?p ?o } }",
    "service-behind-comments": (
        "SELECT * WHERE { # SERVICE is not here\n SERVICE # but here\n <{trap}> { ?s ?p ?o } }"
    ),
    "service-after-string": (
        'SELECT * WHERE { BIND("} SERVICE <x> {" AS ?x) SERVICE <{trap}> { ?s ?p ?o } }'
    ),
    "service-prefixed": "PREFIX t: <{trap}> SELECT * WHERE { SERVICE t:sparql { ?s ?p ?o } }",
    "service-relative-to-base": "BASE <{trap}> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "service-variable": (
        "SELECT * WHERE { BIND(<{trap}> AS ?endpoint) SERVICE ?endpoint { ?s ?p ?o } }"
    ),
    "service-file": "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    "service-nested": (
        "SELECT * WHERE { { SELECT * WHERE { OPTIONAL { SERVICE <{trap}> { ?s ?p ?o } } } } }"
    ),
}

FETCHING_DATASETS = {
    "from": "SELECT * FROM <{trap}from> WHERE { ?s ?p ?o } LIMIT 1",
    "from-named": "SELECT * FROM NAMED <{trap}named> WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
    "from-file": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o } LIMIT 1",
}

UPDATES = {
    "load-file": "LOAD <file:///etc/passwd>",
    "load-file-into": "LOAD SILENT <file:///etc/passwd> INTO GRAPH <urn:e2kg:test:stolen>",
    "load-trap": "LOAD <{trap}data.ttl> INTO GRAPH <urn:e2kg:test:stolen>",
    "load-lowercase": "load <{trap}data.ttl>",
    "load-prefixed": "PREFIX t: <{trap}> LOAD t:data.ttl",
    "load-behind-comment": "#LOAD\nINSERT DATA { <urn:a> <urn:b> 'c' } ;\n LOAD <{trap}x>",
    "service-in-update": (
        "INSERT { GRAPH <urn:e2kg:test:stolen> { ?s ?p ?o } } "
        "WHERE { SERVICE <{trap}> { ?s ?p ?o } }"
    ),
}
USING_TRAP = (
    "INSERT { GRAPH <urn:e2kg:test:stolen> { ?s ?p ?o } } USING <{trap}using> WHERE { ?s ?p ?o }"
)


def fill(text: str, trap: Listener) -> str:
    return text.replace("{trap}", trap.url)


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_service_in_a_query_is_refused_without_a_connection(
    service: Service, listener: Listener, name: str, how: str
) -> None:
    query = fill(QUERIES[name], listener)
    if how == "get":
        response = requests.get(service.url + "/sparql", params={"query": query}, timeout=30)
    elif how == "form":
        response = requests.post(service.url + "/sparql", data={"query": query}, timeout=30)
    else:
        response = requests.post(
            service.url + "/sparql",
            data=query.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query"},
            timeout=30,
        )
    body = assert_client_error(response, 403)
    assert body["error"] == "operation-refused"
    assert "SERVICE" in str(body["message"]) and "E2KG_REMOTE_ALLOW" in str(body["message"])
    assert listener.connections == []


def test_the_word_service_inside_a_string_or_comment_is_not_refused(service: Service) -> None:
    query = 'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/> LOAD" AS ?x) } # SERVICE <x>'
    response = requests.get(
        service.url + "/sparql", params={"query": query, "format": "json"}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["x"]["value"].startswith("SERVICE")


@pytest.mark.parametrize("name", sorted(FETCHING_DATASETS))
def test_a_dataset_naming_a_remote_graph_reads_no_remote_graph(
    service: Service, listener: Listener, name: str
) -> None:
    """FROM / FROM NAMED name graphs of the store; they are never fetched (rdflib would)."""
    query = fill(FETCHING_DATASETS[name], listener)
    response = requests.get(
        service.url + "/sparql", params={"query": query, "format": "json"}, timeout=30
    )
    assert response.status_code in (200, 400, 403), response.text
    if response.status_code == 200:
        assert response.json()["results"]["bindings"] == []
    assert listener.connections == []
    graph = requests.get(
        service.url + "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": listener.url},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert graph.status_code in (200, 400, 403)
    if graph.status_code == 200:
        assert graph.json()["results"]["bindings"] == []
    assert listener.connections == []


@pytest.mark.parametrize("name", sorted(UPDATES))
@pytest.mark.parametrize("how", ["form", "direct"])
def test_load_and_service_in_an_update_are_refused_and_change_nothing(
    service: Service, listener: Listener, name: str, how: str
) -> None:
    update = fill(UPDATES[name], listener)
    before = service.content()
    if how == "form":
        response = requests.post(
            service.url + "/sparql", data={"update": update}, headers=AUTH, timeout=30
        )
    else:
        response = requests.post(
            service.url + "/sparql",
            data=update.encode("utf-8"),
            headers={**AUTH, "Content-Type": "application/sparql-update"},
            timeout=30,
        )
    body = assert_client_error(response, 403)
    assert body["error"] == "operation-refused", body
    assert listener.connections == []
    assert service.content() == before
    assert "root:" not in response.text


def test_using_a_remote_graph_reads_the_store_graph_of_that_name_only(
    service: Service, listener: Listener
) -> None:
    """USING <iri> / using-graph-uri name graphs of the store (empty here): nothing is fetched."""
    before = service.content()
    for data, params in (
        ({"update": fill(USING_TRAP, listener)}, {}),
        (
            {
                "update": "INSERT { GRAPH <urn:e2kg:test:stolen> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
                "using-graph-uri": listener.url,
            },
            {},
        ),
    ):
        response = requests.post(
            service.url + "/sparql", data=data, params=params, headers=AUTH, timeout=30
        )
        assert response.status_code in (204, 400, 403), response.text
    assert listener.connections == []
    assert service.content() == before


UPLOADS = [
    ("xxe.rdf", "application/rdf+xml"),
    ("billion-laughs.rdf", "application/rdf+xml"),
    ("remote-context.jsonld", "application/ld+json"),
    ("nested-remote-context.jsonld", "application/ld+json"),
]
WRITE_PATHS = [
    ("POST", "/validate", False),
    ("POST", "/studies", True),
    ("PUT", "/store?graph=urn:e2kg:test:upload", True),
    ("POST", "/store?graph=urn:e2kg:test:upload", True),
]


@pytest.mark.parametrize(("method", "path", "needs_token"), WRITE_PATHS)
@pytest.mark.parametrize(("name", "media_type"), UPLOADS)
def test_uploads_that_would_fetch_or_expand_entities_are_refused(
    service: Service,
    listener: Listener,
    method: str,
    path: str,
    needs_token: bool,
    name: str,
    media_type: str,
) -> None:
    before = service.content()
    response = requests.request(
        method,
        service.url + path,
        data=hostile(name, trap=listener.url),
        headers={"Content-Type": media_type, **(AUTH if needs_token else {})},
        timeout=30,
    )
    body = assert_client_error(response, 400)
    assert body.get("reason") in ("xml-dtd", "remote-context"), body
    assert listener.connections == []
    assert service.content() == before
    assert "root:" not in response.text and "lollollol" not in response.text


def test_the_same_refusal_through_the_form_upload_of_the_study_page(
    service: Service, listener: Listener
) -> None:
    before = service.content()
    response = requests.post(
        service.url + "/studies/new",
        data={"tab": "rdf", "format": "rdfxml", "data": hostile("xxe.rdf", trap=listener.url)},
        timeout=30,
    )
    assert response.status_code == 400, response.text[:300]
    assert "DTD" in response.text
    assert listener.connections == []
    assert service.content() == before


@pytest.mark.parametrize(("method", "path"), [("POST", "/validate"), ("POST", "/studies")])
def test_turtle_base_and_prefix_tricks_are_only_iris(
    service: Service, listener: Listener, method: str, path: str
) -> None:
    """``@base <file:///etc/>`` and a prefix at the trap make IRIs; nothing is read or fetched."""
    before = service.content()
    response = requests.request(
        method,
        service.url + path,
        data=hostile("base-trick.ttl", trap=listener.url),
        headers={"Content-Type": "text/turtle", **AUTH},
        params={"dry-run": "1"},
        timeout=30,
    )
    assert response.status_code in (200, 400, 409, 422), response.text
    assert "root:" not in response.text
    assert listener.connections == []
    assert service.content() == before


def test_turtle_tricks_stored_through_the_graph_store_are_plain_iris(
    service: Service, listener: Listener
) -> None:
    graph = "urn:e2kg:test:base-trick"
    response = requests.put(
        service.url + "/store",
        params={"graph": graph},
        data=hostile("base-trick.ttl", trap=listener.url),
        headers={"Content-Type": "text/turtle", **AUTH},
        timeout=30,
    )
    assert response.status_code in (201, 204, 422), response.text
    assert listener.connections == []
    if response.status_code != 422:
        stored = requests.get(
            service.url + "/store",
            params={"graph": graph},
            headers={"Accept": "application/n-triples"},
            timeout=30,
        ).text
        assert "<file:///etc/passwd>" in stored and "<file:///shadow>" in stored
        assert "root:" not in stored
        assert requests.delete(
            service.url + "/store", params={"graph": graph}, headers=AUTH, timeout=30
        ).status_code in (204, 422)
    assert listener.connections == []


def test_insert_data_with_local_iris_stores_iris_not_contents(
    service: Service, listener: Listener
) -> None:
    before = service.content()
    graph = "urn:e2kg:test:insert-iris"
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <{SECRET_FILE}> <{listener.url}p> <{listener.url}o> }} }}"
    response = requests.post(
        service.url + "/sparql", data={"update": update}, headers=AUTH, timeout=30
    )
    assert response.status_code in (204, 422), response.text
    assert listener.connections == []
    if response.status_code == 204:
        assert any(SECRET_FILE in line for line in service.content() - before)
        assert not any("root:" in line for line in service.content())
        requests.post(
            service.url + "/sparql",
            data={"update": f"DROP GRAPH <{graph}>"},
            headers=AUTH,
            timeout=30,
        )
    assert service.content() == before
