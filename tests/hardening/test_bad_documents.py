"""Bad documents on every upload path: each is a 4xx with a message, never a 500, never a write.

The upload paths are ``POST /validate``, ``POST /studies`` (token), ``PUT``/``POST /store`` (token)
and ``INSERT DATA`` through SPARQL Update (token). After every request the store's content is
compared with what it held before.
"""

from __future__ import annotations

import pytest
import requests

from conftest import AUTH, HOSTILE, MAX_BODY, Service, assert_client_error

UPLOAD_PATHS = [
    ("POST", "/validate"),
    ("POST", "/studies"),
    ("PUT", "/store?graph=urn:e2kg:test:bad"),
    ("POST", "/store?graph=urn:e2kg:test:bad"),
]
STUDY = "https://w3id.org/e2kg/id/study/bad-2024"

MALFORMED = [
    ("malformed.ttl", "text/turtle"),
    ("malformed.jsonld", "application/ld+json"),
    ("malformed.rdf", "application/rdf+xml"),
    ("malformed.nt", "application/n-triples"),
]

BROKEN_BODIES: dict[str, tuple[bytes, str]] = {
    "invalid-utf8-turtle": (
        f'<{STUDY}> a <http://schema.org/Report> ; <http://schema.org/name> "'.encode()
        + b'\xff\xfe\xc3\x28" .',
        "text/turtle",
    ),
    "invalid-utf8-jsonld": (
        b'{"@id": "' + STUDY.encode() + b'", "x": "\xff"}',
        "application/ld+json",
    ),
    "iri-with-space": (
        f"<{STUDY} x> a <http://schema.org/Report> .".encode(),
        "text/turtle",
    ),
    "iri-with-control-character": (
        f"<{STUDY}\x01> a <http://schema.org/Report> .".encode(),
        "text/turtle",
    ),
    "iri-with-newline-in-ntriples": (
        f'<{STUDY}\n> <http://schema.org/name> "x" .\n'.encode(),
        "application/n-triples",
    ),
    "jsonld-deeply-nested": (b"[" * 100_000 + b"]" * 100_000, "application/ld+json"),
    "turtle-unbalanced-nesting": (
        f"<{STUDY}> <http://schema.org/about> ".encode() + b"(" * 20_000 + b" .",
        "text/turtle",
    ),
    "xml-not-rdf": (b"<html><body>hello</body></html>", "application/rdf+xml"),
    "binary": (bytes(range(256)) * 16, "text/turtle"),
    "nul-bytes": (b"\x00" * 1000, "application/n-triples"),
}

WRONG_TYPES = ["text/html", "application/pdf", "image/png", "application/octet-stream", ""]


def upload(
    service: Service, method: str, path: str, body: bytes, media_type: str | None
) -> requests.Response:
    headers = dict(AUTH)
    if media_type is not None:
        headers["Content-Type"] = media_type
    return requests.request(method, service.url + path, data=body, headers=headers, timeout=60)


@pytest.mark.parametrize(("method", "path"), UPLOAD_PATHS)
@pytest.mark.parametrize(("name", "media_type"), MALFORMED)
def test_malformed_documents_are_400_with_a_position(
    service: Service, method: str, path: str, name: str, media_type: str
) -> None:
    before = service.content()
    response = upload(service, method, path, (HOSTILE / name).read_bytes(), media_type)
    body = assert_client_error(response, 400)
    assert body["error"] == "parse-error", body
    assert service.content() == before


@pytest.mark.parametrize(("method", "path"), UPLOAD_PATHS)
@pytest.mark.parametrize("name", sorted(BROKEN_BODIES))
def test_broken_documents_are_400(service: Service, method: str, path: str, name: str) -> None:
    before = service.content()
    data, media_type = BROKEN_BODIES[name]
    response = upload(service, method, path, data, media_type)
    assert_client_error(response, 400)
    assert service.content() == before


@pytest.mark.parametrize(("method", "path"), UPLOAD_PATHS)
@pytest.mark.parametrize("media_type", WRONG_TYPES)
def test_wrong_content_types_are_415(
    service: Service, method: str, path: str, media_type: str
) -> None:
    before = service.content()
    turtle = f"<{STUDY}> a <http://schema.org/Report> .".encode()
    response = upload(service, method, path, turtle, media_type or None)
    body = assert_client_error(response, 415)
    assert body["error"] == "unsupported-media-type"
    assert service.content() == before


@pytest.mark.parametrize(("method", "path"), UPLOAD_PATHS[:2])
def test_empty_entries_are_400(service: Service, method: str, path: str) -> None:
    before = service.content()
    for body in (b"", b"   \n\t", b"# only a comment\n"):
        response = upload(service, method, path, body, "text/turtle")
        assert_client_error(response, 400)
    assert service.content() == before


@pytest.mark.parametrize(("method", "path"), UPLOAD_PATHS)
def test_an_enormous_literal_over_the_limit_is_413(
    service: Service, method: str, path: str
) -> None:
    before = service.content()
    literal = "x" * (MAX_BODY + 1)
    turtle = f'<{STUDY}> <http://schema.org/name> "{literal}" .'.encode()
    response = upload(service, method, path, turtle, "text/turtle")
    body = assert_client_error(response, 413)
    assert body["error"] == "payload-too-large"
    assert service.content() == before


def test_an_enormous_literal_in_insert_data_is_413(service: Service) -> None:
    before = service.content()
    literal = "x" * (MAX_BODY + 1)
    update = f'INSERT DATA {{ GRAPH <urn:e2kg:test:bad> {{ <urn:a> <urn:b> "{literal}" }} }}'
    for data, headers in (
        ({"update": update}, AUTH),
        (update.encode(), {**AUTH, "Content-Type": "application/sparql-update"}),
    ):
        response = requests.post(service.url + "/sparql", data=data, headers=headers, timeout=60)
        assert_client_error(response, 413)
    assert service.content() == before


BAD_UPDATES = {
    "iri-with-space": "INSERT DATA { GRAPH <urn:e2kg:test:bad> { <urn:a b> <urn:p> 'x' } }",
    "iri-with-control": "INSERT DATA { GRAPH <urn:e2kg:test:bad> { <urn:a\u0001> <urn:p> 'x' } }",
    "unterminated": "INSERT DATA { GRAPH <urn:e2kg:test:bad> { <urn:a> <urn:p> 'x ",
    "half-good": (
        "INSERT DATA { GRAPH <urn:e2kg:test:bad> { <urn:a> <urn:p> 'x' } } ; "
        "INSERT DATA { GRAPH <urn:e2kg:test:bad> { <urn:a> <urn:p> 'y' "
    ),
    "literal-as-subject": "INSERT DATA { GRAPH <urn:e2kg:test:bad> { 'x' <urn:p> 'y' } }",
}


@pytest.mark.parametrize("name", sorted(BAD_UPDATES))
def test_bad_insert_data_is_400_and_nothing_is_written(service: Service, name: str) -> None:
    before = service.content()
    response = requests.post(
        service.url + "/sparql", data={"update": BAD_UPDATES[name]}, headers=AUTH, timeout=30
    )
    assert_client_error(response, 400)
    assert service.content() == before


def test_invalid_utf8_in_a_direct_query_or_update_is_400(service: Service) -> None:
    before = service.content()
    for media_type in ("application/sparql-query", "application/sparql-update"):
        response = requests.post(
            service.url + "/sparql",
            data=b"SELECT * WHERE { ?s ?p '\xff\xfe' }",
            headers={**AUTH, "Content-Type": media_type},
            timeout=30,
        )
        assert_client_error(response, 400)
    assert service.content() == before


@pytest.mark.parametrize(
    "graph", ["urn:a b", "no-scheme", "http://x/<script>", "urn:a\u0001", "", "http://x/\ty"]
)
def test_bad_graph_iris_in_the_graph_store_are_400(service: Service, graph: str) -> None:
    before = service.content()
    for method in ("GET", "PUT", "DELETE"):
        response = requests.request(
            method,
            service.url + "/store",
            params={"graph": graph},
            data=b"<urn:a> <urn:b> <urn:c> .",
            headers={**AUTH, "Content-Type": "text/turtle"},
            timeout=30,
        )
        assert_client_error(response, 400)
    assert service.content() == before


TRAVERSALS = [
    "/id/../../etc/passwd",
    "/id/..%2f..%2fetc%2fpasswd",
    "/id/%2e%2e/%2e%2e/etc/passwd",
    "/id/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/id/..%252f..%252fetc%252fpasswd",
    "/id/study/..%5c..%5cetc%5cpasswd",
    "/id/study/%00",
    "/id/study/x%0d%0aSet-Cookie:%20a=b",
    "/id/" + "a/" * 2000,
    "/shapes/../../../etc/passwd",
    "/def/..%2f..%2fetc%2fpasswd",
    "/static/../../../../etc/passwd",
    "/static/..%2f..%2f..%2fetc%2fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_path_traversal_never_reads_a_file(service: Service, path: str, accept: str) -> None:
    # requests would normalise ../ away; send the raw path through a prepared request.
    session = requests.Session()
    prepared = requests.Request("GET", service.url + "/", headers={"Accept": accept}).prepare()
    prepared.url = service.url + path
    response = session.send(prepared, timeout=30)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert "root:" not in response.text
    assert "Set-Cookie" not in response.headers


def test_deep_nesting_that_parses_is_answered_without_a_fault(service: Service) -> None:
    """Valid but deeply nested documents (JSON-LD objects, Turtle collections) are no 500."""
    depth = 2_000
    jsonld = '{"http://schema.org/about": ' * depth + f'{{"@id": "{STUDY}"}}' + "}" * depth
    turtle = f"<{STUDY}> <http://schema.org/about> " + "(" * depth + ")" * depth + " ."
    for body, media_type in ((jsonld, "application/ld+json"), (turtle, "text/turtle")):
        response = upload(service, "POST", "/validate", body.encode(), media_type)
        assert response.status_code in (200, 400), response.text[:300]


@pytest.mark.parametrize(("method", "path"), UPLOAD_PATHS[:2])
def test_json_that_is_not_json_ld_is_refused_by_the_entry_paths(
    service: Service, method: str, path: str
) -> None:
    before = service.content()
    for body in (b'"just a string"', b"42", b"null", b"[]", b"{}"):
        response = upload(service, method, path, body, "application/ld+json")
        assert_client_error(response, 400)
    assert service.content() == before
