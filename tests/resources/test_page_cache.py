"""The cache of rendered resources: a repeated request is served from it, every write through the
service (which moves the dataset version) makes the next request build the page anew."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.store import open_store
from e2kg.web.app import create_app
from e2kg.web.context import STORE_KEY
from e2kg.web.resources import page_cache
from e2kg_testing import serving

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "page-cache-test-token"
TIMEOUT = 30
QUOTE = "https://w3id.org/e2kg/id/quote/grabmeier-keine-spasskonzepte"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def app_and_url() -> Iterator[tuple[Flask, str]]:
    store = open_store("memory")
    load_sources(store, ROOT, manifest=None)
    settings = Settings(store="memory", source_dir=ROOT, update_token=TOKEN)
    app = create_app(
        {"E2KG_SETTINGS": settings, "E2KG_STORE": store, "E2KG_QUERY_WORKERS": 0, "TESTING": True}
    )
    with serving(app) as url:
        yield app, url
    store.close()


def test_a_repeat_is_served_from_the_cache_and_a_write_rebuilds(
    app_and_url: tuple[Flask, str],
) -> None:
    app, url = app_and_url
    store = app.extensions[STORE_KEY]
    cache = page_cache(store)
    rows = store.select(f"SELECT ?text WHERE {{ <{QUOTE}> <http://schema.org/text> ?text }}").rows
    text = str(rows[0]["text"])[:30]  # the start: no character HTML escapes
    path = url + "/id/quote/grabmeier-keine-spasskonzepte"
    first = requests.get(path, headers=HTML, timeout=TIMEOUT)
    hits = cache.stats().hits
    second = requests.get(path, headers=HTML, timeout=TIMEOUT)
    assert first.status_code == second.status_code == 200
    assert second.text == first.text and cache.stats().hits == hits + 1
    assert text in first.text
    turtle = requests.get(path, headers={"Accept": "text/turtle"}, timeout=TIMEOUT)
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    assert "<html" not in turtle.text  # another form is another entry

    pattern = f"WHERE {{ GRAPH ?g {{ <{QUOTE}> ?p ?o }} }}"
    response = requests.post(
        url + "/sparql",
        data={"update": f"DELETE {{ GRAPH ?g {{ <{QUOTE}> ?p ?o }} }} {pattern}"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 204, response.text
    after = requests.get(path, headers=HTML, timeout=TIMEOUT)
    assert after.status_code in (200, 404)
    assert after.text != first.text  # the quote's own triples are gone from the page
    assert text not in after.text
