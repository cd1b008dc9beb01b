"""Queries of the embedded store in killable worker processes: the timeout with real cancellation.

pyoxigraph cannot cancel a running query and Python threads cannot be killed, so a query runs in a
worker process and a query that outlives ``E2KG_QUERY_TIMEOUT`` is stopped by killing its worker
(SIGKILL); a fresh worker takes its place and the client gets 503 naming the limit.

Each worker opens its own snapshot of the store: ``Store.backup`` (a RocksDB checkpoint, hard links
on the same file system, milliseconds) into a private directory, opened as an ordinary
``OxigraphStore``. The service process keeps the one writable store. After a write through the
service (``store_changed``) the workers' snapshots are stale; a stale worker is replaced before it
answers the next query, so a query sent after a write returns sees that write.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from rdflib import URIRef

from e2kg import errors
from e2kg.errors import E2kgError, QueryTimeout, StoreError, StoreUnavailable
from e2kg.query_runner import QueryRunner
from e2kg.store import Dataset, QueryForm, RawResult
from e2kg.store.oxigraph import OxigraphStore

LOGGER = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("spawn")
"""Spawned, never forked: the service process runs threads and holds an open RocksDB."""

START_TIMEOUT = 60.0
"""Seconds a new worker may take to import e2kg and open its snapshot."""


def worker_main(connection: Connection, snapshot: str) -> None:
    """The worker process: open the snapshot, then answer queries until told to stop."""
    store = OxigraphStore(Path(snapshot), timeout=float("inf"))
    connection.send(("ready",))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            break
        if message[0] == "stop":
            break
        _, query, media_type, default, named = message
        dataset = (
            Dataset(default=[URIRef(g) for g in default], named=[URIRef(g) for g in named])
            if default or named
            else None
        )
        started = False
        try:
            result = store.query_raw(query, media_type, dataset=dataset)
            for chunk in result.chunks:
                if not started:
                    connection.send(("start", result.form.value, result.media_type))
                    started = True
                connection.send(("chunk", chunk))
            if not started:
                connection.send(("start", result.form.value, result.media_type))
            connection.send(("end",))
        except E2kgError as error:
            connection.send(("error", type(error).__name__, error.message, error.detail))
        except Exception as error:  # a fault of the engine, reported, the worker lives on
            connection.send(("error", "StoreError", f"query failed: {error}", {}))
    store.close()


@dataclass(eq=False)
class Worker:
    """A worker process, its end of the pipe, its snapshot directory and the store generation."""

    process: BaseProcess
    connection: Connection
    directory: Path
    generation: int

    def stop(self, *, kill: bool) -> None:
        """End the process (SIGKILL when ``kill``) and remove its snapshot."""
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(("stop",))
            except (OSError, ValueError):
                self.process.kill()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=10)
        self.connection.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class WorkerPool(QueryRunner):
    """``size`` worker processes over snapshots of ``store``; queries over ``timeout`` are killed."""

    def __init__(self, store: OxigraphStore, *, size: int = 2, timeout: float = 30.0) -> None:
        self.store = store
        self.size = size
        self.timeout = timeout
        self.generation = 0
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        remove_abandoned_snapshots(store.path.parent)
        self._snapshots = Path(
            tempfile.mkdtemp(prefix=f"e2kg-snapshots-{os.getpid()}-", dir=store.path.parent)
        )
        self._stale = threading.Event()
        self._refresher: threading.Thread | None = None
        atexit.register(self.close)  # workers and snapshots go with the service process

    def start(self) -> None:
        """Start the workers in the background (the first query does it when nobody did)."""
        with self._lock:
            if self._refresher is not None or self._closed:
                return
            self._refresher = threading.Thread(
                target=self._refresh_forever, name="e2kg-worker-refresh", daemon=True
            )
        self._stale.set()  # the first round of the refresher starts the workers
        self._refresher.start()

    # -- QueryRunner -------------------------------------------------------------------------------

    def run(self, query: str, media_type: str, *, dataset: Dataset | None = None) -> RawResult:
        deadline = time.monotonic() + self.timeout
        self.start()
        worker = self._acquire(deadline)
        default = [str(g) for g in dataset.default] if dataset else []
        named = [str(g) for g in dataset.named] if dataset else []
        try:
            worker.connection.send(("query", query, media_type, default, named))
            first = self._receive(worker, deadline)
        except BaseException:
            self._replace(worker, kill=True)
            raise
        if first[0] == "error":
            self._release(worker)
            raise _rebuild_error(first[1], first[2], first[3])
        _, form, answered_type = first
        return RawResult(
            form=QueryForm(str(form)),
            media_type=str(answered_type),
            chunks=self._chunks(worker, deadline),
        )

    def store_changed(self) -> None:
        with self._lock:
            self.generation += 1
        self._stale.set()

    def wait_until_fresh(self, timeout: float) -> bool:
        """Wait until ``size`` workers run on a snapshot of the current store; False on timeout."""
        deadline = time.monotonic() + timeout
        self.start()
        while time.monotonic() < deadline:
            with self._lock:
                fresh = [w for w in self._all if w.generation == self.generation]
            if len(fresh) >= self.size:
                return True
            time.sleep(0.05)
        return False

    def _refresh_forever(self) -> None:
        """Replace idle workers whose snapshot is older than the last write, in the background."""
        while not self._closed:
            self._stale.wait()
            self._stale.clear()
            with self._lock:
                missing = self.size - len(self._all)
            try:
                for worker in self._start_many(max(missing, 0)):
                    self._idle.put(worker)
            except E2kgError:
                LOGGER.exception("could not start the query workers")
            for _ in range(self._idle.qsize()):
                try:
                    worker = self._idle.get_nowait()
                except queue.Empty:
                    break
                if worker.generation == self.generation or self._closed:
                    self._idle.put(worker)
                    continue
                self._discard(worker, kill=False)
                try:
                    self._idle.put(self._start_many(1)[0])
                except E2kgError:
                    LOGGER.exception("could not start a replacement query worker")

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        self._stale.set()
        for worker in workers:
            worker.stop(kill=True)
        shutil.rmtree(self._snapshots, ignore_errors=True)

    def pids(self) -> list[int]:
        """Process ids of the current workers (for tests and the operator)."""
        with self._lock:
            return sorted(w.process.pid for w in self._all if w.process.pid is not None)

    # -- workers -----------------------------------------------------------------------------------

    def _start_many(self, count: int) -> list[Worker]:
        with self._lock:
            generation = self.generation
        launched = [self._launch(generation) for _ in range(count)]
        return [self._await_ready(*item) for item in launched]

    def _launch(self, generation: int) -> tuple[BaseProcess, Connection, Path, int]:
        if self._closed:
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
        with self._lock:
            if self._closed:
                worker.stop(kill=True)
                raise StoreUnavailable("the query service is shutting down")
            self._all.add(worker)
        return worker

    def _acquire(self, deadline: float) -> Worker:
        while True:
            remaining = deadline - time.monotonic()
            try:
                worker = self._idle.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                raise QueryTimeout(
                    f"every query worker stayed busy for the whole time limit of {self.timeout:g} s "
                    "(E2KG_QUERY_TIMEOUT); try again later"
                ) from None
            if worker.generation == self.generation and worker.process.is_alive():
                return worker
            # A snapshot from before the last write, or a dead process: wait for a fresh worker.
            self._replace(worker, kill=False)

    def _release(self, worker: Worker) -> None:
        self._idle.put(worker)

    def _discard(self, worker: Worker, *, kill: bool) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop(kill=kill)

    def _replace(self, worker: Worker, *, kill: bool) -> None:
        """Stop ``worker`` now; the refresher starts its successor in the background."""
        self._discard(worker, kill=kill)
        self._stale.set()

    def _receive(self, worker: Worker, deadline: float) -> tuple[object, ...]:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not worker.connection.poll(remaining):
            raise QueryTimeout(
                f"the query ran longer than the limit of {self.timeout:g} s "
                "(E2KG_QUERY_TIMEOUT) and was stopped"
            )
        try:
            message: tuple[object, ...] = worker.connection.recv()
        except EOFError as error:
            raise StoreError("the query worker ended unexpectedly") from error
        return message

    def _chunks(self, worker: Worker, deadline: float) -> Iterator[bytes]:
        finished = False
        try:
            while True:
                message = self._receive(worker, deadline)
                if message[0] == "chunk":
                    chunk = message[1]
                    assert isinstance(chunk, bytes)
                    yield chunk
                elif message[0] == "end":
                    finished = True
                    return
                else:
                    finished = True  # the worker reported and is ready for the next query
                    raise _rebuild_error(message[1], message[2], message[3])
        finally:
            if finished:
                self._release(worker)
            else:
                # Timed out mid-stream, or the client went away: the worker is still writing.
                self._replace(worker, kill=True)


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


def _rebuild_error(name: object, message: object, detail: object) -> E2kgError:
    """The worker's error as the same class in this process."""
    cls = getattr(errors, str(name), None)
    text = str(message)
    details = detail if isinstance(detail, dict) else {}
    if isinstance(cls, type) and issubclass(cls, E2kgError):
        try:
            return cls(text, detail=details)
        except TypeError:
            pass
    return StoreError(text, detail=details)
