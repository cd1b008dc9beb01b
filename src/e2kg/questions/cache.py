"""An in-process cache of whole answers, keyed by question, parameters, language and the store's
dataset version (``e2kg.resources.version``), bounded in bytes.

Every write through the service moves the dataset version (``note_write``), so an answer cached
before a write is never served after it; entries of an older version are dropped as soon as a newer
one is seen. Least recently used entries go first when the bound is reached; an answer larger than
a quarter of the bound is not kept at all. Writes made by other clients directly at a remote store
do not move the version and are not seen (the same limit as ETags).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from e2kg.questions.answering import Answer, Row
from e2kg.resources.version import dataset_version
from e2kg.store import Store

DEFAULT_BYTES = 64 * 1024 * 1024
"""The default bound of one store's answer cache: 64 MiB of cell text (an estimate)."""

Key = tuple[str, tuple[tuple[str, str], ...], str]
"""(question id, parameter values sorted by name, language)."""


@dataclass(frozen=True)
class CacheStats:
    """What the cache holds and how it was used since it was made."""

    entries: int
    bytes: int
    hits: int
    misses: int


class AnswerCache:
    """Whole answers of one store, valid for one dataset version at a time."""

    def __init__(self, store: Store, *, max_bytes: int = DEFAULT_BYTES) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[Key, tuple[Answer, int]] = OrderedDict()
        self._version: str | None = None
        self._bytes = 0
        self._hits = 0
        self._misses = 0

    def get_or_compute(
        self,
        question_id: str,
        values: Mapping[str, str],
        language: str,
        compute: Callable[[], Answer],
    ) -> Answer:
        """The cached answer for this key at the current version, else ``compute()`` (then kept).

        ``values`` are the parameter values as asked (the computed answer names the values used).
        """
        key: Key = (question_id, tuple(sorted(values.items())), language)
        version = dataset_version(self.store).tag
        with self._lock:
            if self._version != version:
                self._clear()
                self._version = version
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self._hits += 1
                return entry[0]
            self._misses += 1
        answer = compute()
        size = answer_size(answer)
        with self._lock:
            # Keep it only if no write happened while it was computed.
            unchanged = self._version == version == dataset_version(self.store).tag
            if unchanged and size <= self.max_bytes // 4 and key not in self._entries:
                self._entries[key] = (answer, size)
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self._bytes -= dropped
        return answer

    def stats(self) -> CacheStats:
        """Entries, estimated bytes, hits and misses."""
        with self._lock:
            return CacheStats(len(self._entries), self._bytes, self._hits, self._misses)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        self._entries.clear()
        self._bytes = 0


def answer_size(answer: Answer) -> int:
    """An estimate of the memory an answer holds: its cell and citation text plus overhead."""
    return sum(_row_size(row) for row in answer.rows) + 256


def _row_size(row: Row) -> int:
    cells = sum(len(name) + len(str(value)) + 16 for name, value in row.values.items())
    citations = sum(len(c.article) + len(c.sentence) + 64 for c in row.citations)
    return cells + citations + 64


_lock = threading.Lock()
_caches: weakref.WeakKeyDictionary[Store, AnswerCache] = weakref.WeakKeyDictionary()


def answer_cache(store: Store) -> AnswerCache:
    """The answer cache of ``store`` (made on first use)."""
    with _lock:
        cache = _caches.get(store)
        if cache is None:
            cache = AnswerCache(store)
            _caches[store] = cache
        return cache
