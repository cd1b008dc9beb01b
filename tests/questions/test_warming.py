"""Background warming of the answer cache: a served app answers the default questions from the
cache after start and after a write (no query at request time), a write during a warm computation
leaves no stale answer, and the warming thread ends with the app or when switched off."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.questions import Answer, default_catalogue
from e2kg.questions.cache import answer_cache
from e2kg.questions.warming import AnswerWarmer, warmable
from e2kg.resources.version import note_write
from e2kg.store import Dataset, SelectResult, open_store
from e2kg.store.base import Bindings
from e2kg.store.memory import MemoryStore
from e2kg.web.app import create_app
from e2kg.web.context import STORE_KEY
from e2kg.web.questions import WARMER_KEY, body_cache
from e2kg_testing import serving

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30
WARM_TIMEOUT = 120
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}
TOKEN = "warming-test-token"


def never() -> Answer:
    raise AssertionError("the answer should have been in the cache")


def quote_iris(answer: dict[str, Any]) -> list[str]:
    return [row["restsOn"] for row in answer["rows"] if row["restsOn"]]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Any]]:
    """The app on its own memory store of the real graph (writes allowed), with warming on."""
    store = open_store("memory")
    load_sources(store, ROOT, manifest=None)
    settings = Settings(store="memory", source_dir=ROOT, update_token=TOKEN)
    assert settings.warm_answers, "warming is on by default"
    app = create_app(
        {"E2KG_SETTINGS": settings, "E2KG_STORE": store, "E2KG_QUERY_WORKERS": 0, "TESTING": True}
    )
    with serving(app) as url:
        yield url, app
    app.extensions[WARMER_KEY].stop(TIMEOUT)
    store.close()


def test_the_first_request_after_start_is_served_from_the_cache(served: tuple[str, Any]) -> None:
    url, app = served
    warmer: AnswerWarmer = app.extensions[WARMER_KEY]
    assert warmer.running
    assert warmer.wait_warm(WARM_TIMEOUT), "the default answers were not warmed in time"
    expected = [question.id for question in default_catalogue() if warmable(question)]
    assert [question.id for question in warmer.questions] == expected
    assert "leading-departments" in expected and "mentions" not in expected  # mentions needs one
    cache = answer_cache(app.extensions[STORE_KEY])
    bodies = body_cache(app.extensions[STORE_KEY])
    before, bodies_before = cache.stats(), bodies.stats()
    requested = 0
    for question_id in ("leading-departments", "driver-portfolio", "quotes"):
        for language in ("de", "en"):
            for accept, check in ((JSON, "rows"), (HTML, "<table")):
                response = requests.get(
                    f"{url}/questions/{question_id}",
                    params={"lang": language},
                    headers=accept,
                    timeout=TIMEOUT,
                )
                assert response.status_code == 200 and check in response.text
                requested += 1
    after, bodies_after = cache.stats(), bodies.stats()
    assert after.misses == before.misses, "a request ran a query the warmer should have run"
    assert after.hits == before.hits + requested
    assert bodies_after.misses == bodies_before.misses, "a first page was rendered at request time"
    assert bodies_after.hits == bodies_before.hits + requested


def test_after_a_write_the_warmed_answer_has_the_new_data(served: tuple[str, Any]) -> None:
    url, app = served
    warmer: AnswerWarmer = app.extensions[WARMER_KEY]
    assert warmer.wait_warm(WARM_TIMEOUT)
    before = requests.get(f"{url}/questions/quotes", headers=JSON, timeout=TIMEOUT).json()
    quote = quote_iris(before)[0]
    rounds = warmer.stats().rounds
    response = requests.post(
        url + "/sparql",
        data={
            "update": f"DELETE {{ GRAPH ?g {{ <{quote}> ?p ?o }} }} "
            f"WHERE {{ GRAPH ?g {{ <{quote}> ?p ?o }} }}"
        },
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 204, response.text
    assert warmer.wait_warm(WARM_TIMEOUT), "the answers were not warmed again after the write"
    assert warmer.stats().rounds > rounds
    cache = answer_cache(app.extensions[STORE_KEY])
    misses = cache.stats().misses
    after = requests.get(f"{url}/questions/quotes", headers=JSON, timeout=TIMEOUT).json()
    assert cache.stats().misses == misses, "the answer after the write was not warmed"
    assert quote_iris(after) == [iri for iri in quote_iris(before) if iri != quote]


class WrittenDuringQuery(MemoryStore):
    """A memory store written to (through the service's rules: the write, then ``note_write``)
    while the first query that contains ``marker`` runs, after it read the data."""

    def __init__(self, marker: str, update: str) -> None:
        super().__init__()
        self.marker, self.update_text = marker, update
        self.armed = threading.Event()

    def select(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> SelectResult:
        result = super().select(query, bindings=bindings, dataset=dataset)
        if self.armed.is_set() and self.marker in query:
            self.armed.clear()
            self.update(self.update_text)
            note_write(self)
        return result


def test_a_write_during_a_warm_computation_leaves_no_stale_answer() -> None:
    question = default_catalogue().get("quotes")
    probe = open_store("memory")
    load_sources(probe, ROOT, manifest=None)
    first_quote = probe.select(
        "SELECT ?quote WHERE { ?quote a <http://schema.org/Quotation> } ORDER BY ?quote LIMIT 1"
    ).rows
    probe.close()
    quote = str(first_quote[0]["quote"])
    store = WrittenDuringQuery(
        "schema:Quotation",
        f"DELETE {{ GRAPH ?g {{ <{quote}> ?p ?o }} }} WHERE {{ GRAPH ?g {{ <{quote}> ?p ?o }} }}",
    )
    load_sources(store, ROOT, manifest=None)
    store.armed.set()
    warmer = AnswerWarmer(store, [question], delay=0.05, poll=0.05)
    warmer.start()
    try:
        assert warmer.wait_warm(WARM_TIMEOUT)
        assert not store.armed.is_set(), "the write during the query did not happen"
        assert warmer.stats().answers == 2, "the abandoned computation was not done again"
        cached = answer_cache(store).get_or_compute("quotes", {}, "en", never)
        iris = [row.rests_on for row in cached.rows]
        assert iris and quote not in iris, "the answer computed before the write was kept"
    finally:
        warmer.stop(TIMEOUT)
    assert not warmer.running
    store.close()


def test_warming_off_starts_no_thread() -> None:
    store = open_store("memory")
    settings = Settings.from_environment({"E2KG_STORE": "memory", "E2KG_WARM_ANSWERS": "0"})
    assert not settings.warm_answers
    app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store, "TESTING": True})
    assert WARMER_KEY not in app.extensions
    store.close()


def test_the_warming_thread_ends_with_the_app() -> None:
    store = open_store("memory")
    settings = Settings(store="memory", source_dir=ROOT)
    app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store, "TESTING": True})
    warmer: AnswerWarmer = app.extensions[WARMER_KEY]
    assert warmer.running
    del app
    gc.collect()
    assert not warmer.running, "the warming thread outlived its app"
    store.close()


def test_a_bad_switch_is_refused() -> None:
    from e2kg.errors import ConfigError

    with pytest.raises(ConfigError, match="E2KG_WARM_ANSWERS"):
        Settings.from_environment({"E2KG_WARM_ANSWERS": "sometimes"})
