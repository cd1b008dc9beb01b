"""Median time to validate a typical new study entry (about 50 triples) against a graph.

    .venv/bin/python bench/validation_timing.py                     # the seed graph (graph/)
    .venv/bin/python bench/validation_timing.py --triples 1000000   # a generated graph

The entry is validated the way ``POST /validate`` does it: ``ValidationContext.validate`` (the
study-entry shapes, the store's data fetched once into memory, the entry's subjects as focus
nodes). The context is built before timing starts (once per service, refreshed after writes); the
figure is the median of ``--runs`` validations after two warm-up runs. The seed graph is loaded
into a memory store; a generated graph (bench/generator.py) is bulk-loaded into an embedded
Oxigraph store in a temporary directory. The build time of the context is printed too.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.datastructures import MultiDict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from e2kg.loading import load_sources  # noqa: E402
from e2kg.store import Store, open_store  # noqa: E402
from e2kg.submissions.context import ValidationContext  # noqa: E402
from e2kg.submissions.form import StudyForm  # noqa: E402
from e2kg.submissions.formats import parse_entry  # noqa: E402

ID = "https://w3id.org/e2kg/id/"


def seed_entry() -> bytes:
    """A study with three findings (HR, IT, marketing) citing a real article: about 50 triples."""
    fields = MultiDict(
        {
            "title": "Zeitmessungsstudie 2018",
            "title_en": "Timing study 2018",
            "publisher": f"{ID}organization/bitkom",
            "year": "2018",
            "population": "befragte Unternehmen",
            "article": f"{ID}article/social-business-und-die-rolle-von-hr",
        }
    )
    for department, share in (("hr", "12"), ("it", "40"), ("marketing", "25")):
        fields.add("department", f"{ID}concept/department/{department}")
        fields.add("role", f"{ID}concept/role/leading")
        fields.add("share", share)
        fields.add("qualifier", "")
        fields.add(
            "sentence",
            f"In der Zeitmessungsstudie 2018 nennen {share}% der Unternehmen die Abteilung.",
        )
    entry, _study = StudyForm.from_fields(fields).to_entry("https://w3id.org/e2kg/")
    return entry.serialize(format="turtle", encoding="utf-8")


def generated_store(triples: int, directory: Path) -> tuple[Store, bytes]:
    """An Oxigraph store holding a generated graph of about ``triples``, and an entry for it."""
    import generator

    data = directory / "generated.nq"
    started = time.perf_counter()
    generator.generate(data, triples)
    print(f"generated {data.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s")
    with data.open(encoding="utf-8") as lines:
        article = next(
            match.group(1)
            for line in lines
            if (match := re.match(r"<([^>]*/id/article/[^>]*)> ", line))
        )
    store = open_store(str(directory / "store"))
    started = time.perf_counter()
    store.load(data, media_type="application/n-quads", graph=URIRef_default())
    print(f"loaded {store.triple_count()} triples in {time.perf_counter() - started:.1f} s")
    return store, generator.new_entry(article).encode("utf-8")


def URIRef_default() -> object:  # noqa: N802 - load() needs a graph for triples; N-Quads name theirs
    from rdflib import URIRef

    return URIRef("https://w3id.org/e2kg/source/graph/generated.nq")


def measure(store: Store, body: bytes, media_type: str, runs: int) -> None:
    entry = parse_entry(body, media_type)
    context = ValidationContext(store, ROOT)
    started = time.perf_counter()
    with context.lock:
        size = len(context.data())
    print(f"context: {size} triples fetched in {time.perf_counter() - started:.1f} s")
    report = context.validate(entry)
    print(
        f"entry: {len(entry)} triples; conforms: {report.conforms}; results: {len(report.results)}"
    )
    for result in report.results:
        print(f"  {result.severity.value}: {result.message}")
    context.validate(entry)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        context.validate(entry)
        times.append(time.perf_counter() - started)
    print(
        f"median {statistics.median(times) * 1000:.1f} ms over {runs} runs "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=0, help="generated graph size (0 = seed)")
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args(argv)
    if not options.triples:
        store = open_store("memory")
        load_sources(store, ROOT, manifest=None)
        print(f"seed graph: {store.triple_count()} triples")
        measure(store, seed_entry(), "text/turtle", options.runs)
        return 0
    with tempfile.TemporaryDirectory(prefix="e2kg-bench-") as directory:
        store, body = generated_store(options.triples, Path(directory))
        try:
            measure(store, body, "application/n-triples", options.runs)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
