"""Results the engine serialises in one blocking call: small ones in a buffer, big ones through a pipe.

pyoxigraph's ``serialize`` writes a whole result to a file-like object in 8 KB pieces. Most results
are small (a lookup is a few KB): ``serialize_small`` writes them into a ``BoundedBuffer`` on the
caller's thread and gives up (``None``) as soon as the result outgrows ``SMALL_RESULT_BYTES``. A
big result runs in a producer thread that writes into a ``ChunkPipe``, which hands the bytes over
in chunks while the consumer reads, so memory stays flat however many rows there are. pyoxigraph
result objects may only be used by the thread that made them, so the producer thread runs the
query as well as the serialisation. A consumer that stops reading (or drops the iterator) cancels
the producer at its next write.
"""

from __future__ import annotations

import queue
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import IO, cast

from e2kg.errors import E2kgError, StoreError, StoreUnavailable

SMALL_RESULT_BYTES = 1 << 18
"""Results up to this size are serialised on the caller's thread, in one piece; bigger ones stream."""
CHUNK_BYTES = 1 << 16
"""Bytes collected before a chunk is handed over."""
PIPE_CHUNKS = 8
"""Chunks in flight at most: the producer waits when the consumer is this far behind."""
_POLL_SECONDS = 0.1


class Cancelled(Exception):
    """Raised inside the producer when the consumer has gone away."""


class Overflow(Exception):
    """Raised inside ``serialize`` when a result outgrows its ``BoundedBuffer``."""


class BoundedBuffer:
    """A file-like object that keeps at most ``limit`` bytes and raises ``Overflow`` beyond."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        """Keep ``data``, or raise ``Overflow`` if the buffer would exceed its limit."""
        if len(self._buffer) + len(data) > self.limit:
            raise Overflow
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        """Nothing to do: the bytes stay in memory."""

    def getvalue(self) -> bytes:
        """Everything written so far."""
        return bytes(self._buffer)


def serialize_small(
    serialize: Callable[[IO[bytes]], object], limit: int = SMALL_RESULT_BYTES
) -> bytes | None:
    """The bytes ``serialize(output)`` writes, or None as soon as they exceed ``limit``.

    The caller then starts over with ``stream``: the engine cannot resume an abandoned result, and
    the result cannot move to the producer thread, so a big result is evaluated again from the
    start (its first ``limit`` bytes are produced twice).
    """
    buffer = BoundedBuffer(limit)
    try:
        serialize(cast(IO[bytes], buffer))
    except Overflow:
        return None
    return buffer.getvalue()


class ChunkPipe:
    """A bounded pipe: ``write`` on the producer side, iteration on the consumer side."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[str, bytes | BaseException | None]] = queue.Queue(
            maxsize=PIPE_CHUNKS
        )
        self._buffer = bytearray()
        self.cancelled = threading.Event()
        self._also_cancelled_by: threading.Event | None = None

    def cancel_with(self, event: threading.Event) -> None:
        """Stop the producer also when ``event`` is set (e.g. the store closes)."""
        self._also_cancelled_by = event

    # -- producer side -----------------------------------------------------------------------------

    def _put(self, kind: str, item: bytes | BaseException | None) -> None:
        while True:
            if self.cancelled.is_set() or (
                self._also_cancelled_by is not None and self._also_cancelled_by.is_set()
            ):
                self.cancelled.set()
                raise Cancelled
            try:
                self._queue.put((kind, item), timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    def write(self, data: bytes) -> int:
        """Collect ``data``; hand over a chunk when enough has come together."""
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self._put("chunk", bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Nothing to do: chunks are handed over by size and at the end."""

    def started(self) -> None:
        """Tell the consumer the query runs: errors from now on arrive while it reads."""
        self._put("started", None)

    def finish(self) -> None:
        """Hand over what is left and mark the end."""
        if self._buffer:
            self._put("chunk", bytes(self._buffer))
            self._buffer.clear()
        self._put("end", None)

    def fail(self, error: BaseException) -> None:
        """Hand ``error`` to the consumer (it is raised where the consumer reads)."""
        self._put("error", error)

    # -- consumer side -----------------------------------------------------------------------------

    def get(self) -> tuple[str, bytes | BaseException | None]:
        """The next message: ``("started"|"chunk"|"end"|"error", payload)``."""
        while True:
            try:
                return self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if self.cancelled.is_set():  # the producer stopped (the store closed)
                    return ("error", StoreUnavailable("the store closed while a result was read"))


class ChunkStream(Iterator[bytes]):
    """The consumer's iterator over a ``ChunkPipe``; closing or dropping it cancels the producer."""

    def __init__(self, pipe: ChunkPipe, producer: threading.Thread) -> None:
        self._pipe = pipe
        self._done = False
        self.producer = producer

    def __iter__(self) -> ChunkStream:
        return self

    def __next__(self) -> bytes:
        if self._done:
            raise StopIteration
        kind, item = self._pipe.get()
        if kind == "chunk" and isinstance(item, bytes):
            return item
        self.close()
        if kind == "error" and isinstance(item, BaseException):
            raise item
        raise StopIteration

    def close(self) -> None:
        """Stop reading; the producer stops at its next write."""
        self._done = True
        self._pipe.cancelled.set()

    def __del__(self) -> None:
        self._pipe.cancelled.set()


def _clear_frames(error: BaseException | None) -> None:
    """Drop the local variables of the finished frames of ``error`` and of its causes.

    pyoxigraph results may only be dropped by the thread that made them; an error handed to the
    consumer would otherwise carry the producer's result to the consumer's thread in a traceback.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        traceback.clear_frames(error.__traceback__)
        error = error.__cause__ or error.__context__


def stream(produce: Callable[[ChunkPipe], None], *, name: str) -> ChunkStream:
    """Run ``produce(pipe)`` in a thread and return the chunks it writes.

    ``produce`` calls ``pipe.started()`` once the query is under way; an error raised before that
    is raised here (e.g. a syntax error), one raised later where the consumer reads.
    """
    pipe = ChunkPipe()

    def run() -> None:
        try:
            produce(pipe)
            pipe.finish()
        except Cancelled:
            return
        except Exception as error:  # handed to the consumer, who raises it
            if pipe.cancelled.is_set():
                return  # the consumer left; the write that noticed made the engine fail
            _clear_frames(error)  # the engine's result must be dropped on this thread
            if not isinstance(error, E2kgError):
                wrapped = StoreError(f"query failed: {error}")
                wrapped.__cause__ = error
                error = wrapped
            try:
                pipe.fail(error)
            except Cancelled:
                return

    producer = threading.Thread(target=run, name=name, daemon=True)
    producer.start()
    kind, item = pipe.get()
    if kind == "error" and isinstance(item, BaseException):
        pipe.cancelled.set()
        raise item
    if kind != "started":
        raise StoreError(f"result stream began with {kind!r}")  # a bug, not a user error
    return ChunkStream(pipe, producer)
