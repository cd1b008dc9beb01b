"""Who may write: every write path refuses a request without the token (401) or with a wrong one
(403) and changes nothing; the token is compared in constant time; no write path stores a study
entry that does not conform; CORS never lets a browser send credentials.
"""

from __future__ import annotations

import hmac
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask

import e2kg
from conftest import AUTH, HOSTILE, TOKEN, Service, assert_client_error
from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.store import open_store
from e2kg.web import access, studies
from e2kg.web.app import create_app
from e2kg_testing import PROJECT

STUDY = (HOSTILE / "conforming-study.ttl").read_bytes()
STUDY_IRI = "https://w3id.org/e2kg/id/study/auth-check-2024"
GRAPH = "urn:e2kg:test:auth"
UPDATE = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:a> <urn:b> 'written' }} }}"
EXAMPLE = "https://w3id.org/e2kg/id/study/example-2012"
SOURCE_GRAPH = "https://w3id.org/e2kg/source/graph/studies.ttl"

WRITES: dict[str, tuple[str, str, dict[str, str], bytes | dict[str, str]]] = {
    "update-form": ("POST", "/sparql", {}, {"update": UPDATE}),
    "update-direct": (
        "POST",
        "/sparql",
        {"Content-Type": "application/sparql-update"},
        UPDATE.encode(),
    ),
    "store-put": ("PUT", f"/store?graph={GRAPH}", {"Content-Type": "text/turtle"}, STUDY),
    "store-post": ("POST", f"/store?graph={GRAPH}", {"Content-Type": "text/turtle"}, STUDY),
    "store-delete": ("DELETE", f"/store?graph={SOURCE_GRAPH}", {}, b""),
    "studies": ("POST", "/studies", {"Content-Type": "text/turtle"}, STUDY),
}

WRONG = {
    "no-header": None,
    "empty-bearer": "Bearer ",
    "basic": f"Basic {TOKEN}",
    "token-without-scheme": TOKEN,
}
FORBIDDEN = {
    "wrong": "Bearer not-the-token",
    "prefix": f"Bearer {TOKEN[:-1]}",
    "longer": f"Bearer {TOKEN}x",
    "case": f"Bearer {TOKEN.upper()}",
    "non-ascii": "Bearer tökén",
}


def send(service: Service, name: str, authorization: str | None) -> requests.Response:
    method, path, headers, body = WRITES[name]
    headers = dict(headers)
    if authorization is not None:
        headers["Authorization"] = authorization
    return requests.request(method, service.url + path, data=body, headers=headers, timeout=60)


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize("authorization", sorted(WRONG))
def test_a_write_without_the_token_is_401_and_changes_nothing(
    service: Service, name: str, authorization: str
) -> None:
    before = service.content()
    response = send(service, name, WRONG[authorization])
    body = assert_client_error(response, 401)
    assert body["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert service.content() == before


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize("authorization", sorted(FORBIDDEN))
def test_a_write_with_a_wrong_token_is_403_and_changes_nothing(
    service: Service, name: str, authorization: str
) -> None:
    before = service.content()
    header = FORBIDDEN[authorization].encode("utf-8").decode("latin-1")
    response = send(service, name, header)
    body = assert_client_error(response, 403)
    assert body["error"] == "forbidden"
    assert service.content() == before


def test_the_study_form_publishes_only_with_the_token(service: Service) -> None:
    before = service.content()
    for token, status in (("", 401), ("wrong", 403)):
        response = requests.post(
            service.url + "/studies/new",
            data={"tab": "rdf", "data": STUDY.decode(), "action": "publish", "token": token},
            timeout=60,
        )
        assert response.status_code == status, response.text[:300]
    assert service.content() == before


def test_the_right_token_does_write(service: Service) -> None:
    """The refusals above are about the token: the same requests with it are accepted."""
    before = service.content()
    response = send(service, "update-form", f"Bearer {TOKEN}")
    assert response.status_code == 204, response.text
    assert service.content() != before
    dropped = requests.post(
        service.url + "/sparql", data={"update": f"DROP GRAPH <{GRAPH}>"}, headers=AUTH, timeout=30
    )
    assert dropped.status_code == 204
    assert service.content() == before


# -- SHACL on every write path --------------------------------------------------------------

NON_CONFORMING_UPDATES = {
    "delete-publisher": (
        "PREFIX schema: <http://schema.org/> "
        f"DELETE DATA {{ GRAPH <{SOURCE_GRAPH}> {{ <{EXAMPLE}> schema:publisher "
        "<https://w3id.org/e2kg/id/organization/example-institute> } }"
    ),
    "delete-publisher-where": (
        "PREFIX schema: <http://schema.org/> DELETE { GRAPH ?g { ?study schema:publisher ?o } } "
        "WHERE { GRAPH ?g { ?study schema:publisher ?o } }"
    ),
    "insert-study-without-publisher": (
        "PREFIX schema: <http://schema.org/> "
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{STUDY_IRI}x> a schema:Report ; "
        "schema:name 'ohne Herausgeber'@de } }"
    ),
    "share-out-of-range": (
        "PREFIX core: <https://w3id.org/e2kg/def/core#> "
        "PREFIX qb: <http://purl.org/linked-data/cube#> "
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:e2kg:obs> a qb:Observation ; "
        f"core:share 150.0 ; core:department <https://w3id.org/e2kg/id/department/hr> ; "
        f"<http://www.w3.org/ns/prov#hadPrimarySource> <{EXAMPLE}> }} }}"
    ),
}


@pytest.mark.parametrize("name", sorted(NON_CONFORMING_UPDATES))
def test_an_update_that_breaks_a_study_entry_is_422_and_changes_nothing(
    service: Service, name: str
) -> None:
    before = service.content()
    response = requests.post(
        service.url + "/sparql",
        data={"update": NON_CONFORMING_UPDATES[name]},
        headers={**AUTH, "Accept": "application/json"},
        timeout=60,
    )
    assert response.status_code == 422, response.text[:500]
    assert response.json()["conforms"] is False
    assert service.content() == before


def test_graph_store_writes_of_non_conforming_entries_are_422(service: Service) -> None:
    before = service.content()
    missing_publisher = (PROJECT.parent / "entries" / "missing-publisher.ttl").read_bytes()
    for method in ("PUT", "POST"):
        response = requests.request(
            method,
            service.url + "/store",
            params={"graph": GRAPH},
            data=missing_publisher,
            headers={**AUTH, "Content-Type": "text/turtle", "Accept": "application/json"},
            timeout=60,
        )
        assert response.status_code == 422, response.text[:500]
    # Replacing the source graph with a copy that lacks the publisher breaks the study there.
    broken = b"\n".join(
        line
        for line in (PROJECT / "graph" / "studies.ttl").read_bytes().splitlines()
        if b"schema:publisher" not in line
    ).replace(
        b'schema:description "Eine Studie f\xc3\xbcr Tests."@de ;', b'schema:description "x"@de .'
    )
    response = requests.put(
        service.url + "/store",
        params={"graph": SOURCE_GRAPH},
        data=broken,
        headers={**AUTH, "Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=60,
    )
    assert response.status_code in (400, 422), response.text[:500]
    assert service.content() == before


def test_studies_refuses_a_non_conforming_entry(service: Service) -> None:
    before = service.content()
    response = requests.post(
        service.url + "/studies",
        data=(PROJECT.parent / "entries" / "missing-publisher.ttl").read_bytes(),
        headers={**AUTH, "Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=60,
    )
    assert response.status_code == 422, response.text[:500]
    assert response.json()["stored"] is False
    assert service.content() == before


# -- constant time ------------------------------------------------------------------------------

SOURCE = Path(e2kg.__file__).parent


def test_no_module_compares_the_token_with_an_operator() -> None:
    """Every comparison of the update token goes through hmac.compare_digest."""
    offending = []
    for path in SOURCE.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"(update_token|token|credentials)\w*\s*(==|!=)|(==|!=)\s*\w*token", line):
                offending.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    assert offending == []
    assert "hmac.compare_digest" in inspect.getsource(access.require_write_token)
    assert "hmac.compare_digest" in inspect.getsource(studies._form_token_error)


@pytest.fixture
def spied_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[Flask, list[tuple[bytes, bytes]]]]:
    """The app with hmac.compare_digest recording what it compares."""
    calls: list[tuple[bytes, bytes]] = []
    original: Callable[[bytes, bytes], bool] = hmac.compare_digest

    def spy(given: bytes, expected: bytes) -> bool:
        calls.append((given, expected))
        return original(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    store = open_store("memory")
    load_sources(store, PROJECT, manifest=None)
    settings = Settings(store="memory", source_dir=PROJECT, update_token=TOKEN)
    app = create_app(
        {"E2KG_SETTINGS": settings, "E2KG_STORE": store, "E2KG_QUERY_WORKERS": 0, "TESTING": True}
    )
    yield app, calls
    store.close()


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_path_compares_the_token_with_compare_digest(
    spied_app: tuple[Flask, list[tuple[bytes, bytes]]], name: str
) -> None:
    app, calls = spied_app
    method, path, headers, body = WRITES[name]
    response = app.test_client().open(
        path,
        method=method,
        data=body,
        headers={**headers, "Authorization": "Bearer guess"},
    )
    assert response.status_code == 403
    assert (b"guess", TOKEN.encode()) in calls


def test_the_study_form_compares_the_token_with_compare_digest(
    spied_app: tuple[Flask, list[tuple[bytes, bytes]]],
) -> None:
    app, calls = spied_app
    response = app.test_client().post(
        "/studies/new",
        data={"tab": "rdf", "data": STUDY.decode(), "action": "publish", "token": "guess"},
    )
    assert response.status_code == 403
    assert (b"guess", TOKEN.encode()) in calls


# -- CORS -----------------------------------------------------------------------------------------

ORIGINS = ["https://evil.example", "null", "http://127.0.0.1:1", "https://w3id.org"]
CORS_PATHS = [
    ("GET", "/sparql?query=ASK%7B%7D"),
    ("POST", "/sparql"),
    ("OPTIONS", "/sparql"),
    ("OPTIONS", "/store?graph=urn:x"),
    ("PUT", f"/store?graph={GRAPH}"),
    ("GET", "/healthz"),
    ("GET", "/"),
    ("OPTIONS", "/studies"),
    ("POST", "/studies"),
    ("POST", "/validate"),
    ("GET", "/id/study/example-2012"),
    ("GET", "/questions"),
]


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize(("method", "path"), CORS_PATHS)
def test_cors_never_allows_credentials(
    service: Service, origin: str, method: str, path: str
) -> None:
    response = requests.request(
        method,
        service.url + path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
            "Cookie": "session=x",
        },
        timeout=30,
    )
    assert response.status_code < 500
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers.get("Access-Control-Allow-Origin") in (None, "*")
    assert "Set-Cookie" not in response.headers
