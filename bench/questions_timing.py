"""Answer and page times in process (Flask test client on an embedded store): every ready-made
question, every resource page type and /search, cold and warm.

    .venv/bin/python bench/questions_timing.py --data bench/data/100000-2012.nq [--repeat 7]
    .venv/bin/python bench/questions_timing.py --store /tmp/loaded-store   # a store loaded before
    .venv/bin/python bench/questions_timing.py                             # the seed graph

``--data`` loads an N-Quads file into a temporary store (deleted at the end); ``--store`` reuses a
directory already loaded (the app publishes the question catalogue into it at start). Parameters
point at generated resources (the first ``gen-`` study, company, person, quote, article) when the
store holds generated data, else at the catalogue's examples.

- **cold**: median of ``--repeat`` requests, each right after ``note_write`` (a new dataset version:
  no answer cache entry, no conditional 304);
- **warm**: median of ``--repeat`` requests with no write in between (answer and page cache hits);
- **warmed**: for the questions the background warming covers (no parameter given), median of
  ``--repeat`` first requests after a write once warming finished (answer, chart and first page
  body cached, as the app warms them); ``warming_s`` is how long warming took after the write
  (its 1 s delay included). The app runs with ``E2KG_WARM_ANSWERS`` off, so warming never competes with the
  cold and warm measurements; an ``AnswerWarmer`` is started only for the warmed ones.

The search index build the app starts is awaited before measuring (its time is printed); a cold
search starts a background rebuild and answers within 2 s from the previous index (stale), and the
rebuild is awaited before the next measurement.

Prints a Markdown table (milliseconds, response size) and, with ``--json FILE``, writes the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from rdflib import URIRef
from timing_common import ID, cold_and_warm, sample, timed, wait_for_index

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.questions import default_catalogue
from e2kg.questions.warming import AnswerWarmer
from e2kg.resources.version import note_write
from e2kg.search import SearchIndex
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg.web.context import STORE_KEY
from e2kg.web.questions import page_warmer
from e2kg.web.search import INDEX_KEY

ROOT = Path(__file__).resolve().parents[1]
BENCH_GRAPH = URIRef("https://w3id.org/e2kg/source/graph/benchmark-default.nq")


@contextmanager
def opened(options: argparse.Namespace) -> Iterator[tuple[Store, str]]:
    """The store to measure and its location, loaded as the options say."""
    if options.store:
        with open_store(options.store) as store:
            yield store, options.store
        return
    with tempfile.TemporaryDirectory() as folder:
        location = str(Path(folder) / "store")
        with open_store(location) as store:
            started = time.perf_counter()
            if options.data:
                store.load(Path(options.data), media_type="application/n-quads", graph=BENCH_GRAPH)
            else:
                load_sources(store, ROOT, manifest=None)
            print(f"loaded in {time.perf_counter() - started:.1f} s")
            yield store, location


def requests(store: Store) -> dict[str, str]:
    """Name -> URL of everything measured."""
    schema = "http://schema.org/"
    generated = sample(store, schema + "Report", ID + "study/gen-") is not None
    mark = "gen-" if generated else ""
    study = sample(store, schema + "Report", ID + "study/" + mark) or "study/deloitte-2012"
    company = sample(store, schema + "Organization", ID + "organization/" + mark)
    person = sample(store, schema + "Person", ID + "person/" + mark)
    quote = sample(store, schema + "Quotation", ID + "quote/" + mark)
    article = sample(store, schema + "BlogPosting", ID + "article/" + mark)
    by_base = {ID + "study/": study.removeprefix("study/"), ID: company or "organization/ibm"}
    speaker = {"speaker": person or "person/oprah-winfrey"}
    urls: dict[str, str] = {}
    for question in default_catalogue():
        resources = [p for p in question.parameters if p.type == "resource"]
        if generated and any(p.base not in by_base for p in resources):
            continue  # about a resource kind the generator does not make (the barcamp session)
        values = {
            p.name: by_base.get(p.base or "", p.example) if generated else p.example
            for p in question.parameters
            if p.required and p.example
        }
        if question.id == "quotes" and generated:
            values.update(speaker)
        urls[f"question {question.id}"] = (
            f"/questions/{question.id}?{urlencode({**values, 'format': 'json'})}"
        )
        if question.id in ("driver-portfolio", "leading-departments", "quotes"):
            urls[f"question {question.id} (html)"] = (
                f"/questions/{question.id}?{urlencode({**values, 'format': 'html'})}"
            )
    pages = {
        "study": study,
        "department": "concept/department/hr",
        "article": article,
        "quote": quote,
        "organisation": company,
        "person": person,
        "concept": "concept/role/leading",
        "scheme": "scheme/department",
    }
    for kind, path in pages.items():
        if path:
            urls[f"page {kind}"] = f"/id/{path}"
    urls["page ontology term"] = "/def/core"
    urls["search"] = "/search?q=Personalabteilung"
    return urls


def warmed(app: Flask, client: FlaskClient, url: str, name: str, repeat: int) -> dict[str, float]:
    """The first request after a write once background warming (as the app does it: answer,
    chart, first page bodies) finished, and how long it took."""
    served = app.extensions[STORE_KEY]
    question = next(q for q in default_catalogue() if q.id == name.split()[1])
    warmer = AnswerWarmer(served, [question], also=page_warmer(app))
    warmer.start()
    firsts, warming = [], []
    try:
        for _ in range(repeat):
            note_write(served)
            started = time.perf_counter()
            if not warmer.wait_warm(600):
                raise SystemExit(f"{name}: not warmed within 600 s")
            warming.append(time.perf_counter() - started)
            firsts.append(timed(client, url)[0])
    finally:
        warmer.stop(60)
    return {
        "warmed_ms": statistics.median(firsts) * 1000,
        "warming_s": statistics.median(warming),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", help="an N-Quads file to load into a temporary store")
    source.add_argument("--store", help="a store directory loaded before")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", help="measure only names containing this text")
    parser.add_argument("--skip", action="append", default=[], help="skip names containing this")
    parser.add_argument("--json", help="write the figures to this file")
    options = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with opened(options) as (store, location):
        settings = Settings(store=location, source_dir=ROOT, warm_answers=False)
        app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store})
        client = app.test_client()
        served = app.extensions[STORE_KEY]  # the store the app serves (may wrap ``store``)
        index: SearchIndex | None = app.extensions.get(INDEX_KEY)
        started = time.perf_counter()
        wait_for_index(index)  # the build the app starts would slow whatever runs beside it
        print(f"search index built in the background in {time.perf_counter() - started:.1f} s")
        for name, url in requests(store).items():
            if options.only and options.only not in name:
                continue
            if any(text in name for text in options.skip):
                continue
            results[name] = cold_and_warm(client, served, url, options.repeat)
            if name == "search":
                wait_for_index(index)  # each cold search started a rebuild
            if name.startswith("question ") and set(parse_qs(urlsplit(url).query)) == {"format"}:
                results[name].update(warmed(app, client, url, name, options.repeat))
            print(f"{name}: {results[name]}", flush=True)
    print("\n| request | cold p50 ms | warm p50 ms | warmed first p50 ms | warming s | bytes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, figures in results.items():
        first = f"{figures['warmed_ms']:.1f}" if "warmed_ms" in figures else "n/a"
        warming = f"{figures['warming_s']:.1f}" if "warming_s" in figures else "n/a"
        print(
            f"| {name} | {figures['cold_ms']:.1f} | {figures['warm_ms']:.1f} | {first} | "
            f"{warming} | {figures['bytes']:,} |"
        )
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
