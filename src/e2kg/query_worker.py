"""Queries of the embedded store in killable worker processes: the timeout with real cancellation,
and admission limits so a flood of slow queries cannot starve short ones.

pyoxigraph cannot cancel a running query and Python threads cannot be killed, so a query runs in a
worker process and a query that outlives ``E2KG_QUERY_TIMEOUT`` is stopped by killing its worker
(SIGKILL); a fresh worker takes its place and the client gets 503 naming the limit. Workers are
forked from a forkserver that has e2kg imported already, so a replacement starts in tens of ms.

Admission (``e2kg.query_admission``): ``E2KG_MAX_QUERIES`` workers, a bounded wait queue, 503 or
429 with ``Retry-After`` beyond it. Every query first runs for ``E2KG_SHORT_QUERY_TIME`` with its
result buffered; if it is done by then, its worker is free at once. If not, it needs one of the
``E2KG_MAX_QUERIES - 1`` long-query slots: it goes on where it is when one is free, otherwise its
worker is killed (nothing was sent yet) and the query waits, bounded, for a long slot and runs
again with the full timeout. So one worker always turns over short queries.

Each worker reads a snapshot of the store: ``Store.backup`` (a RocksDB checkpoint, hard links on the
same file system, milliseconds) into a private directory. The service process keeps the one
writable store. After a write through the service (``store_changed``) the snapshots are stale; a
stale worker is told to open a new checkpoint (no new process) before it answers the next query, so
a query sent after a write returns sees that write, and back-to-back writes cost each reader one
checkpoint, not a process start.
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
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from rdflib import URIRef

from e2kg import errors
from e2kg.errors import E2kgError, QueryTimeout, StoreError, StoreUnavailable
from e2kg.query_admission import (
    CURRENT_CLIENT,
    Admission,
    QueryLimits,
    SlowShapes,
    Ticket,
    query_shape,
)
from e2kg.query_runner import QueryRunner
from e2kg.store import Dataset, QueryForm, RawResult
from e2kg.store.oxigraph import OxigraphStore

LOGGER = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("forkserver")
"""Never forked from the service process (it runs threads and holds an open RocksDB): forked from
a clean forkserver with this module imported, so a new worker does not import e2kg again."""
_CONTEXT.set_forkserver_preload(["e2kg.query_worker"])

START_TIMEOUT = 60.0
"""Seconds a new worker may take to start and open its snapshot."""
BUFFER_LIMIT = 4 * 1024 * 1024
"""Bytes of a short query's result held before it is treated as a long query."""
REFRESH_INTERVAL = 0.25
"""Idle workers are moved to a new snapshot at most this often (queries never wait for it)."""


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
        if message[0] == "open":  # a newer snapshot after a write
            store.close()
            store = OxigraphStore(Path(message[1]), timeout=float("inf"))
            connection.send(("ready",))
            continue
        _, query, media_type, default, named = message
        dataset = (
            Dataset(default=[URIRef(g) for g in default], named=[URIRef(g) for g in named])
            if default or named
            else None
        )
        try:
            result = store.query_raw(query, media_type, dataset=dataset)
            chunks = iter(result.chunks)
            first = next(chunks, b"")
            following = next(chunks, None)
            if following is None:  # the whole answer in one message: one pickle, one pipe write
                connection.send(("whole", result.form.value, result.media_type, first))
                continue
            connection.send(("start", result.form.value, result.media_type))
            connection.send(("chunk", first))
            connection.send(("chunk", following))
            for chunk in chunks:
                connection.send(("chunk", chunk))
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
    pending: list[tuple[object, ...]] = field(default_factory=list)
    """Messages of a "whole" answer not read yet (its start, chunk and end)."""

    def answered(self, timeout: float) -> bool:
        """Whether a message can be read within ``timeout`` seconds."""
        return bool(self.pending) or self.connection.poll(timeout)

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


@dataclass
class _ShortRun:
    """What the short phase of a query produced before it ended or ran out of time."""

    first: tuple[object, ...] | None
    buffered: list[bytes]
    finished: bool


class WorkerPool(QueryRunner):
    """Worker processes over snapshots of ``store``, admitted by ``limits``; runaways killed.

    ``size`` (the number of processes, E2KG_MAX_QUERIES) and ``timeout`` override ``limits``.
    """

    def __init__(
        self,
        store: OxigraphStore,
        *,
        size: int | None = None,
        timeout: float | None = None,
        limits: QueryLimits | None = None,
    ) -> None:
        base = limits or QueryLimits()
        self.limits = QueryLimits(
            running=size if size is not None else base.running,
            queue=base.queue,
            short_time=base.short_time,
            per_client=base.per_client,
            timeout=timeout if timeout is not None else base.timeout,
            queue_wait=min(base.queue_wait, timeout if timeout is not None else base.timeout),
        )
        self.store = store
        self.size = self.limits.running
        self.timeout = self.limits.timeout
        self.admission = Admission(self.limits)
        self.slow_shapes = SlowShapes()
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
        self.start()
        # A variant of a query that recently ran long waits for a long slot at once. (The shape
        # costs about 20 us: only computed when some shape is remembered or the query runs long.)
        shape = query_shape(query) if self.slow_shapes else None
        long = shape is not None and self.slow_shapes.known(shape)
        ticket = self.admission.enter(CURRENT_CLIENT.get(), long=long)
        try:
            return self._run_admitted(ticket, query, media_type, dataset, shape)
        except BaseException:
            self.admission.leave(ticket)
            raise

    def check_admission(self, client: str | None) -> None:
        self.admission.check(client)

    def state(self) -> dict[str, int]:
        with self._lock:
            workers = len(self._all)
        return {**self.admission.state(), "workers": workers}

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
            self._stale.set()
            time.sleep(0.05)
        return False

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

    # -- one query ---------------------------------------------------------------------------------

    def _run_admitted(
        self,
        ticket: Ticket,
        query: str,
        media_type: str,
        dataset: Dataset | None,
        shape: str | None,
    ) -> RawResult:
        with self._lock:
            needed = self.generation  # read-your-writes: at least the store as it is now
        message = (
            "query",
            query,
            media_type,
            [str(g) for g in dataset.default] if dataset else [],
            [str(g) for g in dataset.named] if dataset else [],
        )
        started = time.monotonic()
        worker = self._send(message, needed, started + self.timeout)
        if ticket.long and shape is not None:  # a known slow shape: no short phase
            first = self._first(worker, started + self.timeout)
            return self._result(first, self._stream(worker, started, ticket, [], shape))
        short = self._short_phase(worker, started + min(self.limits.short_time, self.timeout))
        if short.finished:
            self._release(worker)
            self.admission.leave(ticket)
            assert short.first is not None
            return self._result(short.first, iter(short.buffered))
        shape = shape or query_shape(query)
        self.slow_shapes.note_slow(shape)
        if self.admission.go_long(ticket):
            first = short.first or self._first(worker, started + self.timeout)
            chunks = self._stream(worker, started, ticket, short.buffered, shape)
            return self._result(first, chunks)
        # Every long slot is busy: stop it here (nothing was sent) and queue it for a long slot.
        self._replace(worker, kill=True)
        self.admission.readmit_long(ticket)
        started = time.monotonic()
        worker = self._send(message, needed, started + self.timeout)
        first = self._first(worker, started + self.timeout)
        return self._result(first, self._stream(worker, started, ticket, [], shape))

    def _send(self, message: tuple[object, ...], needed: int, deadline: float) -> Worker:
        worker = self._take(needed, deadline)
        try:
            worker.connection.send(message)
        except BaseException:
            self._replace(worker, kill=True)
            raise
        return worker

    def _short_phase(self, worker: Worker, deadline: float) -> _ShortRun:
        """Read the worker's answer until it ends, the short time is over or the buffer is full."""
        first: tuple[object, ...] | None = None
        buffered: list[bytes] = []
        size = 0
        while size < BUFFER_LIMIT:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not worker.answered(remaining):
                break
            try:
                message = self._recv(worker)
            except StoreError:
                self._replace(worker, kill=True)
                raise
            if message[0] == "start":
                first = message
            elif message[0] == "chunk":
                chunk = message[1]
                assert isinstance(chunk, bytes)
                buffered.append(chunk)
                size += len(chunk)
            elif message[0] == "end":
                return _ShortRun(first, buffered, finished=True)
            else:
                self._release(worker)  # the worker reported and is ready for the next query
                raise _rebuild_error(message[1], message[2], message[3])
        return _ShortRun(first, buffered, finished=False)

    def _first(self, worker: Worker, deadline: float) -> tuple[object, ...]:
        """The worker's first message of a long query: its form and type, or its error."""
        try:
            message = self._receive(worker, deadline)
        except BaseException:
            self._replace(worker, kill=True)
            raise
        if message[0] == "error":
            self._release(worker)
            raise _rebuild_error(message[1], message[2], message[3])
        return message

    @staticmethod
    def _result(first: tuple[object, ...], chunks: Iterator[bytes]) -> RawResult:
        _, form, answered_type = first
        return RawResult(form=QueryForm(str(form)), media_type=str(answered_type), chunks=chunks)

    def _stream(
        self, worker: Worker, started: float, ticket: Ticket, buffered: list[bytes], shape: str
    ) -> Iterator[bytes]:
        """The rest of a long query's result; its worker and slots are freed at the end."""
        deadline = started + self.timeout
        finished = False
        try:
            yield from buffered
            while True:
                message = self._receive(worker, deadline)
                if message[0] == "chunk":
                    chunk = message[1]
                    assert isinstance(chunk, bytes)
                    yield chunk
                elif message[0] == "end":
                    finished = True
                    if time.monotonic() - started < self.limits.short_time:
                        self.slow_shapes.note_fast(shape)  # it was slow once, not now
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
            self.admission.leave(ticket)

    def _receive(self, worker: Worker, deadline: float) -> tuple[object, ...]:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not worker.answered(remaining):
            raise QueryTimeout(
                f"the query ran longer than the limit of {self.timeout:g} s "
                "(E2KG_QUERY_TIMEOUT) and was stopped"
            )
        return self._recv(worker)

    @staticmethod
    def _recv(worker: Worker) -> tuple[object, ...]:
        if worker.pending:
            return worker.pending.pop(0)
        try:
            message: tuple[object, ...] = worker.connection.recv()
        except (EOFError, OSError) as error:
            raise StoreError("the query worker ended unexpectedly") from error
        if message[0] == "whole":  # read as the start, chunk and end it stands for
            _, form, answered_type, body = message
            worker.pending = [("chunk", body), ("end",)]
            return ("start", form, answered_type)
        return message

    # -- workers -----------------------------------------------------------------------------------

    def _take(self, needed: int, deadline: float) -> Worker:
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
                self._replace(worker, kill=True)
                continue
            if worker.generation < needed and not self._reopened(worker):
                continue
            return worker

    def _reopened(self, worker: Worker) -> bool:
        """Move ``worker`` to the newest snapshot; False (and the worker replaced) if it cannot."""
        try:
            self._reopen(worker)
        except E2kgError:
            LOGGER.exception("a query worker could not open a new snapshot")
            self._replace(worker, kill=True)
            return False
        return True

    def _reopen(self, worker: Worker) -> None:
        """Move ``worker`` to a snapshot of the store as it is now (same process)."""
        with self._lock:
            generation = self.generation
        directory, snapshot = self._snapshot()
        try:
            worker.connection.send(("open", str(snapshot)))
            if not worker.connection.poll(START_TIMEOUT):
                raise StoreUnavailable("a query worker did not open its new snapshot in time")
            reply = self._recv(worker)
            if reply[0] != "ready":
                raise StoreUnavailable("a query worker failed to open its new snapshot")
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        old, worker.directory, worker.generation = worker.directory, directory, generation
        shutil.rmtree(old, ignore_errors=True)

    def _snapshot(self) -> tuple[Path, Path]:
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
        return directory, snapshot

    def _refresh_forever(self) -> None:
        """Start missing workers; move idle stale ones to a new snapshot, at most every
        REFRESH_INTERVAL (a query that finds a stale worker moves it itself)."""
        while not self._closed:
            self._stale.wait()
            self._stale.clear()
            with self._lock:
                missing = self.size - len(self._all)
            try:
                for worker in self._start_many(max(missing, 0)):
                    self._idle.put(worker)
            except E2kgError:
                if self._closed:
                    break
                LOGGER.exception("could not start the query workers")
                time.sleep(1)  # retried when a query next waits for a worker, at most each second
            reopened = False
            for _ in range(self._idle.qsize()):
                try:
                    worker = self._idle.get_nowait()
                except queue.Empty:
                    break
                if worker.generation < self.generation and not self._closed:
                    reopened = True
                    if not self._reopened(worker):
                        continue
                self._idle.put(worker)
            if reopened:
                time.sleep(REFRESH_INTERVAL)  # back-to-back writes: one refresh per interval

    def _start_many(self, count: int) -> list[Worker]:
        with self._lock:
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
        with self._lock:
            if self._closed:
                worker.stop(kill=True)
                raise StoreUnavailable("the query service is shutting down")
            self._all.add(worker)
        return worker

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
