"""Median answer time per ready-made question on the seed graph, per embedded backend.

Run: .venv/bin/python bench/questions_timing.py [--repeat N]
Loads graph/, ontology/ and shapes/ into a memory and an embedded Oxigraph store with the project's
loading code, then answers every question of the catalogue N times (examples for required
parameters) and prints the median in milliseconds as a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from e2kg.loading import load_sources
from e2kg.questions import answer_question, default_catalogue
from e2kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    arguments = parser.parse_args()
    catalogue = default_catalogue()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, location in (("memory", "memory"), ("oxigraph", f"{folder}/store")):
            with open_store(location) as store:
                load_sources(store, ROOT, manifest=None)
                for question in catalogue:
                    values = {
                        p.name: p.example for p in question.parameters if p.required and p.example
                    }
                    timings = []
                    for _ in range(arguments.repeat):
                        start = time.perf_counter()
                        answer_question(store, question, values)
                        timings.append(time.perf_counter() - start)
                    results.setdefault(question.id, {})[name] = statistics.median(timings) * 1000
    print("| question | memory (ms) | oxigraph (ms) |")
    print("| --- | ---: | ---: |")
    for question_id, by_store in results.items():
        print(f"| {question_id} | {by_store['memory']:.1f} | {by_store['oxigraph']:.1f} |")


if __name__ == "__main__":
    main()
