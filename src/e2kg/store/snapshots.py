"""Whole-store copies of the embedded Oxigraph store for ``e2kg backup`` and ``e2kg restore``: a
RocksDB checkpoint of an open store, a count of the quads of a directory or an N-Quads file, and
an N-Quads dump bulk-loaded into a new directory (the only module of backup/restore that touches
pyoxigraph, which the project keeps inside ``store/``).
"""

from __future__ import annotations

import gc
from pathlib import Path

import pyoxigraph as ox

from e2kg.errors import InputError, StoreError, StoreUnavailable
from e2kg.store.oxigraph import OxigraphStore, open_directory


def checkpoint(store: OxigraphStore, target: Path) -> None:
    """A consistent copy of ``store`` in the new directory ``target`` (RocksDB checkpoint: hard
    links on the same file system); writers may go on meanwhile."""
    try:
        store.store.backup(str(target))
    except OSError as e:
        raise StoreError(f"checkpoint of {store.path} into {target} failed: {e}") from e


def directory_quads(directory: Path) -> int:
    """How many quads the store directory ``directory`` holds (opened, counted, closed)."""
    store = open_directory(directory)
    try:
        return len(store)
    except OSError as e:
        raise StoreUnavailable(f"cannot read the store directory {directory}: {e}") from e
    finally:
        del store
        gc.collect()  # RocksDB releases the directory lock with the last reference


def file_quads(dump: Path) -> int:
    """How many quads the N-Quads file ``dump`` holds; InputError naming the line when it is not
    well-formed N-Quads."""
    count = 0
    try:
        for _ in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS):
            count += 1
    except SyntaxError as e:
        raise InputError(f"{dump} is not a readable N-Quads backup: {e.msg or e}") from e
    except OSError as e:
        raise InputError(f"cannot read {dump}: {e.strerror or e}") from e
    return count


def load_dump(dump: Path, directory: Path) -> int:
    """Bulk-load the N-Quads file ``dump`` into the new store directory ``directory``; the number
    of quads stored."""
    store = open_directory(directory)
    try:
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        store.flush()
        return len(store)
    except SyntaxError as e:
        raise InputError(f"{dump} is not a readable N-Quads backup: {e.msg or e}") from e
    except OSError as e:
        raise StoreError(f"loading {dump} into {directory} failed: {e}") from e
    finally:
        del store
        gc.collect()  # RocksDB releases the directory lock with the last reference
