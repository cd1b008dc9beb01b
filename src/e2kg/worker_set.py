"""The query worker processes of one store: started from a forkserver over RocksDB checkpoints of
the store, handed out idle and fresh, replaced when killed, and moved to a new checkpoint after a
write (``e2kg.query_worker`` runs the queries on them).

Each worker reads a snapshot of the store: ``Store.backup`` (a RocksDB checkpoint, hard links on
the same file system, milliseconds) into a private directory. The service process keeps the one
writable store. After a write through the service (``store_changed``) the snapshots are stale; a
stale worker is told to open a new checkpoint (no new process) before it answers the next query, so
a query sent after a write returns sees that write, and back-to-back writes cost each reader one
checkpoint, not a process start. Once no write came for ``COMPACT_AFTER`` seconds (and once after
start, as the service writes its question catalogue when it starts), the store is compacted in the
background and the workers move to a snapshot without the small files of those writes.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.forkserver
import os
import queue
import shutil
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from e2kg.allocator import preload_environment
from e2kg.errors import E2kgError, StoreUnavailable
from e2kg.store.oxigraph import OxigraphStore
from e2kg.worker_handle import Worker
from e2kg.worker_process import worker_main

LOGGER = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("forkserver")
"""Never forked from the service process (it runs threads and holds an open RocksDB): forked from
a clean forkserver with the worker's module imported, so a new worker does not import e2kg again."""
_CONTEXT.set_forkserver_preload(["e2kg.worker_process"])
START_TIMEOUT = 60.0
"""Seconds a new worker may take to start and open its snapshot."""
REFRESH_INTERVAL = 0.25
"""Idle workers are moved to a new snapshot at most this often (queries never wait for it)."""
COMPACT_AFTER = 1.0
"""Seconds without a write after which the store is compacted and the workers moved to a snapshot
of the compacted store (``OxigraphStore.compact``: a checkpoint of a store with writes in its
memtable gives its readers small level-0 files that made heavy queries cost 16-25 % more CPU)."""


class WorkerSet:
    """``size`` worker processes over snapshots of ``store``; ``generation`` counts its writes."""

    def __init__(self, store: OxigraphStore, size: int, *, timeout: float) -> None:
        self.store = store
        self.size = size
        self.timeout = timeout
        """Longest wait for an idle worker (the query timeout), named in the error."""
        self.generation = 0
        self.lock = threading.Lock()
        self.closed = False
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        """Idle workers, the one that answered last on top: under a light load the same few
        workers answer, and their RocksDB block caches stay warm."""
        self._all: set[Worker] = set()
        remove_abandoned_snapshots(store.path.parent)
        self._snapshots = Path(
            tempfile.mkdtemp(prefix=f"e2kg-snapshots-{os.getpid()}-", dir=store.path.parent)
        )
        self._stale = threading.Event()
        self._refresher: threading.Thread | None = None
        self._compacted = False
        """Whether the store was compacted after its last write (unknown at start: no)."""
        self._last_write = time.monotonic()

    def start(self) -> None:
        """Start the workers in the background (the first query does it when nobody did)."""
        with self.lock:
            if self._refresher is not None or self.closed:
                return
            self._refresher = threading.Thread(
                target=self._refresh_forever, name="e2kg-worker-refresh", daemon=True
            )
        start_forkserver()
        self._stale.set()  # the first round of the refresher starts the workers
        self._refresher.start()

    def count(self) -> int:
        with self.lock:
            return len(self._all)

    def changed(self) -> None:
        """The store was written: every worker must move to a new snapshot before its next query."""
        with self.lock:
            self.generation += 1
            self._compacted = False
            self._last_write = time.monotonic()
        self._stale.set()

    def current(self) -> int:
        """The store generation now (a query must read at least this one)."""
        with self.lock:
            return self.generation

    def wait_until_fresh(self, timeout: float) -> bool:
        """Wait until ``size`` workers run on a snapshot of the current store; False on timeout."""
        deadline = time.monotonic() + timeout
        self.start()
        while time.monotonic() < deadline:
            with self.lock:
                fresh = [w for w in self._all if w.generation == self.generation]
            if len(fresh) >= self.size:
                return True
            self._stale.set()
            time.sleep(0.05)
        return False

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            workers = list(self._all)
            self._all.clear()
        self._stale.set()
        for worker in workers:
            worker.stop(kill=True)
        shutil.rmtree(self._snapshots, ignore_errors=True)

    def pids(self) -> list[int]:
        """Process ids of the current workers (for tests and the operator)."""
        with self.lock:
            return sorted(w.process.pid for w in self._all if w.process.pid is not None)

    # -- handing workers out -----------------------------------------------------------------------

    def take(self, needed: int, deadline: float) -> Worker:
        """An idle live worker on a snapshot of at least generation ``needed``.

        The caller holds a running slot, and there are as many workers as slots, so one is idle
        or being started; the wait is the start of a replacement at most.
        """
        while True:
            remaining = deadline - time.monotonic()
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                self._stale.set()  # none idle: make sure missing workers are being started
                worker = None
            try:
                worker = worker or self._idle.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                raise StoreUnavailable(
                    f"no query worker became available within {self.timeout:g} s "
                    "(E2KG_QUERY_TIMEOUT); try again later"
                ) from None
            if not worker.process.is_alive():
                self.replace(worker, kill=True)
                continue
            if worker.generation < needed and not self._reopened(worker):
                continue
            return worker

    def release(self, worker: Worker) -> None:
        """``worker`` answered and is ready for the next query."""
        self._idle.put(worker)

    def replace(self, worker: Worker, *, kill: bool) -> None:
        """Stop ``worker`` now; the refresher starts its successor in the background."""
        with self.lock:
            self._all.discard(worker)
        worker.stop(kill=kill)
        self._stale.set()

    # -- snapshots ---------------------------------------------------------------------------------

    def _reopened(self, worker: Worker) -> bool:
        """Move ``worker`` to the newest snapshot; False (and the worker replaced) if it cannot."""
        try:
            self._reopen(worker)
        except E2kgError:
            LOGGER.exception("a query worker could not open a new snapshot")
            self.replace(worker, kill=True)
            return False
        return True

    def _reopen(self, worker: Worker) -> None:
        """Move ``worker`` to a snapshot of the store as it is now (same process)."""
        with self.lock:
            generation = self.generation
        directory, snapshot = self._snapshot()
        try:
            worker.connection.send(("open", str(snapshot)))
            if not worker.connection.poll(START_TIMEOUT):
                raise StoreUnavailable("a query worker did not open its new snapshot in time")
            reply = worker.read()
            if reply[0] != "ready":
                raise StoreUnavailable("a query worker failed to open its new snapshot")
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        old, worker.directory, worker.generation = worker.directory, directory, generation
        shutil.rmtree(old, ignore_errors=True)

    def _snapshot(self) -> tuple[Path, Path]:
        if self.closed:
            raise StoreUnavailable("the query service is shutting down")
        directory = Path(tempfile.mkdtemp(prefix="worker-", dir=self._snapshots))
        snapshot = directory / "store"
        try:
            self.store.store.backup(str(snapshot))
        except OSError as error:
            shutil.rmtree(directory, ignore_errors=True)
            raise StoreUnavailable(
                f"cannot snapshot the store for a query worker: {error}"
            ) from error
        return directory, snapshot

    def _refresh_forever(self) -> None:
        """Start missing workers; move idle stale ones to a new snapshot, at most every
        REFRESH_INTERVAL (a query that finds a stale worker moves it itself)."""
        while not self.closed:
            self._stale.wait(None if self._compacted else COMPACT_AFTER)
            self._stale.clear()
            with self.lock:
                missing = self.size - len(self._all)
            try:
                for worker in self._start_many(max(missing, 0)):
                    self._idle.put(worker)
            except E2kgError:
                if self.closed:
                    break
                LOGGER.exception("could not start the query workers")
                time.sleep(1)  # retried when a query next waits for a worker, at most each second
            self._compact_when_quiet()
            idle = self._drain_idle()
            stale = [w for w in idle if w.generation < self.generation and not self.closed]
            for worker in reversed(idle):  # the fresh ones back at once, in the same order
                if worker not in stale:
                    self._idle.put(worker)
            for worker in stale:
                if self._reopened(worker):
                    self._idle.put(worker)
            reopened = bool(stale)
            if reopened:
                time.sleep(REFRESH_INTERVAL)  # back-to-back writes: one refresh per interval

    def _compact_when_quiet(self) -> None:
        """Compact the store if nothing was written for COMPACT_AFTER seconds, then make every
        worker stale, so that this round of the refresher moves the idle ones to a snapshot of the
        compacted store (and a query its worker)."""
        with self.lock:
            generation = self.generation
            if self._compacted or time.monotonic() - self._last_write < COMPACT_AFTER:
                return
        try:
            self.store.compact()
        except E2kgError:
            LOGGER.exception("could not compact the store for the query workers' snapshots")
            with self.lock:
                self._compacted = True  # not again until the next write
            return
        with self.lock:
            if self.generation == generation:  # no write meanwhile
                self._compacted = True
            self.generation += 1  # the workers move to a snapshot of the compacted store

    def _drain_idle(self) -> list[Worker]:
        """Every idle worker, taken out of the queue, the one used last first."""
        idle: list[Worker] = []
        while True:
            try:
                idle.append(self._idle.get_nowait())
            except queue.Empty:
                return idle

    # -- starting ----------------------------------------------------------------------------------

    def _start_many(self, count: int) -> list[Worker]:
        with self.lock:
            generation = self.generation
        launched = [self._launch(generation) for _ in range(count)]
        return [self._await_ready(*item) for item in launched]

    def _launch(self, generation: int) -> tuple[BaseProcess, Connection, Path, int]:
        directory, snapshot = self._snapshot()
        parent_end, child_end = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=worker_main,
            args=(child_end, str(snapshot)),
            name="e2kg-query-worker",
            daemon=True,
        )
        process.start()
        child_end.close()
        return process, parent_end, directory, generation

    def _await_ready(
        self, process: BaseProcess, connection: Connection, directory: Path, generation: int
    ) -> Worker:
        worker = Worker(process, connection, directory, generation)
        if not connection.poll(START_TIMEOUT):
            worker.stop(kill=True)
            raise StoreUnavailable(f"a query worker did not start within {START_TIMEOUT:g} s")
        try:
            connection.recv()
        except EOFError as error:
            worker.stop(kill=True)
            raise StoreUnavailable("a query worker failed to open its store snapshot") from error
        with self.lock:
            if self.closed:
                worker.stop(kill=True)
                raise StoreUnavailable("the query service is shutting down")
            self._all.add(worker)
        return worker


def start_forkserver() -> None:
    """Start the forkserver the workers fork from, with ``ALLOCATOR`` preloaded where installed
    (the forkserver and every worker inherit it; ``e2kg serve`` preloads it in the service process
    too, see ``e2kg.allocator``)."""
    preload = preload_environment(os.environ)
    # The forkserver inherits this process's environment when it starts, and only then.
    os.environ.update(preload)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        for name in preload:
            del os.environ[name]


def remove_abandoned_snapshots(folder: Path) -> None:
    """Remove snapshot folders left behind by service processes that no longer run."""
    for candidate in folder.glob("e2kg-snapshots-*-*"):
        pid = candidate.name.split("-")[2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(candidate, ignore_errors=True)
        except PermissionError:
            pass  # a live process of another user
