"""Shared fixtures: the fixture project under tests/data, a loaded store, and a live HTTP server.

Servers listen on 127.0.0.1 on a free port and are stopped when the fixture ends.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg_testing import ENTRIES, PROJECT, LiveServer, serving


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the E2KG_* settings of the shell that runs the suite."""
    for name in list(os.environ):
        if name.startswith("E2KG_"):
            monkeypatch.delenv(name)


@pytest.fixture
def project_dir() -> Path:
    """The fixture project (ontology/, shapes/, graph/) -- read only; copy it to change it."""
    return PROJECT


@pytest.fixture
def entries_dir() -> Path:
    """Study entries to validate, one case per file (see tests/data/README.md)."""
    return ENTRIES


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture project."""
    copy = tmp_path / "project"
    shutil.copytree(PROJECT, copy)
    return copy


@pytest.fixture(scope="session")
def loaded_store() -> Iterator[Store]:
    """A memory store holding the fixture project's sources (shared: do not write to it)."""
    store = open_store("memory")
    load_sources(store, PROJECT, manifest=None)
    yield store
    store.close()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """The WSGI app served over real HTTP by a threaded Werkzeug server on 127.0.0.1.

    It has a store of its own: the app writes to it at start-up (the question catalogue), and
    ``loaded_store`` is shared by tests that expect exactly the loaded sources.
    """
    store = open_store("memory")
    load_sources(store, PROJECT, manifest=None)
    settings = Settings(store="memory", source_dir=PROJECT)
    app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store, "TESTING": True})
    with serving(app) as url:
        yield LiveServer(url=url, store=store)
    store.close()
