"""Behaviour only the embedded on-disk store has: persistence, the directory lock, bulk loading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from e2kg.errors import ParseError, StoreUnavailable
from e2kg.store import open_store
from e2kg.store.oxigraph import BULK_LOAD_BYTES, OxigraphStore

GRAPH = URIRef("https://w3id.org/e2kg/source/graph/studies.ttl")
ENTRY = URIRef("https://w3id.org/e2kg/entry/e1")


def test_open_store_picks_oxigraph_for_a_directory(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "store")) as store:
        assert isinstance(store, OxigraphStore)
        assert store.persistent is True
    assert (tmp_path / "store").is_dir()


def test_every_graph_survives_close_and_reopen(tmp_path: Path) -> None:
    location = str(tmp_path / "store")
    with open_store(location) as store:
        store.load(b'<http://x/a> <http://x/p> "eins" .', media_type="text/turtle", graph=GRAPH)
        store.update(f'INSERT DATA {{ GRAPH <{ENTRY}> {{ <http://x/b> <http://x/p> "zwei" }} }}')
    with open_store(location) as reopened:
        assert reopened.graphs() == [ENTRY, GRAPH]
        rows = reopened.select("SELECT ?o WHERE { ?s <http://x/p> ?o } ORDER BY ?o").rows
        assert rows == [{"o": Literal("eins")}, {"o": Literal("zwei")}]


def test_survives_a_separate_process(tmp_path: Path) -> None:
    location = tmp_path / "store"
    script = (
        "from rdflib import URIRef\n"
        "from e2kg.store import open_store\n"
        f"with open_store({str(location)!r}) as s:\n"
        f"    s.load(b'<http://x/a> <http://x/p> <http://x/c> .', media_type='text/turtle',"
        f" graph=URIRef({str(GRAPH)!r}))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    with open_store(str(location)) as store:
        assert store.triple_count(GRAPH) == 1


def test_a_locked_directory_is_store_unavailable(tmp_path: Path) -> None:
    location = str(tmp_path / "store")
    with open_store(location), pytest.raises(StoreUnavailable) as caught:
        open_store(location)
    assert "in use by another process" in caught.value.message
    assert caught.value.status == 503


def test_a_closed_store_is_store_unavailable(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    store.close()
    with pytest.raises(StoreUnavailable):
        store.graphs()


def test_a_large_file_is_bulk_loaded(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    line = '<http://x/s{0}> <http://x/p> "{1}" .\n'
    padding = "x" * 200
    count = BULK_LOAD_BYTES // 220 + 10
    with path.open("w") as out:
        for i in range(count):
            out.write(line.format(i, padding))
    assert path.stat().st_size > BULK_LOAD_BYTES
    with open_store(str(tmp_path / "store")) as store:
        store.load(path, media_type="application/n-triples", graph=GRAPH)
        assert store.triple_count(GRAPH) == count


def test_raw_results_stream_in_chunks(tmp_path: Path) -> None:
    rows = 20_000
    document = "".join(
        f'<http://x/s{i}> <http://x/p> "Zeile {i} mit Umlauten äöü und etwas Text" .\n'
        for i in range(rows)
    ).encode()
    with open_store(str(tmp_path / "store")) as store:
        store.load(document, media_type="application/n-triples", graph=GRAPH)
        raw = store.query_raw("SELECT ?s ?o WHERE { ?s ?p ?o }", "application/sparql-results+json")
        chunks = list(raw.chunks)
        assert len(chunks) > 1
        assert len(json.loads(b"".join(chunks))["results"]["bindings"]) == rows

        raw = store.query_raw("CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
        chunks = list(raw.chunks)
        assert len(chunks) > 1
        assert len(Graph().parse(data=b"".join(chunks), format="turtle")) == rows


def test_an_abandoned_stream_does_not_hold_the_store(tmp_path: Path) -> None:
    location = str(tmp_path / "store")
    document = "".join(f"<http://x/s{i}> <http://x/p> <http://x/o{i}> .\n" for i in range(20_000))
    with open_store(location) as store:
        store.load(document.encode(), media_type="application/n-triples", graph=GRAPH)
        chunks = store.query_raw("SELECT ?s WHERE { ?s ?p ?o }", "text/csv").chunks
        first = next(chunks)
        assert first.startswith(b"s\r\nhttp://x/s")
        del chunks  # the reader goes away mid-result
    with open_store(location) as reopened:  # the directory lock was released
        assert reopened.triple_count(GRAPH) == 20_000


def test_a_large_file_replaces_a_graph_and_a_bad_one_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    count = BULK_LOAD_BYTES // 220 + 10
    with path.open("w") as out:
        for i in range(count):
            out.write(f'<http://x/s{i}> <http://x/p> "{"x" * 200}" .\n')
    with open_store(str(tmp_path / "store")) as store:
        store.load(
            b"<http://x/old> <http://x/p> <http://x/o> .", media_type="text/turtle", graph=GRAPH
        )
        store.replace_graph(GRAPH, path, media_type="application/n-triples")
        assert store.triple_count(GRAPH) == count
        assert not store.ask("ASK { <http://x/old> ?p ?o }")
        with path.open("a") as out:
            out.write("<http://x/broken> <http://x/p> .\n")
        with pytest.raises(ParseError) as caught:
            store.replace_graph(GRAPH, path, media_type="application/n-triples")
        assert caught.value.line == count + 1
        assert store.triple_count(GRAPH) == count
