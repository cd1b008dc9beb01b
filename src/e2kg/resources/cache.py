"""A cache valid for one dataset version of a store at a time, bounded in bytes (least recently
used first out): what the answer cache of questions and the page cache of resources share.

Every write through the service moves the store's dataset version (``e2kg.resources.version``); the
first lookup that sees a new version drops every entry, and a value computed while a write happened
is not kept. A value larger than a quarter of the bound is never kept.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from e2kg.resources.version import dataset_version
from e2kg.store import Store

V = TypeVar("V")


@dataclass(frozen=True)
class CacheStats:
    """What a cache holds and how it was used since it was made."""

    entries: int
    bytes: int
    hits: int
    misses: int


class VersionedCache(Generic[V]):
    """Values by key for the current dataset version of ``store``; ``size`` estimates a value."""

    def __init__(self, store: Store, *, max_bytes: int, size: Callable[[V], int]) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._version: str | None = None
        self._bytes = 0
        self._hits = 0
        self._misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value kept for ``key`` at the current version, else ``compute()`` (then kept)."""
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
        value = compute()
        size = self._size(value)
        with self._lock:
            # Keep it only if no write happened while it was computed.
            unchanged = self._version == version == dataset_version(self.store).tag
            if unchanged and size <= self.max_bytes // 4 and key not in self._entries:
                self._entries[key] = (value, size)
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self._bytes -= dropped
        return value

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


_registry_lock = threading.Lock()
_registry: weakref.WeakKeyDictionary[Store, dict[str, VersionedCache[Any]]] = (
    weakref.WeakKeyDictionary()
)


def cache_of(
    store: Store, name: str, *, max_bytes: int, size: Callable[[Any], int]
) -> VersionedCache[Any]:
    """The cache called ``name`` of ``store`` (made with ``max_bytes`` and ``size`` on first use)."""
    with _registry_lock:
        caches = _registry.setdefault(store, {})
        cache = caches.get(name)
        if cache is None:
            cache = caches[name] = VersionedCache(store, max_bytes=max_bytes, size=size)
        return cache
