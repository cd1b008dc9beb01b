"""Resource page and search times in process (Flask test client on an embedded store): every page
type, cold and warm.

    .venv/bin/python bench/page_timing.py --store /tmp/P/store-1m [--repeat 5] [--only concept]
    .venv/bin/python bench/page_timing.py                  # the seed graph in a temporary store

``--store`` reuses a directory loaded before (``e2kg load`` or ``Store.load`` of
``bench/data/*-2012.nq``); without it the project's ontology/, shapes/ and graph/ are loaded into a
temporary store. Pages point at generated resources (the first ``gen-`` study, organisation,
person, quote, article) when the store holds generated data, else at the seed graph's.

- **cold**: median of ``--repeat`` requests, each right after ``note_write`` (a new dataset
  version: no cached page, no conditional 304) — the first request after a write;
- **warm**: median of ``--repeat`` requests with no write in between (page cache hits).

The search index build the application starts is awaited before measuring. A cold search is the
first after a write: it starts a rebuild of the index and answers from the previous index after at
most the configured wait (``stale``); the time of that rebuild is printed separately.

Prints a Markdown table (milliseconds, response size); ``--json FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from pathlib import Path

from timing_common import ID, SCHEMA, cold_and_warm, sample, wait_for_index

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.search import SearchIndex
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg.web.context import STORE_KEY
from e2kg.web.search import INDEX_KEY

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def opened(location: str | None) -> Iterator[tuple[Store, str]]:
    """The store at ``location``, or a temporary one filled with the project's sources."""
    if location:
        with open_store(location) as store:
            yield store, location
        return
    with tempfile.TemporaryDirectory() as folder:
        temporary = str(Path(folder) / "store")
        with open_store(temporary) as store:
            load_sources(store, ROOT, manifest=None)
            yield store, temporary


def page_urls(store: Store) -> dict[str, str]:
    """Page type -> URL of the page measured."""
    generated = sample(store, SCHEMA + "Report", ID + "study/gen-") is not None
    mark = "gen-" if generated else ""
    paths = {
        "study": sample(store, SCHEMA + "Report", ID + "study/" + mark),
        "department": "concept/department/hr",
        "article": sample(store, SCHEMA + "BlogPosting", ID + "article/" + mark),
        "quote": sample(store, SCHEMA + "Quotation", ID + "quote/" + mark),
        "organisation": sample(store, SCHEMA + "Organization", ID + "organization/" + mark),
        "person": sample(store, SCHEMA + "Person", ID + "person/" + mark),
        "concept": "concept/role/leading",
        "scheme": "scheme/department",
    }
    urls = {f"page {kind}": f"/id/{path}" for kind, path in paths.items() if path}
    if generated:  # the seed graph's departments have fewer findings than one page
        urls["page department, findings page 2"] = "/id/concept/department/hr?findings=2"
    urls["page ontology term"] = "/def/core"
    urls["search"] = "/search?q=Personalabteilung"
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="a store directory loaded before (else the seed graph)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", help="measure only names containing this text")
    parser.add_argument("--skip", action="append", default=[], help="skip names containing this")
    parser.add_argument("--json", help="write the figures to this file")
    options = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with opened(options.store) as (store, location):
        settings = Settings(store=location, source_dir=ROOT)
        if "warm_answers" in {field.name for field in fields(Settings)}:
            # No answer warming after each write: it would compete with the page being measured.
            settings = replace(settings, warm_answers=False)
        app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store})
        client = app.test_client()
        served = app.extensions[STORE_KEY]  # the store the app serves (may wrap ``store``)
        index: SearchIndex | None = app.extensions.get(INDEX_KEY)
        print(f"search index built in the background in {wait_for_index(index):.1f} s")
        for name, url in page_urls(store).items():
            if options.only and options.only not in name:
                continue
            if any(text in name for text in options.skip):
                continue
            results[name] = cold_and_warm(client, served, url, options.repeat)
            if name == "search":  # each cold search started a rebuild of the index
                results[name]["rebuild_s"] = wait_for_index(index)
            print(f"{name} {url}: {results[name]}", flush=True)
    print("\n| request | cold p50 ms | warm p50 ms | KiB |")
    print("| --- | ---: | ---: | ---: |")
    for name, figures in results.items():
        print(
            f"| {name} | {figures['cold_ms']:,.1f} | {figures['warm_ms']:,.1f} | "
            f"{figures['bytes'] / 1024:,.0f} |"
        )
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
