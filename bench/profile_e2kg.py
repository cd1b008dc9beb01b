"""Where an e2kg request spends its time: pyinstrument over the Flask app, beside bare pyoxigraph.

    .venv/bin/python bench/profile_e2kg.py [--triples 100000] [--requests 200] [--query lookup]

Loads the generated file (bench/generator.py) into a fresh embedded store the way the harness does,
builds the app in-process (``create_app`` with the store, no query worker processes: a profiler
sees one process only) and sends ``--requests`` requests of a query of bench/queries/ through
Flask's test client (no sockets, no gunicorn) under pyinstrument. Prints, per query, the median
time of (a) pyoxigraph alone on the same store, serialising SPARQL JSON, (b) the app through the
test client, and the profile of (b).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph
from flask.testing import FlaskClient
from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generator
from harness import ROOT, SPARQL_JSON, load_e2kg

from e2kg.config import Settings
from e2kg.store import open_store
from e2kg.web.app import create_app


def app_for(location: str) -> Iterator[FlaskClient]:
    """A test client of the app on the store at ``location``, queries in-process."""
    settings = dataclasses.replace(Settings.from_environment(), store=location, source_dir=ROOT)
    with open_store(location) as store:
        app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store, "E2KG_QUERY_WORKERS": 0})
        yield app.test_client()


def profile_path(location: str, path: str, options: argparse.Namespace) -> None:
    """Median time and profile of ``--requests`` GETs of ``path``."""
    with contextlib.contextmanager(app_for)(location) as client:
        client.get(path)
        profiler = Profiler(interval=0.0005)
        timings = []
        profiler.start()
        for _ in range(options.requests):
            started = time.perf_counter()
            response = client.get(path, headers={"Accept": "text/html"})
            assert response.status_code == 200, response.status_code
            timings.append((time.perf_counter() - started) * 1000)
        profiler.stop()
    print(f"\n### GET {path}: median {statistics.median(timings):.2f} ms")
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def profile_validation(location: str, names: generator.Names) -> None:
    """Validation of a new entry by the app's context: first call (builds it), then steady state."""
    from e2kg.submissions.context import ValidationContext
    from e2kg.submissions.formats import parse_entry

    article = names.studies[0].replace("/id/study/", "/id/article/")
    entry_text = generator.new_entry(article).encode("utf-8")
    with open_store(location) as store:
        context = ValidationContext(store, ROOT)
        entry = parse_entry(entry_text, "text/turtle")
        timings = []
        profiler = Profiler(interval=0.001)
        for round_ in range(6):
            if round_ == 1:
                profiler.start()
            started = time.perf_counter()
            report = context.validate(entry)
            timings.append((time.perf_counter() - started) * 1000)
        profiler.stop()
    print(
        f"\n### validation of a {len(entry)}-triple entry: first {timings[0]:.0f} ms "
        f"(builds the context), then median {statistics.median(timings[1:]):.0f} ms; "
        f"conforms: {report.conforms}"
    )
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def names_of(data: Path, triples: int, seed: int) -> generator.Names:
    """The studies and findings of the generated file; it is written only when it is missing
    (bench/data/ is shared: a file being rewritten could be read half-way by someone else)."""
    if not data.exists():
        return generator.generate(data, triples, seed)
    studies: set[str] = set()
    findings: set[str] = set()
    count = 0
    with data.open(encoding="utf-8") as lines:
        for line in lines:
            count += 1
            subject = line.split(" ", 1)[0].strip("<>")
            if "/id/study/" in subject:
                studies.add(subject)
            elif "/id/observation/" in subject:
                findings.add(subject)
    return generator.Names(studies=sorted(studies), findings=sorted(findings), triples=count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--query", nargs="*", default=["lookup", "group-by"])
    parser.add_argument("--path", nargs="*", default=[], help="GET paths, e.g. /id/study/{study}")
    parser.add_argument("--validate", action="store_true", help="time validation of a new entry")
    options = parser.parse_args(argv)
    data = ROOT / "bench" / "data" / f"{options.triples}-{options.seed}.nq"
    names = names_of(data, options.triples, options.seed)
    with tempfile.TemporaryDirectory() as folder:
        location = f"{folder}/store"
        load_e2kg(location, str(data))
        for path in options.path:
            profile_path(
                location, path.replace("{study}", names.studies[0].rsplit("/", 1)[1]), options
            )
        if options.validate:
            profile_validation(location, names)
        for name in options.query:
            text = (ROOT / "bench" / "queries" / f"{name}.rq").read_text()
            queries = [
                text.replace("WHERE {", f"WHERE {{ VALUES ?resource {{ <{finding}> }}", 1)
                if name == "lookup"
                else text
                for finding in names.findings[: options.requests]
            ]
            bare = pyoxigraph.Store.read_only(location)
            timings = []
            for query in queries:
                started = time.perf_counter()
                result = bare.query(query, use_default_graph_as_union=True)
                result.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
                timings.append((time.perf_counter() - started) * 1000)
            del bare
            print(f"\n### {name}: pyoxigraph alone, median {statistics.median(timings):.2f} ms")
            settings = dataclasses.replace(
                Settings.from_environment(), store=location, source_dir=ROOT
            )
            with open_store(location) as store:
                app = create_app(
                    {"E2KG_SETTINGS": settings, "E2KG_STORE": store, "E2KG_QUERY_WORKERS": 0}
                )
                client = app.test_client()
                for query in queries[:20]:  # warm-up
                    client.get(
                        f"/sparql?{urlencode({'query': query})}", headers={"Accept": SPARQL_JSON}
                    )
                profiler = Profiler(interval=0.0005)
                timings = []
                profiler.start()
                for query in queries:
                    started = time.perf_counter()
                    response = client.get(
                        f"/sparql?{urlencode({'query': query})}", headers={"Accept": SPARQL_JSON}
                    )
                    assert response.status_code == 200 and response.data
                    timings.append((time.perf_counter() - started) * 1000)
                profiler.stop()
                print(
                    f"### {name}: e2kg app (test client), median {statistics.median(timings):.2f} ms"
                )
                print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
