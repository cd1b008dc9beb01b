"""Fixtures of the web tests: a writable service with an update token, on a fresh memory store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.store import open_store
from e2kg.web.app import create_app
from e2kg_testing import PROJECT, LiveServer, serving

UPDATE_TOKEN = "correct horse battery staple"


@pytest.fixture(params=["memory", "oxigraph"])
def writable_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """The app on its own store (fixture project loaded), writes allowed with UPDATE_TOKEN."""
    location = "memory" if request.param == "memory" else str(tmp_path / "store")
    store = open_store(location)
    load_sources(store, PROJECT, manifest=None)
    settings = Settings(store=location, source_dir=PROJECT, update_token=UPDATE_TOKEN)
    # Queries run in process here; tests/web/test_timeout.py covers the worker pool.
    app = create_app(
        {"E2KG_SETTINGS": settings, "E2KG_STORE": store, "E2KG_QUERY_WORKERS": 0, "TESTING": True}
    )
    with serving(app) as url:
        yield LiveServer(url=url, store=store)
    store.close()
