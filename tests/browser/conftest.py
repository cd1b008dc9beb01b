"""Fixtures of the browser tests: the service on the seed graph (the project's own ontology/,
shapes/ and graph/) over real HTTP, plus one named graph holding a literal with ``<script>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import URIRef

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.resources.version import note_write
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg_testing import LiveServer, serving

ROOT = Path(__file__).resolve().parents[2]
"""The project root: its graph/ is the seed graph."""

BASE = "https://w3id.org/e2kg/"
HOSTILE = f"{BASE}id/test/hostile-label"
HOSTILE_LABEL = (
    '<script>window.e2kgInjected = true</script><img src=x onerror="window.e2kgInjected = true">'
)
HOSTILE_GRAPH = "https://w3id.org/e2kg/test/hostile"
HOSTILE_TURTLE = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
<{HOSTILE}> a schema:Claim ;
    rdfs:label '''{HOSTILE_LABEL}'''@en ;
    schema:text "Ein Satz mit </script><script>window.e2kgInjected = true</script> darin."@de ;
    schema:about <{BASE}id/concept/department/hr> .
"""


@pytest.fixture(scope="session")
def seed_store() -> Iterator[Store]:
    """A memory store with the seed graph and the hostile named graph (shared: do not write)."""
    store = open_store("memory")
    load_sources(store, ROOT, manifest=None)
    store.load(
        HOSTILE_TURTLE.encode("utf-8"), media_type="text/turtle", graph=URIRef(HOSTILE_GRAPH)
    )
    note_write(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def seed_server(seed_store: Store) -> Iterator[LiveServer]:
    """The application on the seed store, served by a threaded Werkzeug server on 127.0.0.1."""
    settings = Settings(store="memory", source_dir=ROOT)
    app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": seed_store, "TESTING": True})
    with serving(app) as url:
        yield LiveServer(url=url, store=seed_store)


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Where screenshots are kept: var/artefacts/browser/ (git-ignored via var/)."""
    folder = ROOT / "var" / "artefacts" / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
