"""SPARQL Update over HTTP: only with the configured bearer token; SERVICE and LOAD only when allowed.

A refused request changes nothing: every refusal test compares the store before and after.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from e2kg.config import Settings
from e2kg.store import open_store
from e2kg.web.app import create_app
from e2kg_testing import PROJECT, LiveServer, serving
from web.conftest import UPDATE_TOKEN

INSERT = "INSERT DATA { GRAPH <urn:test:g> { <urn:test:s> <urn:test:p> 'new' } }"
CLEAR = "CLEAR ALL"


def post_update(
    server: LiveServer, update: str, headers: dict[str, str] | None = None
) -> requests.Response:
    return requests.post(
        server.url + "/sparql", data={"update": update}, headers=headers or {}, timeout=10
    )


def snapshot(server: LiveServer) -> tuple[int, list[str]]:
    return server.store.triple_count(), [str(g) for g in server.store.graphs()]


class TestToken:
    def test_update_without_the_token_is_refused_and_changes_nothing(
        self, writable_server: LiveServer
    ) -> None:
        before = snapshot(writable_server)
        for update in (CLEAR, INSERT):
            response = post_update(writable_server, update)
            assert response.status_code == 401
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert "Authorization: Bearer" in response.json()["message"]
        direct = requests.post(
            writable_server.url + "/sparql",
            data=CLEAR.encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=10,
        )
        assert direct.status_code == 401
        assert snapshot(writable_server) == before

    @pytest.mark.parametrize(
        "header",
        [f"Bearer {UPDATE_TOKEN}x", "Bearer wrong", f"bearer {UPDATE_TOKEN[:-1]}"],
    )
    def test_a_wrong_token_is_403(self, writable_server: LiveServer, header: str) -> None:
        before = snapshot(writable_server)
        response = post_update(writable_server, CLEAR, {"Authorization": header})
        assert response.status_code == 403
        assert "not the update token" in response.json()["message"]
        assert snapshot(writable_server) == before

    def test_other_schemes_are_401(self, writable_server: LiveServer) -> None:
        response = post_update(writable_server, CLEAR, {"Authorization": f"Basic {UPDATE_TOKEN}"})
        assert response.status_code == 401

    def test_writes_are_off_without_a_configured_token(self, live_server: LiveServer) -> None:
        before = snapshot(live_server)
        response = post_update(live_server, CLEAR, {"Authorization": "Bearer anything"})
        assert response.status_code == 403
        assert "E2KG_UPDATE_TOKEN" in response.json()["message"]
        assert snapshot(live_server) == before

    def test_the_right_token_writes(self, writable_server: LiveServer) -> None:
        response = post_update(writable_server, INSERT, {"Authorization": f"Bearer {UPDATE_TOKEN}"})
        assert response.status_code == 204
        assert "urn:test:g" in snapshot(writable_server)[1]


AUTH = {"Authorization": f"Bearer {UPDATE_TOKEN}"}


class TestRemoteAccess:
    @pytest.mark.parametrize(
        "update",
        [
            "LOAD <http://example.org/data.ttl>",
            "LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <urn:test:g>",
            "load <http://example.org/data.ttl>",
            "PREFIX ex: <http://example.org/>\nLOAD ex:data.ttl",
            "# a comment\nCLEAR GRAPH <urn:x> ;\nLOAD <file:///etc/passwd>",
        ],
    )
    def test_load_is_refused(self, writable_server: LiveServer, update: str) -> None:
        before = snapshot(writable_server)
        response = post_update(writable_server, update, AUTH)
        assert response.status_code == 403
        body = response.json()
        assert body["error"] == "operation-refused"
        assert body["keyword"] == "LOAD"
        assert "E2KG_REMOTE_ALLOW" in body["message"]
        assert snapshot(writable_server) == before

    @pytest.mark.parametrize(
        "query",
        [
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            "SELECT * WHERE { service silent <http://example.org/sparql> { ?s ?p ?o } }",
            "SELECT * WHERE { ?x ?y ?z . SERVICE ?endpoint { ?s ?p ?o } }",
            "PREFIX ex: <http://example.org/>\nSELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }",
        ],
    )
    def test_service_is_refused(self, live_server: LiveServer, query: str) -> None:
        response = requests.get(live_server.url + "/sparql", params={"query": query}, timeout=10)
        assert response.status_code == 403
        assert response.json()["keyword"] == "SERVICE"

    def test_keywords_in_strings_comments_and_iris_do_not_count(
        self, writable_server: LiveServer
    ) -> None:
        update = (
            "# LOAD <http://example.org/x> and SERVICE <http://example.org/y>\n"
            "INSERT DATA { GRAPH <urn:test:LOAD> { <urn:test:SERVICE> <urn:test:p> "
            '\'LOAD <http://example.org/x>\', """SERVICE <http://example.org/y> { }""" } }'
        )
        response = post_update(writable_server, update, AUTH)
        assert response.status_code == 204, response.text
        query = "SELECT ?o WHERE { <urn:test:SERVICE> ?p ?o } # SERVICE <http://example.org/>"
        answer = requests.get(
            writable_server.url + "/sparql", params={"query": query, "format": "json"}, timeout=10
        )
        assert answer.status_code == 200
        assert len(answer.json()["results"]["bindings"]) == 2


@pytest.fixture
def federating_server() -> Iterator[LiveServer]:
    """A service whose allow-list admits 127.0.0.1, so SERVICE may call ``live_server``.

    Its own memory store is empty: whatever it answers came through SERVICE. (Not its own
    endpoint: the memory store holds its lock during a query, so calling itself would deadlock.)
    """
    store = open_store("memory")
    settings = Settings(store="memory", source_dir=PROJECT, remote_allow=("http://127.0.0.1:",))
    app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store, "TESTING": True})
    with serving(app) as url:
        yield LiveServer(url=url, store=store)
    store.close()


def test_the_allow_list_admits_service(
    federating_server: LiveServer, live_server: LiveServer
) -> None:
    query = (
        f"SELECT ?s WHERE {{ SERVICE <{live_server.url}/sparql> "
        "{ ?s a <http://schema.org/Report> } }"
    )
    response = requests.get(
        federating_server.url + "/sparql", params={"query": query, "format": "json"}, timeout=20
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert [row["s"]["value"] for row in rows] == ["https://w3id.org/e2kg/id/study/example-2012"]
    refused = requests.get(
        federating_server.url + "/sparql",
        params={"query": "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
        timeout=10,
    )
    assert refused.status_code == 403
    assert "http://127.0.0.1:" in refused.json()["message"]


def test_an_update_changes_the_etag_of_pages(writable_server: LiveServer) -> None:
    """Pages key their ETags on the dataset version; a SPARQL Update must move it."""
    page = writable_server.url + "/id/study/example-2012"
    before = requests.get(page, timeout=10)
    assert before.status_code == 200 and before.headers["ETag"]
    response = post_update(writable_server, INSERT, AUTH)
    assert response.status_code == 204
    after = requests.get(page, timeout=10)
    assert after.headers["ETag"] != before.headers["ETag"]
