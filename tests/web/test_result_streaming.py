"""/sparql results over real HTTP: small ones in one piece, big ones streamed, errors never a quiet cut.

The app runs on an embedded store of 100,000 rows with queries in process, served by a real
threaded server on 127.0.0.1; the client is ``requests``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

import pytest
import requests
from rdflib import URIRef

from e2kg.config import Settings
from e2kg.store import open_store
from e2kg.store import oxigraph as oxigraph_module
from e2kg.store.streaming import SMALL_RESULT_BYTES
from e2kg.web.app import create_app
from e2kg_testing import PROJECT, LiveServer, serving

ROWS = 100_000
GRAPH = URIRef("https://w3id.org/e2kg/source/graph/rows.nt")
JSON = {"Accept": "application/sparql-results+json"}
ALL_ROWS = "SELECT ?s ?o WHERE { ?s <http://x/p> ?o }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    location = str(tmp_path_factory.mktemp("rows") / "store")
    store = open_store(location)
    document = "".join(f'<http://x/s{i:06d}> <http://x/p> "{i}" .\n' for i in range(ROWS))
    store.load(document.encode(), media_type="application/n-triples", graph=GRAPH)
    settings = Settings(store=location, source_dir=PROJECT)
    app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store, "E2KG_QUERY_WORKERS": 0})
    with serving(app) as url:
        yield LiveServer(url=url, store=store)
    store.close()


def get(server: LiveServer, query: str, **headers: str) -> requests.Response:
    return requests.get(
        server.url + "/sparql", params={"query": query}, headers=headers or JSON, timeout=60
    )


def test_a_small_result_is_complete(server: LiveServer) -> None:
    response = get(server, "SELECT ?o WHERE { <http://x/s000042> ?p ?o }")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert response.json()["results"]["bindings"] == [{"o": {"type": "literal", "value": "42"}}]


def test_a_100k_row_result_is_complete_and_streamed(server: LiveServer) -> None:
    response = get(server, ALL_ROWS)
    assert response.status_code == 200
    assert response.headers.get("Transfer-Encoding") == "chunked"
    values = sorted(int(row["o"]["value"]) for row in response.json()["results"]["bindings"])
    assert values == list(range(ROWS))


def test_an_error_after_the_first_rows_is_not_a_complete_200(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = oxigraph_module._serialize

    class Failing:
        def __init__(self, output: IO[bytes]) -> None:
            self.output, self.written = output, 0

        def write(self, data: bytes) -> int:
            if self.written > 2 * SMALL_RESULT_BYTES:
                raise RuntimeError("the engine failed half-way")
            self.written += len(data)
            return self.output.write(data)

        def flush(self) -> None:
            pass

    def failing(result: Any, output: IO[bytes], media_type: str) -> None:
        real(result, Failing(output), media_type)  # type: ignore[arg-type]

    monkeypatch.setattr(oxigraph_module, "_serialize", failing)
    response = requests.get(
        server.url + "/sparql", params={"query": ALL_ROWS}, headers=JSON, stream=True, timeout=60
    )
    assert response.status_code == 200  # rows were flowing when the engine failed
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        for _ in response.iter_content(chunk_size=1 << 16):
            pass


def test_an_error_inside_a_small_result_gets_an_error_status(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(result: Any, output: IO[bytes], media_type: str) -> None:
        output.write(b'{"head":')
        raise RuntimeError("the engine failed half-way")

    monkeypatch.setattr(oxigraph_module, "_serialize", failing)
    response = get(server, "SELECT ?o WHERE { <http://x/s000042> ?p ?o }")
    assert response.status_code == 500
    assert "failed half-way" in response.json()["message"]


def test_a_syntax_error_wins_over_an_unacceptable_type(server: LiveServer) -> None:
    response = get(server, "SELECT ?s WHERE {\n ?s ?p }", Accept="image/png")
    assert response.status_code == 400
    assert response.json()["line"] == 2
    response = get(server, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", Accept="image/png")
    assert response.status_code == 406


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_the_same_accept_header_negotiates_the_same_every_time(
    server: LiveServer, accept: str, content_type: str
) -> None:
    for _ in range(3):
        response = get(server, "SELECT ?o WHERE { <http://x/s000001> ?p ?o }", Accept=accept)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(content_type)


def test_every_result_format_of_a_small_result_parses(server: LiveServer) -> None:
    query = "CONSTRUCT WHERE { <http://x/s000003> ?p ?o }"
    turtle = get(server, query, Accept="text/turtle")
    assert turtle.status_code == 200 and b"<http://x/s000003>" in turtle.content
    ld = get(server, query, Accept="application/ld+json")
    assert json.loads(ld.content)
