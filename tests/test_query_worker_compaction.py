"""The query workers read compacted snapshots: once no write came for a moment, the store is
compacted and the workers move to a checkpoint without the small files the writes left, still
answering with everything written (real worker processes on a real embedded store).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2kg.query_worker import WorkerPool
from e2kg.store.oxigraph import OxigraphStore
from e2kg.worker_set import COMPACT_AFTER

EX = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def snapshot_files(store: Path) -> list[int]:
    """Table files per worker snapshot of the store in ``store`` (newest snapshots last)."""
    folders = sorted(
        store.parent.glob("e2kg-snapshots-*/worker-*/store"), key=lambda p: p.stat().st_mtime
    )
    return [len(list(folder.glob("*.sst"))) for folder in folders]


def count(pool: WorkerPool) -> int:
    result = pool.run(COUNT, "text/csv")
    lines = b"".join(result.chunks).decode().split()
    return int(lines[1])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OxigraphStore]:
    opened = OxigraphStore(tmp_path / "store")
    for batch in range(3):  # three writes, three flushes: several small files per index
        opened.update(
            "INSERT DATA { GRAPH <"
            + EX
            + "g> { "
            + " ".join(f"<{EX}s{batch}-{i}> <{EX}p> {i} ." for i in range(50))
            + " } }"
        )
        opened.store.flush()
    yield opened
    opened.close()


def test_workers_move_to_a_compacted_snapshot_and_still_see_every_write(
    store: OxigraphStore,
) -> None:
    probe = store.path.parent / "probe"
    store.store.backup(str(probe))  # a checkpoint as the workers' first ones: before compaction
    before = len(list(probe.glob("*.sst")))
    pool = WorkerPool(store, size=2, timeout=20)
    try:
        assert count(pool) == 150
        deadline = time.monotonic() + COMPACT_AFTER + 20
        generation = pool.workers.current()
        while pool.workers.current() == generation and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool.workers.current() > generation, "the store was never compacted"
        assert pool.wait_until_fresh(20)
        after = snapshot_files(store.path)
        assert len(after) == 2, after
        assert max(after) < before, (before, after)
        assert count(pool) == 150

        store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}late> <{EX}p> 1 }} }}")
        pool.store_changed()
        assert count(pool) == 151  # read-your-writes right after the write, before compaction
    finally:
        pool.close()
