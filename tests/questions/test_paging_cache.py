"""Answers a page at a time (pages partition the answer, totals and links right) and the answer
cache (a hit serves the same answer; a write through the service changes the next answer)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.questions import Answer, answer_question, default_catalogue
from e2kg.questions.cache import AnswerCache
from e2kg.questions.paging import DEFAULT_SIZE, MAX_SIZE, page_of
from e2kg.resources.version import note_write
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg_testing import LiveServer, serving

ROOT = Path(__file__).resolve().parents[2]

TIMEOUT = 30
JSON = {"Accept": "application/json"}
TOKEN = "paging-cache-test-token"
QUESTION = "leading-departments"
"""The question with the most rows on the real graph."""


@pytest.fixture(scope="module")
def writable() -> Iterator[LiveServer]:
    """The app on its own memory store holding the real graph, writes allowed with TOKEN."""
    store = open_store("memory")
    load_sources(store, ROOT, manifest=None)
    settings = Settings(store="memory", source_dir=ROOT, update_token=TOKEN)
    app = create_app(
        {"E2KG_SETTINGS": settings, "E2KG_STORE": store, "E2KG_QUERY_WORKERS": 0, "TESTING": True}
    )
    with serving(app) as url:
        yield LiveServer(url=url, store=store)
    store.close()


def get(server: LiveServer, path: str, **params: Any) -> requests.Response:
    return requests.get(server.url + path, params=params, headers=JSON, timeout=TIMEOUT)


def links(response: requests.Response) -> dict[str, str]:
    return {relation: link["url"] for relation, link in response.links.items()}


def test_pages_partition_the_answer(real_server: LiveServer) -> None:
    whole = get(real_server, f"/questions/{QUESTION}", page_size=MAX_SIZE).json()
    total = whole["paging"]["total"]
    assert total == len(whole["rows"]) > 5, "the question needs several rows on the real graph"
    size = 2
    collected: list[dict[str, Any]] = []
    url: str | None = f"/questions/{QUESTION}?page_size={size}"
    numbers = []
    while url is not None:
        response = requests.get(real_server.url + url, headers=JSON, timeout=TIMEOUT)
        assert response.status_code == 200
        document = response.json()
        paging = document["paging"]
        numbers.append(paging["page"])
        assert paging["total"] == total and paging["pageSize"] == size
        assert paging["pages"] == -(-total // size)
        assert response.headers["X-Total-Count"] == str(total)
        last_size = total - size * (paging["pages"] - 1)
        expected = size if paging["page"] < paging["pages"] else last_size
        assert len(document["rows"]) == expected
        collected += document["rows"]
        relations = links(response)
        assert relations["first"].endswith("page_size=2") and "page=" not in relations["first"]
        assert f"page={paging['pages']}" in relations["last"]
        if paging["page"] == 1:
            assert "previous" not in relations and "previous" not in paging
        else:
            assert f"page={paging['page'] - 1}" in relations["previous"] or paging["page"] == 2
        next_url = paging.get("next")
        assert next_url == relations.get("next")
        url = next_url
    assert numbers == list(range(1, -(-total // size) + 1))
    assert collected == whole["rows"]


def test_the_default_page_and_csv_pages(real_server: LiveServer) -> None:
    response = get(real_server, f"/questions/{QUESTION}")
    paging = response.json()["paging"]
    assert paging["page"] == 1 and paging["pageSize"] == DEFAULT_SIZE
    first = requests.get(
        real_server.url + f"/questions/{QUESTION}",
        params={"format": "csv", "page_size": 3},
        timeout=TIMEOUT,
    )
    second = requests.get(real_server.url + links(first)["next"], timeout=TIMEOUT)
    assert second.status_code == 200 and second.headers["Content-Type"].startswith("text/csv")
    assert "format=csv" in links(first)["next"] and "page=2" in links(first)["next"]
    first_rows, second_rows = first.text.splitlines()[1:], second.text.splitlines()[1:]
    assert first_rows and second_rows and not set(first_rows) & set(second_rows)


def test_the_html_page_links_the_other_pages(real_server: LiveServer) -> None:
    response = requests.get(
        real_server.url + f"/questions/{QUESTION}",
        params={"page": 2, "page_size": 2},
        headers={"Accept": "text/html"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    text = response.text
    assert 'class="page-previous"' in text and 'class="page-first"' in text
    assert "page=3" in text and "page_size=2" in text
    assert text.count("<tr") == 3  # the heading and two rows


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page": "100000"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": str(MAX_SIZE + 1)}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
    ],
)
def test_bad_paging_is_a_400_naming_it(
    real_server: LiveServer, params: dict[str, str], named: str
) -> None:
    response = get(real_server, f"/questions/{QUESTION}", **params)
    assert response.status_code == 400
    assert named in response.json()["message"]


def test_pages_of_an_empty_answer() -> None:
    question = default_catalogue().get("definitions")
    empty = Answer(question=question, language="en", parameters={})
    page = page_of(empty, 1, 10)
    assert (page.total, page.pages, page.next, page.previous) == (0, 1, None, None)


def test_the_cache_serves_until_the_version_moves(store: Store) -> None:
    cache = AnswerCache(store)
    question = default_catalogue().get(QUESTION)
    calls = []

    def compute() -> Answer:
        calls.append(1)
        return answer_question(store, question, {}, language="en")

    first = cache.get_or_compute(QUESTION, {}, "en", compute)
    again = cache.get_or_compute(QUESTION, {}, "en", compute)
    assert again is first and len(calls) == 1
    cache.get_or_compute(QUESTION, {}, "de", compute)
    assert len(calls) == 2  # another language is another entry
    note_write(store)
    cache.get_or_compute(QUESTION, {}, "en", compute)
    assert len(calls) == 3
    stats = cache.stats()
    assert (stats.entries, stats.hits, stats.misses) == (1, 1, 3)


def test_the_cache_stays_within_its_bound(store: Store) -> None:
    question = default_catalogue().get(QUESTION)
    size = len(answer_question(store, question, {}).rows)
    cache = AnswerCache(store, max_bytes=1)
    cache.get_or_compute(QUESTION, {}, "en", lambda: answer_question(store, question, {}))
    assert cache.stats().entries == 0 and size > 0  # larger than a quarter of the bound: not kept


def test_a_write_through_the_service_changes_the_next_answer(writable: LiveServer) -> None:
    path = "/questions/quotes"
    before = get(writable, path).json()
    assert before == get(writable, path).json()  # the second from the cache
    quote = next(row["restsOn"] for row in before["rows"] if row["restsOn"])
    pattern = f"WHERE {{ GRAPH ?g {{ <{quote}> ?p ?o }} }}"
    response = requests.post(
        writable.url + "/sparql",
        data={"update": f"DELETE {{ GRAPH ?g {{ <{quote}> ?p ?o }} }} {pattern}"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 204, response.text
    after = get(writable, path).json()
    assert [row["restsOn"] for row in after["rows"]] == [
        row["restsOn"] for row in before["rows"] if row["restsOn"] != quote
    ]
    assert after["paging"]["total"] == before["paging"]["total"] - 1
