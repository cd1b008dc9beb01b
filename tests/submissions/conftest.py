"""Fixtures of the submission tests: the service on the REAL ontology, shapes and graph.

Study entries are written against the real graph (tests/data/entries/valid and invalid), so these
tests load the repository's own sources into a fresh memory store for each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from submission_testing import ROOT, SMALL_LIMIT, SUBMISSION_TOKEN

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.store import open_store
from e2kg.web.app import create_app
from e2kg_testing import LiveServer, serving


@contextmanager
def service(max_body: int = 5 * 1024 * 1024, location: str = "memory") -> Iterator[LiveServer]:
    """The app over real HTTP on a fresh store (``memory`` or a directory) with the real sources."""
    store = open_store(location)
    load_sources(store, ROOT, manifest=None)
    settings = Settings(
        store=location, source_dir=ROOT, update_token=SUBMISSION_TOKEN, max_body=max_body
    )
    app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store, "TESTING": True})
    with serving(app) as url:
        yield LiveServer(url=url, store=store)
    store.close()


@pytest.fixture
def submission_server() -> Iterator[LiveServer]:
    """The service with the default body limit; writes need SUBMISSION_TOKEN."""
    with service() as server:
        yield server


@pytest.fixture
def small_limit_server() -> Iterator[LiveServer]:
    """The service with E2KG_MAX_BODY = SMALL_LIMIT."""
    with service(SMALL_LIMIT) as server:
        yield server


@pytest.fixture(scope="module")
def reading_server() -> Iterator[LiveServer]:
    """One service for a whole module of tests that only read and validate (never write)."""
    with service() as server:
        yield server


@pytest.fixture(params=["memory", "oxigraph"])
def any_backend_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """The service on a memory store and on an embedded Oxigraph store in ``tmp_path``."""
    location = "memory" if request.param == "memory" else str(tmp_path / "store")
    with service(location=location) as server:
        yield server


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The service on an embedded Oxigraph store in ``tmp_path`` (the production backend)."""
    with service(location=str(tmp_path / "store")) as server:
        yield server
