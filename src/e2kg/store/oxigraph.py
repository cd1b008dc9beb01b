"""The default backend: embedded Oxigraph (pyoxigraph) on a directory, queried in Oxigraph's engine.

Query strings go straight to pyoxigraph, raw results are serialised by pyoxigraph (small ones on
the caller's thread, big ones streamed in chunks from a producer thread), and only the Python-value
results are converted to rdflib terms. One process holds the directory at a time; large files are
bulk-loaded behind a readers-writer lock.
"""

from __future__ import annotations

import gc
import re
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
from rdflib import Graph, URIRef

from e2kg.errors import QuerySyntaxError, QueryTimeout, StoreError, StoreUnavailable
from e2kg.store.base import (
    Bindings,
    Dataset,
    QueryForm,
    RawResult,
    SelectResult,
    Store,
    effective_dataset,
)
from e2kg.store.locking import ReadWriteLock
from e2kg.store.media import dump_media_type, readable_media_type, result_media_type
from e2kg.store.parsing import parse_error, parse_quads, refuse_unsafe_document, source_name
from e2kg.store.streaming import ChunkPipe, serialize_small, stream
from e2kg.store.syntax import has_dataset_clause, sorts_or_groups, with_projection, with_values
from e2kg.store.syntax import query_form as lexical_form
from e2kg.store.terms import iri_ntriples, to_oxigraph, to_rdflib

_POSITION = re.compile(r"at (\d+):(\d+)")
BULK_LOAD_BYTES = 16 * 1024 * 1024
"""Files larger than this are checked in a first parse, then bulk-loaded outside a transaction
(``load`` and ``replace_graph``), with readers held off by the store's write lock meanwhile."""
_CHUNK = 1 << 16
NONE: frozenset[str] = frozenset()


def syntax_error(error: SyntaxError, what: str) -> QuerySyntaxError:
    """A QuerySyntaxError with Oxigraph's message and, where it gives them, line and column."""
    message = error.msg or str(error)
    match = _POSITION.search(message)
    detail: dict[str, object] = {}
    if match:
        detail = {"line": int(match.group(1)), "column": int(match.group(2))}
    return QuerySyntaxError(f"{what} syntax error: {message}", detail=detail)


def run_update(store: ox.Store, update: str) -> None:
    """Run a SPARQL Update on a pyoxigraph store, its errors translated (syntax vs storage)."""
    try:
        store.update(update)
    except SyntaxError as e:
        raise syntax_error(e, "update") from e
    except (OSError, ValueError, RuntimeError) as e:
        raise StoreError(f"update failed: {e}") from e


def open_directory(path: Path) -> ox.Store:
    """The pyoxigraph store on ``path``; StoreUnavailable when it is locked or unreadable."""
    try:
        return ox.Store(str(path))
    except OSError as e:
        if "lock" in str(e).lower():
            raise StoreUnavailable(
                f"store directory {path} is in use by another process (only one may open it): {e}"
            ) from e
        raise StoreUnavailable(f"cannot open store directory {path}: {e}") from e


class OxigraphStore(Store):
    """pyoxigraph on disk; the default graph of a query is the union of the named graphs."""

    name = "oxigraph"
    persistent = True

    def __init__(self, path: Path, *, timeout: float = 30.0) -> None:
        self.path = path
        self.timeout = timeout
        self._store: ox.Store | None = open_directory(path)
        self._lock = ReadWriteLock()
        self._producers: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
        self._closing = threading.Event()

    @property
    def store(self) -> ox.Store:
        """The open pyoxigraph store; StoreUnavailable after ``close``."""
        if self._store is None:
            raise StoreUnavailable(f"store {self.path} is closed")
        return self._store

    @property
    def writable(self) -> bool:
        return True

    def close(self) -> None:
        self._closing.set()
        for producer in list(self._producers):  # result streams still being written
            producer.join(timeout=10)
        self._store = None
        gc.collect()  # RocksDB releases the directory lock when the last reference goes

    # -- queries -----------------------------------------------------------------------------------

    def _query(self, query: str, bindings: Bindings | None, dataset: Dataset | None) -> Any:
        return self._query_hiding(query, bindings, dataset, hide=False)[0]

    def _query_hiding(
        self, query: str, bindings: Bindings | None, dataset: Dataset | None, *, hide: bool
    ) -> tuple[Any, frozenset[str]]:
        """The pyoxigraph result and the variables projected only to be substituted.

        With ``hide``, bound variables a SELECT does not project are added to its projection (see
        ``syntax.with_projection``) so that they are substituted too, and the caller drops their
        columns; otherwise, and where the query cannot take them, they join as a VALUES block.
        """
        options: dict[str, Any] = {}
        dataset = effective_dataset(dataset)
        if dataset is not None:
            options["default_graph"] = [ox.NamedNode(str(g)) for g in dataset.default]
            options["named_graphs"] = [ox.NamedNode(str(g)) for g in dataset.named]
        elif not has_dataset_clause(query):
            options["use_default_graph_as_union"] = True
        try:
            if bindings:
                substitutions: dict[
                    ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
                ] = {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
                try:
                    return self.store.query(query, substitutions=substitutions, **options), NONE
                except RuntimeError as e:
                    # SEP-0007 substitutes projected variables only: a VALUES block would be joined
                    # late (a scan per bound resource), so project the others where that is safe.
                    if "projection" not in str(e):
                        raise
                projected = with_projection(query, list(bindings)) if hide else None
                if projected is not None:
                    text, added = projected
                    result = self.store.query(text, substitutions=substitutions, **options)
                    return result, frozenset(added)
                query = with_values(query, bindings)
            return self.store.query(query, **options), NONE
        except SyntaxError as e:
            raise syntax_error(e, "query") from e
        except (OSError, ValueError, RuntimeError) as e:
            raise StoreError(f"query failed: {e}") from e

    def query_form(self, query: str) -> QueryForm:
        form = lexical_form(query)
        try:
            ox.Store().query(query)  # parse against an empty in-memory store
        except SyntaxError as e:
            raise syntax_error(e, "query") from e
        except (OSError, ValueError, RuntimeError):
            pass  # parsed; evaluation problems show when the query runs for real
        return form

    def select(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> SelectResult:
        with self._lock.reading():
            return self._select(query, bindings, dataset)

    def _select(
        self, query: str, bindings: Bindings | None, dataset: Dataset | None
    ) -> SelectResult:
        results, hidden = self._query_hiding(query, bindings, dataset, hide=True)
        if not isinstance(results, ox.QuerySolutions):
            raise QuerySyntaxError(f"expected a SELECT query, got {lexical_form(query).value}")
        variables = [v.value for v in results.variables if v.value not in hidden]
        deadline = time.monotonic() + self.timeout
        rows = []
        try:
            for solution in results:
                rows.append(
                    {
                        name: to_rdflib(solution[name])
                        for name in variables
                        if solution[name] is not None
                    }
                )
                if time.monotonic() > deadline:
                    raise QueryTimeout(f"query ran longer than {self.timeout:g} s")
        except (OSError, ValueError, RuntimeError) as e:
            raise StoreError(f"query failed: {e}") from e
        return SelectResult(variables=variables, rows=rows)

    def ask(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> bool:
        with self._lock.reading():
            result = self._query(query, bindings, dataset)
        if not isinstance(result, ox.QueryBoolean):
            raise QuerySyntaxError(f"expected an ASK query, got {lexical_form(query).value}")
        return bool(result)

    def construct(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> Graph:
        with self._lock.reading():
            return self._construct(query, bindings, dataset)

    def _construct(self, query: str, bindings: Bindings | None, dataset: Dataset | None) -> Graph:
        triples = self._query(query, bindings, dataset)
        if not isinstance(triples, ox.QueryTriples):
            raise QuerySyntaxError(
                f"expected a CONSTRUCT or DESCRIBE query, got {lexical_form(query).value}"
            )
        graph = Graph()
        try:
            for triple in triples:
                graph.add(
                    (
                        to_rdflib(triple.subject),
                        to_rdflib(triple.predicate),
                        to_rdflib(triple.object),
                    )
                )
        except (OSError, ValueError, RuntimeError) as e:
            raise StoreError(f"query failed: {e}") from e
        return graph

    def query_raw(
        self,
        query: str,
        media_type: str,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
    ) -> RawResult:
        form = lexical_form(query)
        wanted = result_media_type(form, media_type)
        if not sorts_or_groups(query):  # a sort could make a big result cost twice: stream it
            with self._lock.reading():
                result = self._query(query, bindings, dataset)
                try:
                    body = serialize_small(lambda output: _serialize(result, output, wanted))
                except (OSError, ValueError, RuntimeError) as e:
                    raise StoreError(f"query failed: {e}") from e
            if body is not None:  # the common case: no thread, no pipe
                return RawResult(form=form, media_type=wanted, chunks=iter([body]))

        def produce(pipe: ChunkPipe) -> None:
            # pyoxigraph results belong to the thread that made them: query and serialise here.
            pipe.cancel_with(self._closing)
            with self._lock.reading():
                result = self._query(query, bindings, dataset)
                pipe.started()
                _serialize(result, cast(IO[bytes], pipe), wanted)

        chunks = stream(produce, name="e2kg-oxigraph-result")
        self._producers.add(chunks.producer)
        return RawResult(form=form, media_type=wanted, chunks=chunks)

    # -- writes ------------------------------------------------------------------------------------

    def update(self, update: str) -> None:
        run_update(self.store, update)

    def load(self, source: Path | bytes, *, media_type: str, graph: URIRef) -> None:
        rdf_format = ox.RdfFormat.from_media_type(readable_media_type(media_type))
        target = ox.NamedNode(str(graph))
        try:
            if isinstance(source, Path) and is_large_file(source):
                # Bulk loading is fast but not transactional: a first parse makes sure it succeeds.
                check_parses(source, media_type)
                with self._lock.writing():
                    self.store.bulk_load(path=str(source), format=rdf_format, to_graph=target)
            elif isinstance(source, Path):
                self.store.load(path=str(source), format=rdf_format, to_graph=target)
            else:
                refuse_unsafe_document(source, media_type)
                self.store.load(source, format=rdf_format, to_graph=target)
        except SyntaxError as e:
            raise parse_error(e, source_name(source)) from e
        except FileNotFoundError as e:
            raise StoreError(f"{source_name(source)}: no such file") from e
        except (OSError, ValueError, RuntimeError) as e:
            raise StoreError(f"loading {source_name(source)} failed: {e}") from e

    def replace_graph(
        self, graph: URIRef, source: Path | bytes | Graph, *, media_type: str
    ) -> None:
        if isinstance(source, Path) and is_large_file(source):
            self._bulk_replace(graph, source, media_type=media_type)
            return
        # One SPARQL update is one transaction: readers see the old graph or the new, never a mix.
        name = iri_ntriples(str(graph))
        lines = [
            f"{q.subject} {q.predicate} {q.object} ."
            for q in parse_quads(source, media_type=media_type, graph=graph)
        ]
        self.update(
            f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n"
            + "\n".join(lines)
            + "\n} }"
        )

    def _bulk_replace(self, graph: URIRef, source: Path, *, media_type: str) -> None:
        """Replace ``graph`` with a large file at bulk-loading speed.

        The file is parsed once first, so one that does not parse leaves the old graph in place;
        the drop and the bulk load then run under the write lock, so readers (threads of this,
        the only process that can open the directory) see the old graph or the new one.
        """
        rdf_format = ox.RdfFormat.from_media_type(readable_media_type(media_type))
        check_parses(source, media_type)
        with self._lock.writing():
            try:
                self.store.remove_graph(ox.NamedNode(str(graph)))
            except (OSError, ValueError, RuntimeError) as e:
                raise StoreError(f"replacing {graph} failed: {e}") from e
            try:
                self.store.bulk_load(
                    path=str(source), format=rdf_format, to_graph=ox.NamedNode(str(graph))
                )
            except SyntaxError as e:
                raise parse_error(e, source_name(source)) from e
            except (OSError, ValueError, RuntimeError) as e:
                raise StoreError(f"loading {source_name(source)} failed: {e}") from e

    def drop_graph(self, graph: URIRef) -> None:
        self.update(f"DROP SILENT GRAPH {iri_ntriples(str(graph))}")

    def compact(self) -> None:
        """Merge the store's files into its bottom level (RocksDB manual compaction; milliseconds
        when nothing was written since the last one, seconds at a million triples otherwise).

        Writes sit in a memtable until it is flushed, and every checkpoint (``Store.backup``)
        flushes it into one small level-0 file per index, which every range seek of a reader of
        that checkpoint then visits too: a checkpoint taken after compaction has none.
        """
        with self._lock.reading():  # not meanwhile with a bulk load (which holds the write lock)
            try:
                self.store.optimize()
            except OSError as e:
                raise StoreError(f"compacting {self.path} failed: {e}") from e

    # -- inspection --------------------------------------------------------------------------------

    def graphs(self) -> list[URIRef]:
        names = []
        with self._lock.reading():
            for name in self.store.named_graphs():
                if isinstance(name, ox.NamedNode) and next(
                    iter(self.store.quads_for_pattern(None, None, None, name)), None
                ):
                    names.append(URIRef(name.value))
        return sorted(names)

    def dump(self, media_type: str = "application/n-quads") -> Iterator[bytes]:
        rdf_format = ox.RdfFormat.from_media_type(dump_media_type(media_type))
        with tempfile.TemporaryFile() as spool:
            try:
                with self._lock.reading():
                    self.store.dump(spool, format=rdf_format)
            except (OSError, ValueError) as e:
                raise StoreError(f"dump failed: {e}") from e
            spool.seek(0)
            while chunk := spool.read(_CHUNK):
                yield chunk


def _serialize(result: Any, output: IO[bytes], media_type: str) -> None:
    """Write a pyoxigraph query result to ``output`` in ``media_type``."""
    if isinstance(result, ox.QueryTriples):
        result.serialize(output, format=ox.RdfFormat.from_media_type(media_type))
    else:
        result.serialize(output, format=ox.QueryResultsFormat.from_media_type(media_type))


def is_large_file(source: Path) -> bool:
    """Whether ``source`` is a file big enough for the bulk loader."""
    return source.stat().st_size > BULK_LOAD_BYTES


def check_parses(source: Path, media_type: str) -> None:
    """Parse ``source`` to the end, keeping nothing; ParseError (file, line, column) if it fails."""
    rdf_format = ox.RdfFormat.from_media_type(readable_media_type(media_type))
    try:
        for _ in ox.parse(path=source, format=rdf_format):
            pass
    except SyntaxError as e:
        raise parse_error(e, source_name(source)) from e
