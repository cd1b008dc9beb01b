"""The query worker process: opens a snapshot of the embedded store and answers queries sent down
its pipe until told to stop (the child side of ``e2kg.query_worker``).

Messages to the worker: ``("query", text, media_type, default_graphs, named_graphs)``,
``("open", snapshot)`` (move to a newer snapshot after a write) and ``("stop",)``. Its answers:
``("ready",)`` when a snapshot is open; for a query either ``("whole", form, media_type, body)``
(the whole result in one message) or ``("start", form, media_type)``, ``("chunk", bytes)``...,
``("end",)``; or ``("error", class name, message, detail)``.
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from rdflib import URIRef

from e2kg.errors import E2kgError
from e2kg.store import Dataset
from e2kg.store.oxigraph import OxigraphStore


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
        answer(store, connection, message)
    store.close()


def answer(store: OxigraphStore, connection: Connection, message: tuple[Any, ...]) -> None:
    """Run the query of ``message`` on ``store`` and send its result (or error) down the pipe."""
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
            return
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
