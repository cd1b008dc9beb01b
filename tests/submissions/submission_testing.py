"""Constants and helpers the submission tests import by name (conftest.py is not importable
unambiguously: other test folders have one too)."""

from __future__ import annotations

from pathlib import Path

import requests

from e2kg_testing import LiveServer

ROOT = Path(__file__).resolve().parents[2]
SUBMISSION_TOKEN = "submission token for tests"
SMALL_LIMIT = 4000
"""E2KG_MAX_BODY of ``small_limit_server``: larger than a valid entry, smaller than two."""

AUTH = {"Authorization": f"Bearer {SUBMISSION_TOKEN}"}
ENTRY = ROOT / "tests" / "data" / "entries" / "valid" / "existing-publisher.ttl"
"""A valid study entry (example-2016) with one finding, OBSERVATION, whose share is SHARE."""
OBSERVATION = "https://w3id.org/e2kg/id/observation/example-2016_leading_hr"
SHARE = "https://w3id.org/e2kg/def/core#share"


def publish(server: LiveServer) -> None:
    """POST ENTRY to /studies with the token; it must be accepted."""
    response = requests.post(
        server.url + "/studies",
        data=ENTRY.read_bytes(),
        headers={**AUTH, "Content-Type": "text/turtle"},
        timeout=30,
    )
    assert response.status_code == 201, response.text


def update(server: LiveServer, text: str, **params: str) -> requests.Response:
    """A SPARQL Update through /sparql with the token."""
    return requests.post(
        server.url + "/sparql", data={"update": text, **params}, headers=AUTH, timeout=60
    )


def dump(server: LiveServer) -> bytes:
    """Every quad of the server's store, as N-Quads (to compare before and after)."""
    return b"".join(server.store.dump("application/n-quads"))
