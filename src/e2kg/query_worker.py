"""Queries of the embedded store in killable worker processes: the timeout with real cancellation,
and admission limits so a flood of slow queries cannot starve short ones.

pyoxigraph cannot cancel a running query and Python threads cannot be killed, so a query runs in a
worker process (``e2kg.worker_process``; the processes and their snapshots: ``e2kg.worker_set``)
and a query that outlives ``E2KG_QUERY_TIMEOUT`` is stopped by killing its worker (SIGKILL); a
fresh worker takes its place and the client gets 503 naming the limit. Workers are forked from a
forkserver that has e2kg imported already, so a replacement starts in tens of ms.

Admission (``e2kg.query_admission``): ``E2KG_MAX_QUERIES`` workers, a bounded wait queue, 503 or
429 with ``Retry-After`` beyond it. Every query first runs for ``E2KG_SHORT_QUERY_TIME`` with its
result buffered; if it is done by then, its worker is free at once. If not, it needs one of the
``E2KG_MAX_QUERIES - 1`` long-query slots: it goes on where it is when one is free, otherwise its
worker is killed (nothing was sent yet) and the query waits, bounded, for a long slot and runs
again with the full timeout. So one worker always turns over short queries.
"""

from __future__ import annotations

import atexit
import time
from collections.abc import Iterator
from dataclasses import dataclass

from e2kg.errors import QueryTimeout, StoreError
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
from e2kg.worker_handle import Worker, rebuild_error
from e2kg.worker_set import WorkerSet

BUFFER_LIMIT = 4 * 1024 * 1024
"""Bytes of a short query's result held before it is treated as a long query."""


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
        self.workers = WorkerSet(store, self.size, timeout=self.timeout)
        atexit.register(self.close)  # workers and snapshots go with the service process

    def start(self) -> None:
        """Start the workers in the background (the first query does it when nobody did)."""
        self.workers.start()

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
        return {**self.admission.state(), "workers": self.workers.count()}

    def store_changed(self) -> None:
        self.workers.changed()

    def wait_until_fresh(self, timeout: float) -> bool:
        """Wait until ``size`` workers run on a snapshot of the current store; False on timeout."""
        return self.workers.wait_until_fresh(timeout)

    def close(self) -> None:
        self.workers.close()

    def pids(self) -> list[int]:
        """Process ids of the current workers (for tests and the operator)."""
        return self.workers.pids()

    # -- one query ---------------------------------------------------------------------------------

    def _run_admitted(
        self,
        ticket: Ticket,
        query: str,
        media_type: str,
        dataset: Dataset | None,
        shape: str | None,
    ) -> RawResult:
        needed = self.workers.current()  # read-your-writes: at least the store as it is now
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
            self.workers.release(worker)
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
        self.workers.replace(worker, kill=True)
        self.admission.readmit_long(ticket)
        started = time.monotonic()
        worker = self._send(message, needed, started + self.timeout)
        first = self._first(worker, started + self.timeout)
        return self._result(first, self._stream(worker, started, ticket, [], shape))

    def _send(self, message: tuple[object, ...], needed: int, deadline: float) -> Worker:
        worker = self.workers.take(needed, deadline)
        try:
            worker.connection.send(message)
        except BaseException:
            self.workers.replace(worker, kill=True)
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
                message = worker.read()
            except StoreError:
                self.workers.replace(worker, kill=True)
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
                self.workers.release(worker)  # the worker reported and is ready for the next query
                raise rebuild_error(message)
        return _ShortRun(first, buffered, finished=False)

    def _first(self, worker: Worker, deadline: float) -> tuple[object, ...]:
        """The worker's first message of a long query: its form and type, or its error."""
        try:
            message = self._receive(worker, deadline)
        except BaseException:
            self.workers.replace(worker, kill=True)
            raise
        if message[0] == "error":
            self.workers.release(worker)
            raise rebuild_error(message)
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
                    raise rebuild_error(message)
        finally:
            if finished:
                self.workers.release(worker)
            else:
                # Timed out mid-stream, or the client went away: the worker is still writing.
                self.workers.replace(worker, kill=True)
            self.admission.leave(ticket)

    def _receive(self, worker: Worker, deadline: float) -> tuple[object, ...]:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not worker.answered(remaining):
            raise QueryTimeout(
                f"the query ran longer than the limit of {self.timeout:g} s "
                "(E2KG_QUERY_TIMEOUT) and was stopped"
            )
        return worker.read()
