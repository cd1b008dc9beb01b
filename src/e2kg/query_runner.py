"""Where queries run: in this process, or in killable worker processes that enforce the timeout.

The web layer asks a ``QueryRunner`` for raw results; ``InProcessRunner`` calls the store directly
(memory and remote stores: a remote engine is bounded by the HTTP timeout of the remote store).
``e2kg.query_worker.WorkerPool`` runs queries of an embedded Oxigraph store in worker processes and
kills a worker whose query runs past the timeout.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from e2kg.store import Dataset, RawResult, Store


class QueryRunner(ABC):
    """Runs read-only queries and hands back the engine's serialised result."""

    @abstractmethod
    def run(self, query: str, media_type: str, *, dataset: Dataset | None = None) -> RawResult:
        """Run ``query`` and return its result in ``media_type`` (chunks stream as they come)."""

    def store_changed(self) -> None:  # noqa: B027 - a hook; most runners read the live store
        """Called after every write through the service, so runners reading a snapshot refresh."""

    def close(self) -> None:  # noqa: B027 - a hook; most runners hold nothing
        """Stop workers, remove snapshots."""


class InProcessRunner(QueryRunner):
    """Queries run on the request's thread against the store itself."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, query: str, media_type: str, *, dataset: Dataset | None = None) -> RawResult:
        return self.store.query_raw(query, media_type, dataset=dataset)
