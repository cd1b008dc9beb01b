"""The write gate's work follows the write, not the store: the same write reads as many quads
from the seed store as from the seed store with ten thousand more triples.

``GateOutcome.reads`` counts the quads the gate reads to find the change and the nodes it touches
(old triples of a graph, quads matching an update's templates, graphs holding a triple,
referrers); ``fetched`` the triples of the validation neighbourhood (what the store says about
the touched nodes: it may grow with data about those nodes, it stays far below the store). The
previous gate read every quad of the store twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from submission_testing import ROOT

from e2kg.loading import load_sources
from e2kg.store import Store, open_store
from e2kg.store.terms import to_ntriples
from e2kg.submissions.context import ValidationContext
from e2kg.submissions.gate import GateOutcome, check_write, graph_change, update_change

ENTRY = ROOT / "tests" / "data" / "entries" / "valid" / "existing-publisher.ttl"
DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
GRAPH = URIRef("https://w3id.org/e2kg/submission/gate-work")
OBSERVATION = "https://w3id.org/e2kg/id/observation/example-2016_leading_hr"
SHARE = "https://w3id.org/e2kg/def/core#share"


def filler(path: Path) -> Path:
    """Ten thousand more triples, made here (the same on every machine; bench/data is not in git)."""
    lines = []
    for number in range(2_500):
        finding = f"<https://w3id.org/e2kg/id/observation/filler-{number}>"
        graph = f"<https://w3id.org/e2kg/source/graph/studies/filler-{number % 50}.ttl>"
        lines += [
            f'{finding} <{SHARE}> "{number % 100}.0"^^<{DECIMAL}> {graph} .',
            f"{finding} <http://purl.org/linked-data/cube#dataSet> "
            f"<https://w3id.org/e2kg/id/dataset/filler-{number % 50}> {graph} .",
            f"{finding} <https://w3id.org/e2kg/def/core#department> "
            f"<https://w3id.org/e2kg/id/concept/department/hr> {graph} .",
            f'{finding} <http://www.w3.org/2000/01/rdf-schema#label> "filler {number}" {graph} .',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Store]]:
    """The seed store and the seed store with thousands more triples, each with the entry."""
    directory = tmp_path_factory.mktemp("gate-work")
    opened: dict[str, Store] = {}
    for name in ("seed", "larger"):
        store = open_store(str(directory / name))
        load_sources(store, ROOT, manifest=None)
        if name == "larger":
            more = filler(directory / "filler.nq")
            store.load(more, media_type="application/n-quads", graph=URIRef("urn:e2kg:filler"))
        store.replace_graph(GRAPH, ENTRY, media_type="text/turtle")
        opened[name] = store
    assert opened["larger"].triple_count() >= opened["seed"].triple_count() + 5_000
    yield opened
    for store in opened.values():
        store.close()


def entry_lines() -> str:
    entry = Graph().parse(ENTRY, format="turtle")
    return " ".join(
        " ".join(to_ntriples(term) for term in triple) + " ."
        for triple in entry
        if str(triple[0]).startswith("https://w3id.org/e2kg/id/observation/")
    )


WRITES = {
    "insert data": lambda: update_change(
        "INSERT DATA { GRAPH <urn:e2kg:test:copy> { " + entry_lines() + " } }"
    ),
    "delete insert where": lambda: update_change(
        f"DELETE {{ GRAPH <{GRAPH}> {{ <{OBSERVATION}> <{SHARE}> ?s }} }} "
        f"INSERT {{ GRAPH <{GRAPH}> {{ <{OBSERVATION}> <{SHARE}> 13.0 }} }} "
        f"WHERE {{ GRAPH <{GRAPH}> {{ <{OBSERVATION}> <{SHARE}> ?s }} }}"
    ),
    "breaking update": lambda: update_change(
        f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ <{OBSERVATION}> <{SHARE}> ?s }} }}"
    ),
    "graph store put": lambda: graph_change(
        GRAPH,
        body=ENTRY.read_bytes().replace(b"12.0", b"13.0"),
        media_type="text/turtle",
        replace=True,
    ),
}


def check(store: Store, name: str) -> GateOutcome:
    return check_write(store, ValidationContext(store, ROOT), WRITES[name]())


@pytest.mark.parametrize("name", sorted(WRITES))
def test_the_gate_reads_as_much_on_a_larger_store(stores: dict[str, Store], name: str) -> None:
    seed, larger = check(stores["seed"], name), check(stores["larger"], name)
    assert seed.delta is not None and larger.delta is not None  # not the full-copy path
    assert seed.changes == larger.changes > 0
    assert seed.report.conforms == larger.report.conforms == (name != "breaking update")
    assert seed.reads == larger.reads
    # the neighbourhood holds what the store says about the touched nodes: a few hundred triples
    assert max(seed.fetched, larger.fetched) < 1_000 < stores["seed"].triple_count()
