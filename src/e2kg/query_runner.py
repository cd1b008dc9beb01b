"""Where queries run: in this process, or in killable worker processes that enforce the timeout.

The web layer asks a ``QueryRunner`` for raw results; ``InProcessRunner`` calls the store directly
(memory and remote stores: a remote engine is bounded by the HTTP timeout of the remote store).
``e2kg.query_worker.WorkerPool`` runs queries of an embedded Oxigraph store in worker processes and
kills a worker whose query runs past the timeout.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path

from rdflib import Graph, URIRef

from e2kg.config import Settings
from e2kg.query_admission import QueryLimits
from e2kg.resources.version import note_write
from e2kg.store import Dataset, QueryForm, RawResult, SelectResult, Store
from e2kg.store.base import Bindings
from e2kg.store.syntax import query_form as lexical_form


class QueryRunner(ABC):
    """Runs read-only queries and hands back the engine's serialised result."""

    @abstractmethod
    def run(self, query: str, media_type: str, *, dataset: Dataset | None = None) -> RawResult:
        """Run ``query`` and return its result in ``media_type`` (chunks stream as they come)."""

    def form_of(self, query: str) -> QueryForm:
        """The form of ``query``, found without running it where running could take long."""
        return lexical_form(query)  # the lexer only, no engine

    def check_admission(self, client: str | None) -> None:  # noqa: B027 - most runners admit all
        """Refuse (Overloaded, TooManyQueries) a query that would be refused at once anyway."""

    def state(self) -> dict[str, int] | None:
        """Running and waiting queries and their limits, where the runner admits queries."""
        return None

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

    def form_of(self, query: str) -> QueryForm:
        # The store's parser: a syntax error is a 400 before any result type is negotiated.
        return self.store.query_form(query)

    def store_changed(self) -> None:
        note_write(self.store)  # ETags, Last-Modified and the search index follow the data


class NotifyingStore(Store):
    """A store that tells its runner after every write, so no write can skip ``store_changed``.

    The app hands this to every blueprint when queries run on snapshots (``WorkerPool``): whoever
    writes -- SPARQL Update, the Graph Store protocol, a published study -- refreshes the workers.
    """

    def __init__(self, inner: Store, runner: QueryRunner) -> None:
        self.inner = inner
        self.runner = runner

    @classmethod
    def wrapping(cls, inner: Store, runner: QueryRunner) -> NotifyingStore:
        """A NotifyingStore carrying the backend's ``name`` and ``persistent`` flags."""
        subclass = type(
            f"Notifying{type(inner).__name__}",
            (cls,),
            {"name": inner.name, "persistent": inner.persistent},
        )
        store: NotifyingStore = subclass(inner, runner)
        return store

    @property
    def writable(self) -> bool:
        return self.inner.writable

    def query_form(self, query: str) -> QueryForm:
        return self.inner.query_form(query)

    def select(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> SelectResult:
        return self.inner.select(query, bindings=bindings, dataset=dataset)

    def ask(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> bool:
        return self.inner.ask(query, bindings=bindings, dataset=dataset)

    def construct(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> Graph:
        return self.inner.construct(query, bindings=bindings, dataset=dataset)

    def query_raw(
        self,
        query: str,
        media_type: str,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
    ) -> RawResult:
        return self.inner.query_raw(query, media_type, bindings=bindings, dataset=dataset)

    def update(self, update: str) -> None:
        try:
            self.inner.update(update)
        finally:
            self._written()

    def load(self, source: Path | bytes, *, media_type: str, graph: URIRef) -> None:
        try:
            self.inner.load(source, media_type=media_type, graph=graph)
        finally:
            self._written()

    def replace_graph(
        self, graph: URIRef, source: Path | bytes | Graph, *, media_type: str
    ) -> None:
        try:
            self.inner.replace_graph(graph, source, media_type=media_type)
        finally:
            self._written()

    def drop_graph(self, graph: URIRef) -> None:
        try:
            self.inner.drop_graph(graph)
        finally:
            self._written()

    def _written(self) -> None:
        note_write(self)  # the app's pages key their ETags on this (wrapping) store
        self.runner.store_changed()

    def graphs(self) -> list[URIRef]:
        return self.inner.graphs()

    def dump(self, media_type: str = "application/n-quads") -> Iterator[bytes]:
        return self.inner.dump(media_type)

    def triple_count(self, graph: URIRef | None = None) -> int:
        return self.inner.triple_count(graph)

    def close(self) -> None:
        self.runner.close()
        self.inner.close()


def query_limits(settings: Settings, *, workers: int) -> QueryLimits:
    """The admission limits of ``settings`` with ``workers`` query processes."""
    return QueryLimits(
        running=workers,
        queue=settings.query_queue,
        short_time=settings.short_query_time,
        per_client=settings.client_queries,
        timeout=settings.query_timeout,
        queue_wait=min(QueryLimits.queue_wait, settings.query_timeout),
    )


def runner_for(
    store: Store, *, timeout: float, workers: int, settings: Settings | None = None
) -> tuple[Store, QueryRunner]:
    """The store the app should use and its query runner.

    An embedded Oxigraph store gets a ``WorkerPool`` (real timeout, admission limits) unless
    ``workers`` is 0, and is wrapped so every write refreshes the workers; memory and remote
    stores run queries in process. The limits come from ``settings`` (the environment's when not
    given; the timeout and the worker count as passed).
    """
    if store.name == "oxigraph" and workers > 0:
        from e2kg.query_worker import WorkerPool  # only the embedded store needs it
        from e2kg.store.oxigraph import OxigraphStore

        assert isinstance(store, OxigraphStore)
        chosen = settings if settings is not None else Settings.from_environment()
        limits = query_limits(chosen.with_overrides(query_timeout=timeout), workers=workers)
        pool = WorkerPool(store, limits=limits)  # workers start with the first query
        return NotifyingStore.wrapping(store, pool), pool
    return store, InProcessRunner(store)
