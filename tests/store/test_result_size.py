"""Raw results of the embedded store: small ones in one piece on the caller's thread, big ones streamed.

A result is serialised into a bounded buffer first; one that outgrows it starts over in a producer
thread and streams. Either way it comes back complete, and an engine error after the first bytes is
raised, never a silently shortened result.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from rdflib import URIRef

from e2kg.errors import StoreError
from e2kg.store import open_store
from e2kg.store import oxigraph as oxigraph_module
from e2kg.store.oxigraph import OxigraphStore
from e2kg.store.streaming import SMALL_RESULT_BYTES, BoundedBuffer, serialize_small

GRAPH = URIRef("https://w3id.org/e2kg/source/graph/rows.nt")
ROWS = 100_000
JSON = "application/sparql-results+json"
ALL_ROWS = "SELECT ?s ?o WHERE { ?s <http://x/p> ?o }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    """100,000 rows of <http://x/sN> <http://x/p> "N", and one long literal at the end of the order."""
    location = tmp_path_factory.mktemp("rows") / "store"
    document = "".join(f'<http://x/s{i:06d}> <http://x/p> "{i}" .\n' for i in range(ROWS))
    tail = "x" * (2 * SMALL_RESULT_BYTES)
    document += f'<http://x/zz> <http://x/long> "{tail}" .\n'
    opened = open_store(str(location))
    assert isinstance(opened, OxigraphStore)
    opened.load(document.encode(), media_type="application/n-triples", graph=GRAPH)
    yield opened
    opened.close()


def refuse_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make starting a producer thread fail the test."""

    def no_stream(*args: object, **kwargs: object) -> None:
        raise AssertionError("a small result started a producer thread")

    monkeypatch.setattr(oxigraph_module, "stream", no_stream)


def test_a_small_result_comes_in_one_piece_without_a_producer_thread(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_threads(monkeypatch)
    raw = store.query_raw("SELECT ?o WHERE { <http://x/s000042> ?p ?o }", JSON)
    chunks = list(raw.chunks)
    assert len(chunks) == 1
    assert json.loads(chunks[0])["results"]["bindings"] == [
        {"o": {"type": "literal", "value": "42"}}
    ]
    ask = store.query_raw("ASK { <http://x/s000042> ?p ?o }", JSON)
    assert json.loads(b"".join(ask.chunks)) == {"head": {}, "boolean": True}
    described = store.query_raw("DESCRIBE <http://x/s000007>", "application/n-triples")
    assert b"".join(described.chunks) == b'<http://x/s000007> <http://x/p> "7" .\n'


def test_a_big_result_streams_complete(store: OxigraphStore) -> None:
    raw = store.query_raw(ALL_ROWS, JSON)
    chunks = list(raw.chunks)
    assert len(chunks) > 1
    bindings = json.loads(b"".join(chunks))["results"]["bindings"]
    assert len(bindings) == ROWS
    assert sorted(int(row["o"]["value"]) for row in bindings) == list(range(ROWS))

    triples = b"".join(
        store.query_raw("CONSTRUCT WHERE { ?s <http://x/p> ?o }", "application/n-triples").chunks
    )
    assert sorted(triples.splitlines()) == [
        f'<http://x/s{i:06d}> <http://x/p> "{i}" .'.encode() for i in range(ROWS)
    ]


def test_a_result_that_grows_big_after_its_first_rows_still_streams(
    store: OxigraphStore,
) -> None:
    # One short row first, then every row of the store.
    query = (
        "SELECT ?s ?o WHERE { { VALUES ?s { <http://x/s000001> } ?s <http://x/p> ?o } "
        "UNION { ?s <http://x/p> ?o } }"
    )
    chunks = list(store.query_raw(query, "text/csv").chunks)
    assert len(chunks) > 1
    lines = b"".join(chunks).decode().split("\r\n")
    assert lines[0] == "s,o" and lines[-1] == ""
    assert len(lines) == 1 + 1 + ROWS + 1  # header, the short row, every row, the final newline
    assert lines.count("http://x/s000001,1") == 2
    assert len(set(lines)) == 1 + ROWS + 1
    # A single row bigger than the buffer: the result starts over as a stream, complete.
    query = (
        "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(?s IN (<http://x/s000001>, <http://x/s000002>, "
        "<http://x/zz>)) }"
    )
    lines = b"".join(store.query_raw(query, "text/csv").chunks).decode().split("\r\n")
    long_row = "http://x/zz," + "x" * (2 * SMALL_RESULT_BYTES)
    assert sorted(lines) == sorted(
        ["s,o", "http://x/s000001,1", "http://x/s000002,2", long_row, ""]
    )


def count_evaluations(store: OxigraphStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The queries the store hands to the engine from now on."""
    evaluated: list[str] = []
    real = store._query

    def counting(query: str, *args: Any) -> Any:
        evaluated.append(query)
        return real(query, *args)

    monkeypatch.setattr(store, "_query", counting)
    return evaluated


def test_a_big_result_is_evaluated_twice_only_when_nothing_sorts_it(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated = count_evaluations(store, monkeypatch)
    assert sum(1 for _ in store.query_raw(ALL_ROWS, "text/csv").chunks) > 1
    assert len(evaluated) == 2  # the buffer overflowed; the stream started over

    evaluated.clear()
    grouped = "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s <http://x/p> ?o } GROUP BY ?o"
    lines = b"".join(store.query_raw(grouped, "text/csv").chunks).splitlines()
    assert len(lines) == 1 + ROWS
    assert len(evaluated) == 1  # a grouped (or sorted) query streams from the start

    evaluated.clear()
    top = "SELECT ?s WHERE { ?s <http://x/p> ?o } ORDER BY DESC(?s) LIMIT 3"
    assert b"".join(store.query_raw(top, "text/csv").chunks).splitlines() == [
        b"s",
        b"http://x/s099999",
        b"http://x/s099998",
        b"http://x/s099997",
    ]
    assert len(evaluated) == 1


def failing_after(limit: int) -> Callable[[Any, IO[bytes], str], None]:
    """A stand-in for the store's serialiser: the real bytes, then an engine error at ``limit``."""
    real = oxigraph_module._serialize

    class Failing:
        def __init__(self, output: IO[bytes]) -> None:
            self.output, self.written = output, 0

        def write(self, data: bytes) -> int:
            if self.written + len(data) > limit:
                raise RuntimeError("the engine failed half-way")
            self.written += len(data)
            return self.output.write(data)

        def flush(self) -> None:
            pass

    def serialize(result: Any, output: IO[bytes], media_type: str) -> None:
        real(result, Failing(output), media_type)  # type: ignore[arg-type]

    return serialize


def test_an_error_in_a_small_result_is_raised_before_any_byte(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oxigraph_module, "_serialize", failing_after(100))
    with pytest.raises(StoreError, match="failed half-way"):
        store.query_raw("SELECT ?s ?o WHERE { ?s <http://x/p> ?o } LIMIT 50", JSON)


def test_an_error_after_the_first_chunks_of_a_big_result_is_raised_to_the_reader(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oxigraph_module, "_serialize", failing_after(4 * SMALL_RESULT_BYTES))
    chunks = store.query_raw(ALL_ROWS, JSON).chunks
    received = [next(chunks)]
    with pytest.raises(StoreError, match="failed half-way"):
        received.extend(chunks)
    assert 0 < sum(map(len, received)) <= 4 * SMALL_RESULT_BYTES


def test_the_bounded_buffer_gives_up_past_its_limit() -> None:
    assert serialize_small(lambda output: output.write(b"x" * 10), limit=10) == b"x" * 10
    assert serialize_small(lambda output: output.write(b"x" * 11), limit=10) is None
    buffer = BoundedBuffer(4)
    buffer.write(b"ab")
    buffer.write(b"cd")
    assert buffer.getvalue() == b"abcd"


def test_a_closed_store_after_a_small_result_still_hands_it_over(tmp_path: Path) -> None:
    location = str(tmp_path / "store")
    with open_store(location) as opened:
        opened.load(
            b"<http://x/a> <http://x/p> <http://x/b> .\n",
            media_type="application/n-triples",
            graph=GRAPH,
        )
        raw = opened.query_raw("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "text/csv")
    assert b"".join(raw.chunks) == b"s,p,o\r\nhttp://x/a,http://x/p,http://x/b\r\n"
