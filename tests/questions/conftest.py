"""Fixtures for the question tests: the real sources (graph/, ontology/) in each embedded store,
the same files parsed with rdflib to derive expected answers, and a live server on the real graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.parsing import new_graph, parse_turtle
from e2kg.sources import graph_files, ontology_files
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg_testing import LiveServer, serving

ROOT = Path(__file__).resolve().parents[2]
NEW_STUDY = ROOT / "tests" / "data" / "questions" / "new-study.ttl"


@pytest.fixture(scope="session", params=["memory", "oxigraph"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The project's sources loaded with the project's loading code (shared: do not write)."""
    location = "memory" if request.param == "memory" else str(tmp_path_factory.mktemp("ox") / "s")
    with open_store(location) as opened:
        assert load_sources(opened, ROOT, manifest=None).loaded
        yield opened


@pytest.fixture(scope="session")
def facts() -> Graph:
    """graph/ and ontology/ parsed with rdflib: where expected answers are derived from."""
    graph = new_graph()
    for path in [*ontology_files(ROOT), *graph_files(ROOT)]:
        parse_turtle(path, into=graph)
    return graph


@pytest.fixture(scope="session")
def real_server() -> Iterator[LiveServer]:
    """The application on the real graph (memory store), served over HTTP on 127.0.0.1."""
    store = open_store("memory")
    load_sources(store, ROOT, manifest=None)
    settings = Settings(store="memory", source_dir=ROOT)
    app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store, "TESTING": True})
    with serving(app) as url:
        yield LiveServer(url=url, store=store)
    store.close()
