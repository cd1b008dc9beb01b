"""Median time to answer a study page (HTML) on the seed graph, in-process through the Flask app.

    .venv/bin/python bench/page_timing.py [--store memory|oxigraph] [--runs 30] [--path /id/study/x]

The store is filled from the project's ontology/, shapes/ and graph/ first; the dataset version is
bumped before every request so no response comes from a conditional 304.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.resources.version import note_write
from e2kg.store import open_store
from e2kg.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=["memory", "oxigraph"], default="oxigraph")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--path", default="/id/study/deloitte-2012")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        location = "memory" if options.store == "memory" else str(Path(folder) / "store")
        store = open_store(location)
        load_sources(store, ROOT, manifest=None)
        app = create_app(
            {"E2KG_SETTINGS": Settings(store=location, source_dir=ROOT), "E2KG_STORE": store}
        )
        client = app.test_client()
        assert client.get(options.path).status_code == 200  # warm-up
        times = []
        for _ in range(options.runs):
            note_write(store)
            started = time.perf_counter()
            response = client.get(options.path, headers={"Accept": "text/html"})
            times.append(time.perf_counter() - started)
            assert response.status_code == 200
        store.close()
    print(
        f"{options.path} on {options.store} (seed graph): median "
        f"{statistics.median(times) * 1000:.1f} ms, min {min(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms over {options.runs} runs"
    )


if __name__ == "__main__":
    main()
