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
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph
from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generator
from harness import ROOT, SPARQL_JSON, load_e2kg

from e2kg.config import Settings
from e2kg.store import open_store
from e2kg.web.app import create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--query", nargs="+", default=["lookup", "group-by"])
    options = parser.parse_args(argv)
    data = ROOT / "bench" / "data" / f"{options.triples}-{options.seed}.nq"
    names = generator.generate(data, options.triples, options.seed)
    with tempfile.TemporaryDirectory() as folder:
        location = f"{folder}/store"
        load_e2kg(location, str(data))
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
