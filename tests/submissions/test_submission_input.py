"""Bad input to /validate and /studies: a clear error, its status, and nothing fetched or stored."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
import requests
from submission_cases import VALID
from submission_testing import SMALL_LIMIT, SUBMISSION_TOKEN

from e2kg_testing import LiveServer

AUTH = {"Authorization": f"Bearer {SUBMISSION_TOKEN}"}


class CountingHandler(http.server.BaseHTTPRequestHandler):
    """Answers every GET with a JSON-LD context / an entity text and counts the requests."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        CountingHandler.hits.append(self.path)
        body = b'{"@context": {"name": "http://schema.org/name"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def watched_url() -> Iterator[str]:
    """The URL of a local HTTP server that records every request made to it."""
    CountingHandler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/context.jsonld"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def graphs(server: LiveServer) -> list[str]:
    return [str(graph) for graph in server.store.graphs()]


@pytest.mark.parametrize("path", ["/validate", "/studies"])
def test_a_syntax_error_is_400_with_line_and_column(reading_server: LiveServer, path: str) -> None:
    text = VALID[0].read_text(encoding="utf-8")
    lines = text.splitlines()
    target = next(i for i, line in enumerate(lines) if "schema:publisher" in line)
    column = lines[target].index("schema:publisher") + len("schema:publisher ") + 1
    lines[target] = lines[target].replace("schema:publisher org:bitkom", "schema:publisher ;;")
    before = graphs(reading_server)
    response = requests.post(
        reading_server.url + path,
        data="\n".join(lines).encode(),
        headers={"Content-Type": "text/turtle", **AUTH},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["error"] == "parse-error"
    assert error["line"] == target + 1
    assert error["column"] == column
    assert f"{target + 1}" in error["message"]
    assert graphs(reading_server) == before


def test_a_body_over_the_limit_is_413(small_limit_server: LiveServer) -> None:
    body = VALID[0].read_bytes() + b"\n# padding " + b"x" * SMALL_LIMIT
    for path in ("/validate", "/studies"):
        response = requests.post(
            small_limit_server.url + path,
            data=body,
            headers={"Content-Type": "text/turtle", **AUTH},
            timeout=30,
        )
        assert response.status_code == 413, response.text
        assert response.json()["error"] == "payload-too-large"
        assert str(SMALL_LIMIT) in response.json()["message"]
    small = requests.post(
        small_limit_server.url + "/validate",
        data=VALID[0].read_bytes(),
        headers={"Content-Type": "text/turtle"},
        timeout=30,
    )
    assert small.status_code == 200


@pytest.mark.parametrize("content_type", ["text/csv", "application/octet-stream", ""])
def test_an_unsupported_type_is_415(reading_server: LiveServer, content_type: str) -> None:
    response = requests.post(
        reading_server.url + "/validate",
        data=VALID[0].read_bytes(),
        headers={"Content-Type": content_type},
        timeout=30,
    )
    assert response.status_code == 415, response.text
    assert "text/turtle" in response.json()["message"]


def test_a_remote_json_ld_context_is_refused_and_not_fetched(
    reading_server: LiveServer, watched_url: str
) -> None:
    body = json.dumps(
        {"@context": watched_url, "@id": "https://w3id.org/e2kg/id/study/x", "name": "x"}
    )
    response = requests.post(
        reading_server.url + "/validate",
        data=body.encode(),
        headers={"Content-Type": "application/ld+json"},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert "remote context" in response.json()["message"]
    assert CountingHandler.hits == []
    # the same document with the context inline is read
    inline = body.replace(json.dumps(watched_url), '{"name": "http://schema.org/name"}')
    response = requests.post(
        reading_server.url + "/validate",
        data=inline.encode(),
        headers={"Content-Type": "application/ld+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("system", ["file:///etc/passwd", "WATCHED"])
def test_xml_external_entities_are_refused_and_not_fetched(
    reading_server: LiveServer, watched_url: str, system: str
) -> None:
    system = watched_url if system == "WATCHED" else system
    body = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "{system}">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://schema.org/">
  <rdf:Description rdf:about="https://w3id.org/e2kg/id/study/x"><s:name>&xxe;</s:name></rdf:Description>
</rdf:RDF>"""
    response = requests.post(
        reading_server.url + "/validate",
        data=body.encode(),
        headers={"Content-Type": "application/rdf+xml"},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert "DTD" in response.json()["message"]
    assert "root:" not in response.text
    assert CountingHandler.hits == []
