"""Behaviour only the remote store has: read-only without update URL, unreachable endpoints,
timeouts, credentials on the wire."""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef

from e2kg.errors import QuerySyntaxError, QueryTimeout, ReadOnlyStore, StoreUnavailable
from e2kg.store import open_store
from e2kg.store.remote import RemoteStore

GRAPH = URIRef("https://w3id.org/e2kg/source/graph/studies.ttl")


@pytest.fixture
def read_only(oxigraph_server: Any) -> Iterator[RemoteStore]:
    """The server through a store without update URL, after a writable store put one triple in."""
    with open_store(oxigraph_server.query_url, update_url=oxigraph_server.update_url) as writer:
        writer.update("DROP ALL")
        writer.load(b'<http://x/a> <http://x/p> "eins" .', media_type="text/turtle", graph=GRAPH)
    store = open_store(oxigraph_server.query_url)
    assert isinstance(store, RemoteStore)
    yield store


def test_read_only_store_answers_reads(read_only: RemoteStore) -> None:
    assert read_only.writable is False
    assert read_only.select("SELECT ?o WHERE { ?s ?p ?o }").rows == [{"o": Literal("eins")}]
    assert read_only.graphs() == [GRAPH]
    assert b"eins" in b"".join(read_only.dump())


def test_read_only_store_refuses_every_write(read_only: RemoteStore) -> None:
    graph = Graph()
    writes = [
        lambda: read_only.update("DROP ALL"),
        lambda: read_only.load(
            b"<http://x/b> <http://x/p> 1 .", media_type="text/turtle", graph=GRAPH
        ),
        lambda: read_only.replace_graph(GRAPH, graph, media_type="text/turtle"),
        lambda: read_only.drop_graph(GRAPH),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyStore) as caught:
            write()
        assert caught.value.status == 403
        assert "read-only" in caught.value.message
    assert read_only.triple_count() == 1


def test_unreachable_endpoint_is_store_unavailable(unused_url: str) -> None:
    url = unused_url
    store = open_store(url, update_url=url, timeout=5)
    with pytest.raises(StoreUnavailable) as caught:
        store.ask("ASK { ?s ?p ?o }")
    assert url in caught.value.message
    with pytest.raises(StoreUnavailable):
        store.update("DROP ALL")


def test_a_wrong_path_is_store_unavailable(oxigraph_server: Any) -> None:
    store = open_store(f"{oxigraph_server.base}/no-such-endpoint")
    with pytest.raises(StoreUnavailable):
        store.ask("ASK { ?s ?p ?o }")


def test_engine_syntax_error_carries_its_message(oxigraph_server: Any) -> None:
    store = open_store(oxigraph_server.query_url)
    with pytest.raises(QuerySyntaxError) as caught:
        store.select("SELECT ?x WHERE { ?x ?y }")
    assert "1:" in caught.value.message
    assert caught.value.detail.get("line") == 1


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP listener on 127.0.0.1 that accepts and never answers, like a hung engine."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/query"


def test_a_hung_endpoint_times_out(silent_server: str) -> None:
    store = open_store(silent_server, timeout=1)
    with pytest.raises(QueryTimeout) as caught:
        store.ask("ASK { ?s ?p ?o }")
    assert caught.value.status == 503


class RecordingHandler(BaseHTTPRequestHandler):
    """Answers every POST with ``true`` and remembers the Authorization header."""

    seen: list[str | None] = []  # noqa: RUF012 - shared across the handler instances of one test

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        RecordingHandler.seen.append(self.headers.get("Authorization"))
        body = b'{"head":{},"boolean":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recording_server() -> Iterator[str]:
    RecordingHandler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_credentials_are_sent(recording_server: str) -> None:
    assert open_store(recording_server, username="ann", password="s3cret").ask("ASK {}") is True
    assert open_store(recording_server, bearer_token="tok-1").ask("ASK {}") is True
    assert open_store(recording_server).ask("ASK {}") is True
    basic = "Basic " + base64.b64encode(b"ann:s3cret").decode()
    assert RecordingHandler.seen == [basic, "Bearer tok-1", None]
