"""Time the SHACL write gate in process: the old full-copy check against the change-sized one.

For an embedded Oxigraph store holding the seed sources (and, with ``--data``, an N-Quads file
such as bench/data/100000-2012.nq loaded once), it checks two writes through
``submissions.gate.check_write`` without applying them: an ``INSERT DATA`` of a study entry (one
finding with its study, data set and evidence) and a Graph Store PUT of the same entry. "old" is
the previous algorithm (copy every named graph, dump before and after, compare, validate against
the whole dump), still the slow path of memory and remote stores; "new" is the default path.
Prints the median of ``--runs`` runs of each and the ratio. Usage::

    .venv/bin/python bench/gate_timing.py [--data bench/data/100000-2012.nq] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, URIRef

from e2kg.loading import load_sources
from e2kg.store import Store, open_store
from e2kg.store.terms import to_ntriples
from e2kg.submissions.context import ValidationContext
from e2kg.submissions.gate import Change, check_write, graph_change, update_change
from e2kg.submissions.queries import submission_query

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "tests" / "data" / "entries" / "valid" / "existing-publisher.ttl"
GRAPH = URIRef("https://w3id.org/e2kg/submission/gate-timing")


def old_way(change: Change) -> Change:
    """The same change, forced onto the full-copy path."""
    return Change(lambda _store: None, change.apply, change.description)


def old_graph_put(body: bytes) -> Change:
    """A Graph Store PUT applied to the full copy (the previous gate's ``graph_change``)."""

    def apply(copy: Store) -> None:
        copy.replace_graph(GRAPH, body, media_type="text/turtle")

    return Change(lambda _store: None, apply, "graph-store")


def median_seconds(
    store: Store, context: ValidationContext, change: Callable[[], Change], runs: int
) -> float:
    """The median time of ``runs`` checks of a fresh ``change()`` (its parse included)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        check_write(store, context, change())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="an N-Quads file to load besides the seed")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--old-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="e2kg-gate-timing-") as directory:
        store = open_store(str(Path(directory) / "store"))
        load_sources(store, ROOT, manifest=None)
        if args.data is not None:
            store.load(args.data, media_type="application/n-quads", graph=URIRef("urn:e2kg:bench"))
        count = store.triple_count()
        context = ValidationContext(store, ROOT)
        entry = Graph().parse(ENTRY, format="turtle")
        lines = " ".join(" ".join(to_ntriples(term) for term in triple) + " ." for triple in entry)
        insert = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {lines} }} }}"
        body = ENTRY.read_bytes()
        cases: dict[str, tuple[Callable[[], Change], Callable[[], Change]]] = {
            "INSERT DATA of an entry": (
                lambda: update_change(insert),
                lambda: old_way(update_change(insert)),
            ),
            "Graph Store PUT of an entry": (
                lambda: graph_change(GRAPH, body=body, media_type="text/turtle", replace=True),
                lambda: old_graph_put(body),
            ),
        }
        store.construct(submission_query("graph-triples"), bindings={"graph": GRAPH})
        print(f"store: {count} triples; runs: new {args.runs}, old {args.old_runs}")
        for name, (new, old) in cases.items():
            check_write(store, context, new())  # warm: context, prepared queries
            new_time = median_seconds(store, context, new, args.runs)
            old_time = median_seconds(store, context, old, args.old_runs)
            outcome = check_write(store, context, new())
            print(
                f"{name}: new {new_time * 1000:.1f} ms, old {old_time * 1000:.1f} ms, "
                f"old/new {old_time / new_time:.1f}x; conforms={outcome.report.conforms}, "
                f"changes={outcome.changes}, quads read={outcome.reads}, neighbourhood={outcome.fetched}"
            )
        store.close()


if __name__ == "__main__":
    main()
