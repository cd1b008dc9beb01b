"""The Graph Store HTTP Protocol at /store: reads for everyone, writes with the update token."""

from __future__ import annotations

import requests
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from e2kg_testing import LiveServer
from web.conftest import UPDATE_TOKEN

STUDIES = "https://w3id.org/e2kg/source/graph/studies.ttl"
AUTH = {"Authorization": f"Bearer {UPDATE_TOKEN}"}
NEW = "urn:test:new-graph"
TURTLE = b"<urn:test:s> <urn:test:p> 'one', 'two' ."


def store_url(server: LiveServer) -> str:
    return server.url + "/store"


class TestRead:
    def test_get_a_named_graph(self, live_server: LiveServer) -> None:
        response = requests.get(
            store_url(live_server),
            params={"graph": STUDIES},
            headers={"Accept": "text/turtle"},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/turtle")
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        served = Graph().parse(data=response.content, format="turtle")
        expected = live_server.store.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{STUDIES}> {{ ?s ?p ?o }} }}"
        )
        assert len(served) == live_server.store.triple_count(graph=URIRef(STUDIES))
        assert isomorphic(served, expected)

    def test_get_the_default_graph_is_the_union(self, live_server: LiveServer) -> None:
        response = requests.get(
            store_url(live_server),
            params={"default": ""},
            headers={"Accept": "application/n-triples"},
            timeout=10,
        )
        assert response.status_code == 200
        lines = {line for line in response.text.splitlines() if line.strip()}
        assert len(lines) == len(
            live_server.store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        )

    def test_get_the_dataset_keeps_graph_names(self, live_server: LiveServer) -> None:
        response = requests.get(
            store_url(live_server), headers={"Accept": "application/n-quads"}, timeout=10
        )
        assert response.status_code == 200
        assert f"<{STUDIES}>" in response.text

    def test_head(self, live_server: LiveServer) -> None:
        response = requests.head(store_url(live_server), params={"graph": STUDIES}, timeout=10)
        assert response.status_code == 200
        assert response.content == b""

    def test_unknown_graph_is_404(self, live_server: LiveServer) -> None:
        response = requests.get(store_url(live_server), params={"graph": NEW}, timeout=10)
        assert response.status_code == 404
        assert NEW in response.json()["message"]

    def test_unacceptable_type_is_406(self, live_server: LiveServer) -> None:
        response = requests.get(
            store_url(live_server),
            params={"graph": STUDIES},
            headers={"Accept": "image/png"},
            timeout=10,
        )
        assert response.status_code == 406
        assert "text/turtle" in response.json()["supported"]


class TestWrite:
    def test_writes_need_the_token(self, writable_server: LiveServer) -> None:
        before = writable_server.store.triple_count()
        for method in ("PUT", "POST", "DELETE"):
            response = requests.request(
                method,
                store_url(writable_server),
                params={"graph": STUDIES},
                data=TURTLE,
                headers={"Content-Type": "text/turtle"},
                timeout=10,
            )
            assert response.status_code == 401, method
        wrong = requests.delete(
            store_url(writable_server),
            params={"graph": STUDIES},
            headers={"Authorization": "Bearer nope"},
            timeout=10,
        )
        assert wrong.status_code == 403
        assert writable_server.store.triple_count() == before

    def test_put_post_get_delete(self, writable_server: LiveServer) -> None:
        url = store_url(writable_server)
        headers = {**AUTH, "Content-Type": "text/turtle"}
        created = requests.put(url, params={"graph": NEW}, data=TURTLE, headers=headers, timeout=10)
        assert created.status_code == 201
        replaced = requests.put(
            url,
            params={"graph": NEW},
            data=b"<urn:test:s> <urn:test:p> 'three' .",
            headers=headers,
            timeout=10,
        )
        assert replaced.status_code == 204
        assert writable_server.store.triple_count(graph=URIRef(NEW)) == 1
        added = requests.post(url, params={"graph": NEW}, data=TURTLE, headers=headers, timeout=10)
        assert added.status_code == 204
        assert writable_server.store.triple_count(graph=URIRef(NEW)) == 3
        read = requests.get(
            url, params={"graph": NEW}, headers={"Accept": "text/turtle"}, timeout=10
        )
        assert len(Graph().parse(data=read.content, format="turtle")) == 3
        deleted = requests.delete(url, params={"graph": NEW}, headers=AUTH, timeout=10)
        assert deleted.status_code == 204
        assert URIRef(NEW) not in writable_server.store.graphs()
        again = requests.delete(url, params={"graph": NEW}, headers=AUTH, timeout=10)
        assert again.status_code == 404

    def test_bad_documents_change_nothing(self, writable_server: LiveServer) -> None:
        url = store_url(writable_server)
        before = writable_server.store.triple_count(graph=URIRef(STUDIES))
        broken = requests.put(
            url,
            params={"graph": STUDIES},
            data=b"<urn:a> <urn:b> .",
            headers={**AUTH, "Content-Type": "text/turtle"},
            timeout=10,
        )
        assert broken.status_code == 400
        unknown = requests.put(
            url,
            params={"graph": STUDIES},
            data=TURTLE,
            headers={**AUTH, "Content-Type": "text/plain"},
            timeout=10,
        )
        assert unknown.status_code == 415
        assert writable_server.store.triple_count(graph=URIRef(STUDIES)) == before

    def test_the_default_graph_is_read_only(self, writable_server: LiveServer) -> None:
        response = requests.put(
            store_url(writable_server),
            params={"default": ""},
            data=TURTLE,
            headers={**AUTH, "Content-Type": "text/turtle"},
            timeout=10,
        )
        assert response.status_code == 405
        assert "named graph" in response.json()["message"]
