"""Median time to validate a typical new study entry (about 50-70 triples) against a graph.

    .venv/bin/python bench/validation_timing.py                      # the seed graph (graph/)
    .venv/bin/python bench/validation_timing.py --triples 1000000    # bench/data/1000000-2012.nq
    .venv/bin/python bench/validation_timing.py --triples 100000 --old   # and the old way too

The entry is validated the way ``POST /validate`` does it: ``ValidationContext.validate`` (the
study-entry shapes, the kept ontology plus the entry's neighbourhood fetched from the store by
bounded SPARQL, the entry's subjects as focus nodes). Printed: the first validation of a fresh
context (it fetches the ontology), the median of ``--runs`` validations after it, and the number of
triples the neighbourhood held. ``--old`` measures, in the same run, the previous way: a copy of
the whole store (``queries/submissions/context.rq``) built once, the entry validated in it.

The seed graph is loaded into a memory store; a generated graph (bench/data/<triples>-2012.nq,
made by bench/generator.py) is bulk-loaded into an embedded Oxigraph store in ``--store-dir``
(kept and reused when it exists, so a 1 M-triple load is paid once) or a temporary directory.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import URIRef
from werkzeug.datastructures import MultiDict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from e2kg.loading import load_sources  # noqa: E402
from e2kg.sources import Profile  # noqa: E402
from e2kg.store import Store, open_store  # noqa: E402
from e2kg.submissions.context import ValidationContext, _focused, prepared_graph  # noqa: E402
from e2kg.submissions.form import StudyForm  # noqa: E402
from e2kg.submissions.formats import parse_entry  # noqa: E402
from e2kg.submissions.queries import submission_query  # noqa: E402
from e2kg.validation import ValidationReport, validate_in_context  # noqa: E402

ID = "https://w3id.org/e2kg/id/"
GENERATED_GRAPH = URIRef("https://w3id.org/e2kg/source/graph/generated.nq")


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


def generated_store(data: Path, directory: Path) -> tuple[Store, bytes]:
    """An Oxigraph store in ``directory`` holding ``data`` (loaded unless it is there already)."""
    import generator

    with data.open(encoding="utf-8") as lines:
        article = next(
            match.group(1)
            for line in lines
            if (match := re.match(r"<([^>]*/id/article/[^>]*)> ", line))
        )
    fresh = not directory.exists()
    store = open_store(str(directory))
    if fresh:
        started = time.perf_counter()
        store.load(data, media_type="application/n-quads", graph=GENERATED_GRAPH)
        print(f"loaded {data.name} in {time.perf_counter() - started:.1f} s")
    print(f"store: {store.triple_count()} triples in {directory}")
    return store, generator.new_entry(article).encode("utf-8")


def timed(validate: Callable[[], ValidationReport], runs: int) -> tuple[float, list[float]]:
    """The first call's time and the times of ``runs`` more calls (after one warm-up), in ms."""
    started = time.perf_counter()
    validate()
    first = (time.perf_counter() - started) * 1000
    validate()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        validate()
        times.append((time.perf_counter() - started) * 1000)
    return first, times


def summary(label: str, first: float, times: list[float]) -> None:
    print(
        f"{label}: first {first:.1f} ms, then median {statistics.median(times):.1f} ms over "
        f"{len(times)} runs (min {min(times):.1f}, max {max(times):.1f})"
    )


def measure(store: Store, body: bytes, media_type: str, runs: int, old: bool) -> None:
    entry = parse_entry(body, media_type)
    context = ValidationContext(store, ROOT)
    _ = context.shapes  # read from the files, as a running service already has
    report = context.validate(entry)
    print(
        f"entry: {len(entry)} triples; conforms: {report.conforms}; results: {len(report.results)}"
    )
    for result in report.results:
        print(f"  {result.severity.value}: {result.message}")
    context.invalidate()
    first, times = timed(lambda: context.validate(entry), runs)
    with context.lock:
        kept, fetched = len(context.data()), len(context.neighbourhood(entry))
    print(f"context: {kept} kept triples (ontology), {fetched} fetched for the entry")
    summary("new (neighbourhood)", first, times)
    if old:
        new_median = statistics.median(times)
        started = time.perf_counter()
        copy = prepared_graph()
        copy += store.construct(submission_query("context"))
        build = (time.perf_counter() - started) * 1000
        print(f"old: copy of the store, {len(copy)} triples, built in {build / 1000:.1f} s")
        subjects = {node for node in entry.subjects() if isinstance(node, URIRef)}

        def old_way() -> ValidationReport:
            with _focused(copy, subjects):
                return validate_in_context(
                    entry, copy, context.shapes, profile=Profile.STUDY_ENTRY, language="en"
                )

        old_report = old_way()
        same = _keys(old_report) == _keys(report)
        old_first, old_times = timed(old_way, runs)
        summary("old (whole copy, after the build)", old_first, old_times)
        print(
            f"same results: {same}; steady-state ratio old/new: "
            f"{statistics.median(old_times) / new_median:.1f}"
        )


def _keys(report: ValidationReport) -> set[tuple[str, str, str]]:
    return {(str(r.focus_node), str(r.source_shape), r.message) for r in report.results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=0, help="generated graph size (0 = seed)")
    parser.add_argument("--data", type=Path, help="N-Quads file (default bench/data/<n>-2012.nq)")
    parser.add_argument("--store-dir", type=Path, help="embedded store to load once and reuse")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--old", action="store_true", help="also time the whole-store copy")
    options = parser.parse_args(argv)
    if not options.triples and options.data is None:
        store = open_store("memory")
        load_sources(store, ROOT, manifest=None)
        print(f"seed graph: {store.triple_count()} triples")
        measure(store, seed_entry(), "text/turtle", options.runs, options.old)
        return 0
    data = options.data or ROOT / "bench" / "data" / f"{options.triples}-2012.nq"
    with tempfile.TemporaryDirectory(prefix="e2kg-bench-") as scratch:
        store, body = generated_store(data, options.store_dir or Path(scratch) / "store")
        try:
            measure(store, body, "application/n-triples", options.runs, options.old)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
