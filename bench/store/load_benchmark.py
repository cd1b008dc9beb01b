"""Load benchmark: e2kg's load path into the embedded store beside ``oxigraph load``, same file, same run.

Generates a deterministic N-Triples file shaped like graph/ (studies, Data Cube observations with
``e2kg:share`` decimals, passages with German text, labels in German and English), then measures

(a) e2kg: ``Store.replace_graph`` of the file into a named graph of a fresh embedded store, the call
    ``e2kg load`` makes for each source file, and
(b) ``oxigraph load --location <dir> --file <file>`` (the Oxigraph CLI from the venv),

prints triples/s for both and the ratio, and writes the figures as JSON (default
``bench/results/store-load.json``). Not a test: run it by hand.

    .venv/bin/python bench/store/load_benchmark.py [--triples 1000000] [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph
from rdflib import URIRef

from e2kg.store import open_store

ROOT = Path(__file__).resolve().parents[2]
OXIGRAPH = Path(sys.executable).with_name("oxigraph")
GRAPH = URIRef("https://w3id.org/e2kg/source/graph/benchmark.nt")

ID = "https://w3id.org/e2kg/id/"
CORE = "https://w3id.org/e2kg/def/core#"
SCHEMA = "http://schema.org/"
QB = "http://purl.org/linked-data/cube#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"

DEPARTMENTS = ("hr", "it", "marketing", "communication", "management", "sales", "service")
ROLES = ("leading", "integrating", "using", "driving")
WORDS = (
    "Unternehmen", "Einführung", "Studie", "Mitarbeiter", "Führungskräfte", "Abteilung", "über",
    "sozialen", "Techniken", "Zusammenarbeit", "Wissensmanagement", "größer", "Prozent", "fällt",
    "Verantwortung", "Kommunikation", "Personalabteilung", "Ergebnis", "befragten", "für", "die",
    "der", "und", "mit", "bei", "ebenfalls", "kaum", "Rolle", "Hauptrolle", "»Social Business«",
)  # fmt: skip


def iri(value: str) -> str:
    return f"<{value}>"


def literal(text: str, language: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if language:
        return f'"{escaped}"@{language}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def generate(path: Path, triples: int) -> int:
    """Write about ``triples`` triples (exactly the returned number) to ``path``, deterministically."""
    rng = random.Random(2012)
    written = 0
    lines: list[str] = []

    def emit(subject: str, predicate: str, obj: str) -> None:
        nonlocal written
        lines.append(f"{subject} {iri(predicate)} {obj} .\n")
        written += 1

    with path.open("w", encoding="utf-8") as out:
        study_number = 0
        while written < triples:
            study_number += 1
            slug = f"study-{study_number:06d}"
            study = iri(f"{ID}study/{slug}")
            year = 2010 + study_number % 10
            emit(study, RDF_TYPE, iri(f"{SCHEMA}Report"))
            emit(study, f"{SCHEMA}name", literal(f"Studie {study_number} {year}", "de"))
            emit(study, f"{SCHEMA}name", literal(f"Study {study_number} {year}", "en"))
            emit(study, f"{SCHEMA}datePublished", literal(str(year), datatype=f"{XSD}gYear"))
            emit(study, f"{SCHEMA}publisher", iri(f"{ID}organization/org-{study_number % 500}"))
            for number in range(8):
                department = DEPARTMENTS[number % len(DEPARTMENTS)]
                role = ROLES[number % len(ROLES)]
                name = f"{slug}_{role}_{department}_{number}"
                observation = iri(f"{ID}observation/{name}")
                passage = iri(f"{ID}passage/{name}")
                share = f"{rng.randint(0, 1000) / 10:.1f}"
                sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30)))
                emit(observation, RDF_TYPE, iri(f"{QB}Observation"))
                emit(observation, f"{QB}dataSet", iri(f"{ID}dataset/{slug}"))
                emit(observation, f"{CORE}department", iri(f"{ID}concept/department/{department}"))
                emit(observation, f"{CORE}role", iri(f"{ID}concept/role/{role}"))
                emit(observation, f"{CORE}share", literal(share, datatype=f"{XSD}decimal"))
                emit(observation, RDFS_LABEL, literal(f"Studie {study_number}: {share} %", "de"))
                emit(observation, RDFS_LABEL, literal(f"Study {study_number}: {share} %", "en"))
                emit(observation, f"{PROV}wasDerivedFrom", passage)
                emit(passage, RDF_TYPE, iri(f"{CORE}Passage"))
                emit(passage, f"{SCHEMA}text", literal(f"{sentence}.", "de"))
                emit(passage, f"{SCHEMA}inLanguage", literal("de"))
            if len(lines) > 10_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines[: len(lines) - (written - triples)])
    return triples


def measure_e2kg(path: Path, work: Path) -> float:
    """Seconds for e2kg's own load of ``path`` into a named graph of a fresh embedded store."""
    location = work / "e2kg-store"
    started = time.perf_counter()
    with open_store(str(location)) as store:
        store.replace_graph(GRAPH, path, media_type="application/n-triples")
        seconds = time.perf_counter() - started
        count = store.triple_count(GRAPH)
    shutil.rmtree(location)
    return seconds if count > 0 else float("nan")


def measure_oxigraph(path: Path, work: Path, *, named_graph: bool = False) -> float:
    """Seconds for ``oxigraph load --location <dir> --file <path>`` (the process, end to end).

    ``named_graph`` adds ``--graph``: the same target as e2kg's (a named graph is indexed six
    ways, the default graph three, so this is the like-for-like comparison).
    """
    location = work / "oxigraph-store"
    extra = ["--graph", str(GRAPH)] if named_graph else []
    started = time.perf_counter()
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(location), "--file", str(path), *extra],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    shutil.rmtree(location)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1, help="runs of each loader (median taken)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/store-load.json")
    arguments = parser.parse_args()
    if not OXIGRAPH.exists():
        parser.error(f"{OXIGRAPH} missing: install the dev extra")

    with tempfile.TemporaryDirectory(prefix="e2kg-load-bench-") as directory:
        work = Path(directory)
        path = work / "benchmark.nt"
        triples = generate(path, arguments.triples)
        size = path.stat().st_size
        print(f"{triples} triples, {size / 1e6:.1f} MB of N-Triples in {path}", flush=True)
        e2kg_runs: list[float] = []
        oxigraph_runs: list[float] = []
        graph_runs: list[float] = []
        for _ in range(arguments.runs):  # alternate, so all see the same machine state
            oxigraph_runs.append(measure_oxigraph(path, work))
            e2kg_runs.append(measure_e2kg(path, work))
            graph_runs.append(measure_oxigraph(path, work, named_graph=True))
        e2kg_seconds = sorted(e2kg_runs)[len(e2kg_runs) // 2]
        oxigraph_seconds = sorted(oxigraph_runs)[len(oxigraph_runs) // 2]
        graph_seconds = sorted(graph_runs)[len(graph_runs) // 2]

    ratio = e2kg_seconds / oxigraph_seconds
    graph_ratio = e2kg_seconds / graph_seconds
    print(f"{'loader':<40}{'seconds':>10}{'triples/s':>14}")
    print(f"{'e2kg Store.replace_graph (embedded)':<40}{e2kg_seconds:>10.2f}"
          f"{triples / e2kg_seconds:>14,.0f}")  # fmt: skip
    print(f"{'oxigraph load':<40}{oxigraph_seconds:>10.2f}"
          f"{triples / oxigraph_seconds:>14,.0f}")  # fmt: skip
    print(f"{'oxigraph load --graph (named graph)':<40}{graph_seconds:>10.2f}"
          f"{triples / graph_seconds:>14,.0f}")  # fmt: skip
    print(f"ratio e2kg/oxigraph load (time): {ratio:.2f} (target <= 1.5)")
    print(f"ratio e2kg/oxigraph load --graph (time): {graph_ratio:.2f}")

    results = {
        "benchmark": "bench/store/load_benchmark.py",
        "command": " ".join([".venv/bin/python", "bench/store/load_benchmark.py", *sys.argv[1:]]),
        "triples": triples,
        "file_bytes": size,
        "runs": arguments.runs,
        "e2kg": {
            "what": "Store.replace_graph(graph, path, media_type='application/n-triples')",
            "seconds": round(e2kg_seconds, 3),
            "triples_per_second": round(triples / e2kg_seconds),
            "all_seconds": [round(s, 3) for s in e2kg_runs],
        },
        "oxigraph_load": {
            "what": "oxigraph load --location DIR --file FILE",
            "seconds": round(oxigraph_seconds, 3),
            "triples_per_second": round(triples / oxigraph_seconds),
            "all_seconds": [round(s, 3) for s in oxigraph_runs],
        },
        "oxigraph_load_named_graph": {
            "what": "oxigraph load --location DIR --file FILE --graph GRAPH",
            "seconds": round(graph_seconds, 3),
            "triples_per_second": round(triples / graph_seconds),
            "all_seconds": [round(s, 3) for s in graph_runs],
        },
        "ratio_e2kg_to_oxigraph_seconds": round(ratio, 3),
        "ratio_e2kg_to_oxigraph_named_graph_seconds": round(graph_ratio, 3),
        "machine": {
            "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__,
            "cpus": os.cpu_count(),
        },
    }
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
