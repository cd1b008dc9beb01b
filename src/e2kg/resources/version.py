"""The dataset version: a token that changes with every write, keying ETag and Last-Modified.

A store cannot tell when it was last written, so writers say so: every code path that writes to a
store calls ``note_write(store)`` afterwards (``loading.load_sources`` does; SPARQL Update and
submissions must too). The version of a store is a per-process start token plus a counter, so a
restart of the service also changes every ETag. Writes made by other clients directly at a remote
store are not seen.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime

from e2kg.store import Store

_PROCESS_TOKEN = uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class DatasetVersion:
    """One state of a store's data: ``tag`` for ETags, ``modified`` for Last-Modified."""

    tag: str
    modified: datetime


_lock = threading.Lock()
_versions: weakref.WeakKeyDictionary[Store, DatasetVersion] = weakref.WeakKeyDictionary()
_counters: weakref.WeakKeyDictionary[Store, int] = weakref.WeakKeyDictionary()


def _now() -> datetime:
    # HTTP dates have whole seconds; keep the same precision so If-Modified-Since compares exactly.
    return datetime.now(UTC).replace(microsecond=0)


def dataset_version(store: Store) -> DatasetVersion:
    """The current version of ``store``'s data (created on first use)."""
    with _lock:
        version = _versions.get(store)
        if version is None:
            version = DatasetVersion(f"{_PROCESS_TOKEN}-0", _now())
            _versions[store] = version
            _counters[store] = 0
        return version


def note_write(store: Store) -> DatasetVersion:
    """Record that ``store`` was written to; returns the new version. Call after every write."""
    with _lock:
        counter = _counters.get(store, 0) + 1
        _counters[store] = counter
        version = DatasetVersion(f"{_PROCESS_TOKEN}-{counter}", _now())
        _versions[store] = version
        return version
