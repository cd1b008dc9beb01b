"""Embedded Oxigraph on disk (RocksDB) against an in-memory pyoxigraph store kept durable by a journal.

Generates ~100k synthetic finding triples, then times, on both: loading, restart (open the directory
vs. replay the journal), a point lookup and a GROUP BY aggregation. Prints medians and ratios
(memory / disk; below 1 means the in-memory store is faster). Usage:

    .venv/bin/python bench/store/disk_vs_memory.py [--observations 12500] [--repeat 15]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

BASE = "https://w3id.org/e2kg/"
DEPARTMENTS = ["hr", "it", "marketing", "communication", "management", "sales", "rnd", "finance"]
LOOKUP = f"""
SELECT ?p ?o WHERE {{ <{BASE}id/observation/study-0042_indicator-3_it> ?p ?o }}
"""
GROUP_BY = f"""
PREFIX e2kg: <{BASE}def/core#>
SELECT ?department (COUNT(?obs) AS ?n) (AVG(?share) AS ?mean) WHERE {{
  ?obs a <http://purl.org/linked-data/cube#Observation> ;
       e2kg:department ?department ;
       e2kg:share ?share .
}} GROUP BY ?department ORDER BY DESC(?mean)
"""


def generate(path: Path, observations: int) -> int:
    """Write an N-Triples file of ``observations`` findings (8 triples each); return the count."""
    core = f"{BASE}def/core#"
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(observations):
            study = f"study-{i // 100:04d}"
            department = DEPARTMENTS[i % len(DEPARTMENTS)]
            obs = f"<{BASE}id/observation/{study}_indicator-{i % 100 // 8}_{department}>"
            share = f"{(i * 37) % 1000 / 10:.1f}"
            out.write(
                f"{obs} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                "<http://purl.org/linked-data/cube#Observation> .\n"
                f"{obs} <http://purl.org/linked-data/cube#dataSet> <{BASE}id/dataset/{study}> .\n"
                f"{obs} <{core}department> <{BASE}id/concept/department/{department}> .\n"
                f"{obs} <{core}indicator> <{BASE}id/concept/indicator/i{i % 12}> .\n"
                f'{obs} <{core}share> "{share}"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
                f"{obs} <http://www.w3.org/ns/prov#hadPrimarySource> <{BASE}id/study/{study}> .\n"
                f'{obs} <http://www.w3.org/2000/01/rdf-schema#label> "Befund {i}"@de .\n'
                f'{obs} <http://www.w3.org/2000/01/rdf-schema#label> "finding {i}"@en .\n'
            )
            lines += 8
    return lines


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median_time(action: Callable[[], object], repeat: int) -> float:
    action()  # warm-up
    return statistics.median(timed(action) for _ in range(repeat))


def run_query(store: ox.Store, query: str) -> int:
    return sum(1 for _ in store.query(query, use_default_graph_as_union=True))


class JournalledMemoryStore:
    """An in-memory pyoxigraph store whose writes are appended to an N-Quads journal first."""

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self.store = ox.Store()
        if journal.exists():
            self.store.load(path=str(journal), format=ox.RdfFormat.N_QUADS)

    def load(self, path: Path, graph: ox.NamedNode) -> None:
        quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in ox.parse(path=str(path))]
        with self.journal.open("ab") as out:
            ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
            out.flush()
        self.store.extend(quads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=12_500)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    graph = ox.NamedNode(f"{BASE}source/bench/findings.nt")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "findings.nt"
        triples = generate(data, args.observations)
        print(f"{triples} triples, {args.repeat} runs each, median seconds")

        disk_dir = work / "store"
        journal = work / "journal.nq"
        disk = ox.Store(str(disk_dir))
        results: dict[str, tuple[float, float]] = {}
        load_disk = timed(
            lambda: disk.load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        )
        memory = JournalledMemoryStore(journal)
        load_memory = timed(lambda: memory.load(data, graph))
        results["load (transactional)"] = (load_disk, load_memory)

        del disk, memory
        gc.collect()
        reopen_disk = timed(
            lambda: run_query(ox.Store(str(disk_dir)), "SELECT * { ?s ?p ?o } LIMIT 1")
        )
        gc.collect()
        reopen_memory = timed(lambda: JournalledMemoryStore(journal))
        results["restart (open / replay)"] = (reopen_disk, reopen_memory)

        disk = ox.Store(str(disk_dir))
        memory = JournalledMemoryStore(journal)
        assert run_query(disk, GROUP_BY) == run_query(memory.store, GROUP_BY) == len(DEPARTMENTS)
        assert run_query(disk, LOOKUP) == run_query(memory.store, LOOKUP) > 0
        for name, query in (("point lookup", LOOKUP), ("GROUP BY aggregation", GROUP_BY)):
            results[name] = (
                median_time(lambda q=query: run_query(disk, q), args.repeat),
                median_time(lambda q=query: run_query(memory.store, q), args.repeat),
            )

    print(f"{'operation':<26}{'disk':>12}{'memory+journal':>16}{'memory/disk':>13}")
    for name, (on_disk, in_memory) in results.items():
        print(f"{name:<26}{on_disk:>12.5f}{in_memory:>16.5f}{in_memory / on_disk:>13.2f}")


if __name__ == "__main__":
    main()
