"""The search index built in the background: a search during the first build gets a clear 503 with
Retry-After, a search during a rebuild gets the previous index's results marked stale, and the
fresh results once the build is done; the application starts the build when it starts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import URIRef

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.resources.version import note_write
from e2kg.search import SearchIndex
from e2kg.search.index import IndexBuilding
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg.web.search import INDEX_KEY
from e2kg_testing import serving

GRAPH = URIRef("https://w3id.org/e2kg/test/search")
FIRST = (
    b'<https://w3id.org/e2kg/id/claim/a> <http://schema.org/text> "Reverse Mentoring bei GE"@de .'
)
SECOND = b'<https://w3id.org/e2kg/id/claim/b> <http://schema.org/text> "Mentoring bei IBM"@de .'
PROJECT = Path(__file__).resolve().parents[1] / "data" / "project"
TIMEOUT = 20


@pytest.fixture
def store() -> Iterator[Store]:
    store = open_store("memory")
    store.load(FIRST, media_type="application/n-triples", graph=GRAPH)
    note_write(store)
    yield store
    store.close()


class Gate:
    """Holds every build of ``index`` until opened."""

    def __init__(self, index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = threading.Event()
        build = index._build

        def held() -> object:
            assert self.opened.wait(TIMEOUT), "the test never opened the gate"
            return build()

        monkeypatch.setattr(index, "_build", held)


def iris(index: SearchIndex, query: str) -> list[str]:
    return [hit.iri for hit in index.search(query).hits]


def test_a_search_during_the_first_build_is_refused_then_answered(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = SearchIndex(store, wait=0.05, first_wait=0.05)
    gate = Gate(index, monkeypatch)
    builder = index.start_refresh()
    assert builder is not None
    with pytest.raises(IndexBuilding) as caught:
        index.search("Mentoring")
    assert caught.value.status == 503 and "being built" in str(caught.value)
    gate.opened.set()
    builder.join(TIMEOUT)
    results = index.search("Mentoring")
    assert [hit.iri for hit in results.hits] == ["https://w3id.org/e2kg/id/claim/a"]
    assert not results.stale


def test_a_search_during_a_rebuild_gets_the_previous_index_marked_stale(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = SearchIndex(store, wait=0.05)
    index.refresh()
    gate = Gate(index, monkeypatch)
    store.load(SECOND, media_type="application/n-triples", graph=GRAPH)
    note_write(store)
    during = index.search("Mentoring")
    assert during.stale and [hit.iri for hit in during.hits] == ["https://w3id.org/e2kg/id/claim/a"]
    gate.opened.set()
    builder = index.start_refresh()
    if builder is not None:
        builder.join(TIMEOUT)
    after = index.search("Mentoring")
    assert not after.stale and after.total == 2


def test_without_wait_a_search_rebuilds_first(store: Store) -> None:
    index = SearchIndex(store)
    assert iris(index, "IBM") == []
    store.load(SECOND, media_type="application/n-triples", graph=GRAPH)
    note_write(store)
    assert iris(index, "IBM") == ["https://w3id.org/e2kg/id/claim/b"]


def test_the_application_builds_the_index_when_it_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = open_store("memory")
    load_sources(store, PROJECT, manifest=None)
    app = create_app(
        {"E2KG_SETTINGS": Settings(store="memory", source_dir=PROJECT), "E2KG_STORE": store}
    )
    index: SearchIndex = app.extensions[INDEX_KEY]
    builder = index._builder
    assert builder is not None
    builder.join(TIMEOUT)
    assert index._built_for is not None  # built before any search asked
    gate = Gate(index, monkeypatch)
    index._built_for, index._connection = None, None  # as before the first build
    index.first_wait = 0.2
    with serving(app) as url:
        refused = requests.get(
            url + "/search", params={"q": "Mentoring", "format": "json"}, timeout=TIMEOUT
        )
        gate.opened.set()
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"
        assert "being built" in refused.json()["message"]
        if index._builder is not None:
            index._builder.join(TIMEOUT)
        answered = requests.get(
            url + "/search", params={"q": "Mentoring", "format": "json"}, timeout=TIMEOUT
        )
        assert answered.status_code == 200 and answered.json()["stale"] is False
    store.close()


def test_a_page_far_past_the_end_is_empty_not_an_error(store: Store) -> None:
    index = SearchIndex(store)
    results = index.search("Mentoring", offset=20 * 461168601842738792)
    assert results.total == 1 and results.hits == []
