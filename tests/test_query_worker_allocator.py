"""The query workers run with jemalloc where it is installed (real worker processes, their memory
maps read from /proc), and answer queries with it."""

from __future__ import annotations

import ctypes.util
from pathlib import Path

import pytest

from e2kg.allocator import ALLOCATOR
from e2kg.query_worker import WorkerPool
from e2kg.store.oxigraph import OxigraphStore


@pytest.mark.skipif(
    ctypes.util.find_library(ALLOCATOR) is None, reason=f"{ALLOCATOR} is not installed"
)
def test_workers_run_with_jemalloc_and_answer(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.update(
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> "
        "<http://example.org/p> 1 } }"
    )
    pool = WorkerPool(store, size=2, timeout=20)
    try:
        result = pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv")
        assert b"".join(result.chunks).split() == [b"n", b"1"]
        assert pool.wait_until_fresh(20)
        pids = pool.pids()
        assert len(pids) == 2
        for pid in pids:
            maps = Path(f"/proc/{pid}/maps").read_text()
            assert ALLOCATOR in maps, f"worker {pid} runs without {ALLOCATOR}"
    finally:
        pool.close()
        store.close()
