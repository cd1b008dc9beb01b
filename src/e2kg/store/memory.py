"""The in-memory backend: an rdflib Dataset whose default graph is the union of its named graphs.

For small experiments and tests; data is lost when the process ends, and queries are not timed out.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import pyparsing
import rdflib.plugins.sparql
from rdflib import Dataset as RdflibDataset
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql.algebra import BGP, Join, translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query, Update
from rdflib.query import Result
from rdflib.term import Identifier, Node

from e2kg.errors import E2kgError, QuerySyntaxError, StoreError
from e2kg.store.base import (
    Bindings,
    Dataset,
    QueryForm,
    RawResult,
    SelectResult,
    Store,
    effective_dataset,
)
from e2kg.store.media import (
    RDFLIB_GRAPH_FORMATS,
    RDFLIB_RESULT_FORMATS,
    dump_media_type,
    result_media_type,
)
from e2kg.store.parsing import parse_quads
from e2kg.store.results import select_tsv
from e2kg.store.terms import to_rdflib

# rdflib fetches the IRI of a FROM, FROM NAMED or USING graph from the web (or a file: IRI from
# disk) when this flag is on. The memory store holds every graph it knows; a request must never
# make the service fetch anything (server-side request forgery, local files), so it is off for
# the whole process.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

_FORMS = {
    "SelectQuery": QueryForm.SELECT,
    "AskQuery": QueryForm.ASK,
    "ConstructQuery": QueryForm.CONSTRUCT,
    "DescribeQuery": QueryForm.DESCRIBE,
}


@contextmanager
def rdflib_calls() -> Iterator[None]:
    """Silence rdflib 7.6 warning about its own use of deprecated ``Dataset.default_context``.

    The filter is put in place and left there, not saved and restored with ``catch_warnings``:
    that swaps the process-wide filter list, so a thread leaving the block first (a background
    warm-up next to a request) restored the list under another still inside it, and the warning
    escaped (a failed query under ``-W error``). Adding an equal filter again replaces it.
    """
    warnings.filterwarnings(
        "ignore",
        message=r"(Dataset\.\w+|ConjunctiveGraph) is deprecated",
        category=DeprecationWarning,
    )
    yield


def syntax_error(error: Exception, what: str) -> QuerySyntaxError:
    """A QuerySyntaxError carrying rdflib's parser message, line and column."""
    if isinstance(error, pyparsing.ParseBaseException):
        return QuerySyntaxError(
            f"{what} syntax error at line {error.lineno}, column {error.col}: {error.msg}",
            detail={"line": error.lineno, "column": error.col},
        )
    return QuerySyntaxError(f"{what} syntax error: {error}")


class MemoryStore(Store):
    """rdflib in memory; one lock serialises writers against readers so no one sees half a graph."""

    name = "memory"
    persistent = False

    def __init__(self) -> None:
        self._dataset = RdflibDataset(default_union=True)
        self._lock = threading.RLock()

    @classmethod
    def from_quads(cls, nquads: bytes) -> MemoryStore:
        """A store holding ``nquads`` (our own N-Quads dump) as they are: named graphs keep their
        names and default-graph triples stay in the default graph (``load`` would put both into
        one named graph). The write gate's scratch copy of a memory or remote store."""
        store = cls()
        with rdflib_calls():
            store._dataset.parse(data=nquads, format="nquads")
        return store

    @property
    def writable(self) -> bool:
        return True

    # -- queries -----------------------------------------------------------------------------------

    def _parse(self, query: str) -> Query:
        try:
            return translateQuery(parseQuery(query))
        except Exception as e:
            raise syntax_error(e, "query") from e

    def query_form(self, query: str) -> QueryForm:
        return _FORMS[self._parse(query).algebra.name]

    def _view(self, dataset: Dataset) -> RdflibDataset:
        """A copy holding only the graphs ``dataset`` names (protocol dataset semantics)."""
        view = RdflibDataset(default_union=False)
        default_graph = view.graph(DATASET_DEFAULT_GRAPH_ID)
        for name in dataset.default:
            for triple in Graph(self._dataset.store, identifier=name):
                default_graph.add(triple)
        for name in dataset.named:
            target = view.graph(name)
            for triple in Graph(self._dataset.store, identifier=name):
                target.add(triple)
        return view

    def _run(
        self, query: str, bindings: Bindings | None, dataset: Dataset | None
    ) -> tuple[QueryForm, Result]:
        parsed = self._parse(query)
        form = _FORMS[parsed.algebra.name]
        dataset = effective_dataset(dataset)
        clauses = parsed.algebra.get("datasetClause") or []
        if dataset is None and clauses:
            dataset = Dataset(
                default=[c.default for c in clauses if c.get("default") is not None],
                named=[c.named for c in clauses if c.get("named") is not None],
            )
        # The dataset is applied here, never by rdflib, which would fetch FROM IRIs from the web.
        parsed.algebra["datasetClause"] = None
        with self._lock, rdflib_calls():
            target = self._dataset if dataset is None else self._view(dataset)
            try:
                result = target.query(
                    parsed, initBindings=cast(Mapping[str, Identifier], bindings or {})
                )
                if form is QueryForm.SELECT:
                    result.bindings  # noqa: B018 - evaluate inside the lock
            except E2kgError:
                raise
            except Exception as e:
                raise StoreError(f"query failed: {e}") from e
        return form, result

    def select(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> SelectResult:
        form, result = self._run(query, bindings, dataset)
        if form is not QueryForm.SELECT:
            raise QuerySyntaxError(f"expected a SELECT query, got {form.value}")
        variables = [str(v) for v in result.vars or []]
        rows: list[dict[str, Node]] = [
            {str(k): v for k, v in solution.items() if v is not None}
            for solution in result.bindings
        ]
        return SelectResult(variables=variables, rows=rows)

    def ask(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> bool:
        form, result = self._run(query, bindings, dataset)
        if form is not QueryForm.ASK:
            raise QuerySyntaxError(f"expected an ASK query, got {form.value}")
        return bool(result.askAnswer)

    def construct(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> Graph:
        form, result = self._run(query, bindings, dataset)
        if form not in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE):
            raise QuerySyntaxError(f"expected a CONSTRUCT or DESCRIBE query, got {form.value}")
        graph = Graph()
        for triple in result.graph or Graph():
            graph.add(triple)
        return graph

    def query_raw(
        self,
        query: str,
        media_type: str,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
    ) -> RawResult:
        form = self.query_form(query)
        wanted = result_media_type(form, media_type)
        if form is QueryForm.SELECT and wanted == "text/tab-separated-values":
            body = select_tsv(self.select(query, bindings=bindings, dataset=dataset))
        elif form in (QueryForm.SELECT, QueryForm.ASK):
            _, result = self._run(query, bindings, dataset)
            body = result.serialize(format=RDFLIB_RESULT_FORMATS[wanted]) or b""
        else:
            graph = self.construct(query, bindings=bindings, dataset=dataset)
            body = graph.serialize(format=RDFLIB_GRAPH_FORMATS[wanted], encoding="utf-8")
        return RawResult(form=form, media_type=wanted, chunks=iter([body]))

    # -- writes ------------------------------------------------------------------------------------

    def update(self, update: str) -> None:
        try:
            parsed = translateUpdate(parseUpdate(update))
        except Exception as e:
            raise syntax_error(e, "update") from e
        _refuse_generalised_triples(parsed)
        _work_around_union_default_graph(parsed)
        with self._lock, rdflib_calls():
            try:
                self._dataset.update(parsed)
            except E2kgError:
                raise
            except Exception as e:
                raise StoreError(f"update failed: {e}") from e

    def _parsed_graph(self, source: Path | bytes | Graph, media_type: str, graph: URIRef) -> Graph:
        """``source`` parsed completely before the store is touched: a bad file changes nothing."""
        parsed = Graph()
        for quad in parse_quads(source, media_type=media_type, graph=graph):
            parsed.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return parsed

    def load(self, source: Path | bytes, *, media_type: str, graph: URIRef) -> None:
        parsed = self._parsed_graph(source, media_type, graph)
        with self._lock, rdflib_calls():
            target = self._dataset.graph(graph)
            for triple in parsed:
                target.add(triple)

    def replace_graph(
        self, graph: URIRef, source: Path | bytes | Graph, *, media_type: str
    ) -> None:
        parsed = self._parsed_graph(source, media_type, graph)
        with self._lock, rdflib_calls():
            self._dataset.remove_graph(graph)
            target = self._dataset.graph(graph)
            for triple in parsed:
                target.add(triple)

    def drop_graph(self, graph: URIRef) -> None:
        with self._lock, rdflib_calls():
            self._dataset.remove_graph(graph)

    # -- inspection --------------------------------------------------------------------------------

    def graphs(self) -> list[URIRef]:
        with self._lock, rdflib_calls():
            names = {
                g.identifier
                for g in self._dataset.graphs()
                if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g) > 0
            }
        return sorted(n for n in names if isinstance(n, URIRef))

    def dump(self, media_type: str = "application/n-quads") -> Iterator[bytes]:
        wanted = dump_media_type(media_type)
        with self._lock, rdflib_calls():
            body = self._dataset.serialize(format=RDFLIB_GRAPH_FORMATS[wanted], encoding="utf-8")
        yield body


def _work_around_union_default_graph(parsed: Update) -> None:
    """Two operations rdflib runs wrongly on a Dataset whose default graph is the union, rewritten
    in place before they run.

    ``INSERT DATA`` triples outside ``GRAPH`` are added to the union graph, which takes only quads
    (a ValueError, answered 500): they go to the default graph instead, where ``INSERT { … }
    WHERE`` puts them. ``DELETE WHERE`` with ``GRAPH ?g`` looks for a graph named after the
    variable and deletes nothing: it becomes the ``DELETE { … } WHERE { … }`` the specification
    says it is short for (only when a graph is a variable: the rest keeps rdflib's behaviour).
    """
    for index, operation in enumerate(parsed.algebra):
        if operation.name == "InsertData" and operation.get("triples"):
            operation["quads"][DATASET_DEFAULT_GRAPH_ID] += operation["triples"]
            operation["triples"] = []
        elif operation.name == "DeleteWhere" and any(
            isinstance(graph, Variable) for graph in operation["quads"] or {}
        ):
            where = BGP(operation["triples"] or [])
            for graph, triples in operation["quads"].items():
                where = Join(where, CompValue("Graph", term=graph, p=BGP(triples)))
            parsed.algebra[index] = CompValue(
                "Modify",
                delete=CompValue(
                    "DeleteClause", quads=operation["quads"], triples=operation["triples"]
                ),
                insert=None,
                using=None,
                withClause=None,
                where=where,
            )


def _refuse_generalised_triples(parsed: Query | object) -> None:
    """QuerySyntaxError for a literal or blank node where RDF allows only an IRI.

    rdflib's grammar lets ``INSERT DATA { "x" <p> "y" }`` through and stores the triple, which no
    RDF format can write back (Oxigraph refuses it as a syntax error); here it is refused the same
    way before anything is written.
    """
    for operation in getattr(parsed, "algebra", []):
        # CompValue.get answers a missing key with the key itself: dict.get does not.
        clauses = [operation, dict.get(operation, "insert"), dict.get(operation, "delete")]
        for clause in clauses:
            if not isinstance(clause, dict):
                continue
            triples = list(dict.get(clause, "triples") or [])
            for graph_triples in (dict.get(clause, "quads") or {}).values():
                triples.extend(graph_triples)
            for subject, predicate, _ in triples:
                if isinstance(subject, Literal) or not isinstance(predicate, URIRef | Variable):
                    raise QuerySyntaxError(
                        f"update syntax error: {subject.n3()} {predicate.n3()} is not an RDF "
                        "triple (a literal as subject, or a predicate that is not an IRI)"
                    )
