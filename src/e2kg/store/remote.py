"""The remote backend: any SPARQL 1.1 query/update endpoint, spoken to with SPARQLWrapper.

Bindings travel as a VALUES block of N-Triples terms at the start of the WHERE group; loads and
graph replacement are SPARQL Update requests (one request per replacement, so engines that run a
request in one transaction replace atomically). Without an update URL the store is read-only.
What the default graph of a query is, when no dataset is given, is up to the engine: Oxigraph
server needs ``--union-default-graph``, Fuseki ``tdb:unionDefaultGraph true``.
"""

from __future__ import annotations

import re
import socket
import urllib.error
import warnings
from collections.abc import Iterator
from http.client import HTTPResponse
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from e2kg.errors import (
    QuerySyntaxError,
    QueryTimeout,
    ReadOnlyStore,
    StoreError,
    StoreUnavailable,
)
from e2kg.store.base import (
    Bindings,
    Dataset,
    QueryForm,
    RawResult,
    SelectResult,
    Store,
    effective_dataset,
)
from e2kg.store.media import dump_media_type, essence, result_media_type
from e2kg.store.parsing import parse_quads
from e2kg.store.queries import store_query
from e2kg.store.syntax import dataset_clause, has_dataset_clause, with_values
from e2kg.store.syntax import query_form as lexical_form
from e2kg.store.terms import iri_ntriples, subject_to_oxigraph, to_oxigraph, to_rdflib

_POSITION = re.compile(r"at (\d+):(\d+)")
CHUNK_TRIPLES = 50_000
"""Triples per INSERT DATA request when a load has no blank nodes (blank nodes need one request)."""
_READ = 1 << 16


def _is_timeout(reason: object) -> bool:
    return isinstance(reason, TimeoutError | socket.timeout)


class RemoteStore(Store):
    """A remote SPARQL 1.1 endpoint; writes go to ``update_url`` and are refused without one."""

    name = "remote"
    persistent = True

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        username: str | None = None,
        password: str | None = None,
        bearer_token: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.username = username
        self.password = password
        self.bearer_token = bearer_token
        self.timeout = timeout

    @property
    def writable(self) -> bool:
        return self.update_url is not None

    # -- the wire ----------------------------------------------------------------------------------

    def _wrapper(self, text: str, form: str, accept: str) -> SPARQLWrapper:
        sparql = SPARQLWrapper(self.query_url, updateEndpoint=self.update_url or self.query_url)
        sparql.setMethod(POST)
        sparql.setTimeout(max(1, round(self.timeout)))
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", RuntimeWarning
            )  # its guess of the form; ours is set below
            sparql.setQuery(text)
        sparql.queryType = form
        sparql.setReturnFormat(TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON)
        sparql.addCustomHttpHeader("Accept", accept)
        if self.username is not None and self.password is not None:
            sparql.setCredentials(self.username, self.password)
        if self.bearer_token is not None:
            sparql.addCustomHttpHeader("Authorization", f"Bearer {self.bearer_token}")
        return sparql

    def _send(self, sparql: SPARQLWrapper, what: str) -> HTTPResponse:
        """Send the request; translate every failure into the package's errors."""
        where = sparql.updateEndpoint if sparql.isSparqlUpdateRequest() else sparql.endpoint
        try:
            response: HTTPResponse = sparql.query().response
            return response
        except QueryBadFormed as e:
            message = _engine_message(e)
            detail: dict[str, object] = {}
            match = _POSITION.search(message)
            if match:
                detail = {"line": int(match.group(1)), "column": int(match.group(2))}
            raise QuerySyntaxError(f"{what} syntax error: {message}", detail=detail) from e
        except Unauthorized as e:
            raise StoreUnavailable(f"{where} refused the credentials (HTTP 401)") from e
        except EndPointNotFound as e:
            raise StoreUnavailable(f"no SPARQL endpoint at {where} (HTTP 404)") from e
        except (EndPointInternalError, URITooLong) as e:
            raise StoreError(f"{what} failed at {where}: {_engine_message(e)}") from e
        except SPARQLWrapperException as e:
            raise StoreError(f"{what} failed at {where}: {_engine_message(e)}") from e
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace").strip()
            if e.code == 403 and sparql.isSparqlUpdateRequest():
                raise ReadOnlyStore(f"{where} refused the update (HTTP 403): {body}") from e
            if e.code in (502, 503, 504) and "timeout" in body.lower():
                raise QueryTimeout(f"{what} timed out at {where}: {body}") from e
            if e.code in (403, 502, 503, 504):
                raise StoreUnavailable(f"{where} answered HTTP {e.code}: {body}") from e
            raise StoreError(f"{what} failed at {where}: HTTP {e.code}: {body}") from e
        except urllib.error.URLError as e:
            if _is_timeout(e.reason):
                raise QueryTimeout(f"{what} ran longer than {self.timeout:g} s at {where}") from e
            raise StoreUnavailable(f"cannot reach SPARQL endpoint {where}: {e.reason}") from e
        except TimeoutError as e:
            raise QueryTimeout(f"{what} ran longer than {self.timeout:g} s at {where}") from e
        except OSError as e:
            raise StoreUnavailable(f"cannot reach SPARQL endpoint {where}: {e}") from e

    def _read(self, response: HTTPResponse) -> bytes:
        try:
            with response:
                return response.read()
        except TimeoutError as e:
            raise QueryTimeout(f"reading the result took longer than {self.timeout:g} s") from e
        except OSError as e:
            raise StoreUnavailable(f"the connection to {self.query_url} broke: {e}") from e

    def _stream(self, response: HTTPResponse) -> Iterator[bytes]:
        try:
            with response:
                while chunk := response.read(_READ):
                    yield chunk
        except TimeoutError as e:
            raise QueryTimeout(f"reading the result took longer than {self.timeout:g} s") from e
        except OSError as e:
            raise StoreUnavailable(f"the connection to {self.query_url} broke: {e}") from e

    def _query(
        self,
        query: str,
        accept: str,
        bindings: Bindings | None,
        dataset: Dataset | None,
    ) -> tuple[QueryForm, HTTPResponse]:
        form = lexical_form(query)
        sparql = self._wrapper(with_values(query, bindings), form.value, accept)
        dataset = effective_dataset(dataset)
        if dataset is None and has_dataset_clause(query):
            # An engine with a union default graph may ignore FROM; the protocol's dataset wins.
            default, named = dataset_clause(query)
            dataset = Dataset(
                default=[URIRef(g) for g in default], named=[URIRef(g) for g in named]
            )
        if dataset is not None:
            for graph in dataset.default:
                sparql.addParameter("default-graph-uri", str(graph))
            for graph in dataset.named:
                sparql.addParameter("named-graph-uri", str(graph))
        return form, self._send(sparql, "query")

    # -- queries -----------------------------------------------------------------------------------

    def query_form(self, query: str) -> QueryForm:
        return lexical_form(query)

    def _results(
        self, query: str, expected: QueryForm, bindings: Bindings | None, dataset: Dataset | None
    ) -> ox.QuerySolutions | ox.QueryBoolean:
        form = lexical_form(query)
        if form is not expected:
            raise QuerySyntaxError(f"expected a {expected.value} query, got {form.value}")
        _, response = self._query(query, "application/sparql-results+json", bindings, dataset)
        body = self._read(response)
        try:
            return ox.parse_query_results(body, format=_results_format(response))
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"{self.query_url} sent results that do not parse: {e}") from e

    def select(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> SelectResult:
        results = self._results(query, QueryForm.SELECT, bindings, dataset)
        if not isinstance(results, ox.QuerySolutions):
            raise StoreError(f"{self.query_url} answered a SELECT query with a boolean")
        variables = [v.value for v in results.variables]
        rows = [
            {name: to_rdflib(solution[name]) for name in variables if solution[name] is not None}
            for solution in results
        ]
        return SelectResult(variables=variables, rows=rows)

    def ask(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> bool:
        result = self._results(query, QueryForm.ASK, bindings, dataset)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError(f"{self.query_url} answered an ASK query with solutions")
        return bool(result)

    def construct(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> Graph:
        form = lexical_form(query)
        if form not in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE):
            raise QuerySyntaxError(f"expected a CONSTRUCT or DESCRIBE query, got {form.value}")
        _, response = self._query(query, "application/n-triples", bindings, dataset)
        body = self._read(response)
        graph = Graph()
        try:
            for quad in ox.parse(body, format=_rdf_format(response)):
                graph.add(
                    (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
                )
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"{self.query_url} sent triples that do not parse: {e}") from e
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
        _, response = self._query(query, wanted, bindings, dataset)
        sent = essence(response.headers.get("Content-Type", ""))
        if sent == wanted:
            return RawResult(form=form, media_type=wanted, chunks=self._stream(response))
        # The engine chose another format: convert, so callers always get what they asked for.
        body = self._read(response)
        try:
            if form in (QueryForm.SELECT, QueryForm.ASK):
                results = ox.parse_query_results(body, format=_results_format(response))
                converted = results.serialize(format=ox.QueryResultsFormat.from_media_type(wanted))
            else:
                triples = ox.parse(body, format=_rdf_format(response))
                converted = ox.serialize(
                    (ox.Triple(q.subject, q.predicate, q.object) for q in triples),
                    format=ox.RdfFormat.from_media_type(wanted),
                )
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"{self.query_url} sent {sent} that cannot be converted: {e}") from e
        return RawResult(form=form, media_type=wanted, chunks=iter([converted or b""]))

    # -- writes ------------------------------------------------------------------------------------

    def update(self, update: str) -> None:
        self._require_writable()
        sparql = self._wrapper(update, "INSERT", "*/*")
        sparql.setRequestMethod(POSTDIRECTLY)
        self._read(self._send(sparql, "update"))

    def _quad_data(
        self, source: Path | bytes | Graph, media_type: str, graph: URIRef
    ) -> tuple[list[str], bool]:
        """``source`` as INSERT DATA bodies of at most CHUNK_TRIPLES triples, all parsed before any
        is sent (so a document that does not parse changes nothing), and whether it has blank nodes.
        """
        chunks: list[list[str]] = []
        lines: list[str] = []
        has_blank_nodes = False
        current_graph: str | None = None
        count = 0
        for quad in parse_quads(source, media_type=media_type, graph=graph):
            has_blank_nodes = has_blank_nodes or isinstance(quad.subject, ox.BlankNode)
            has_blank_nodes = has_blank_nodes or isinstance(quad.object, ox.BlankNode)
            name = str(quad.graph_name)
            if count == CHUNK_TRIPLES or name != current_graph:
                if current_graph is not None:
                    lines.append("}")
                if count == CHUNK_TRIPLES:
                    chunks.append(lines)
                    lines, count = [], 0
                lines.append(f"GRAPH {name} {{")
                current_graph = name
            lines.append(f"{quad.subject} {quad.predicate} {quad.object} .")
            count += 1
        if current_graph is not None:
            lines.append("}")
            chunks.append(lines)
        return ["\n".join(chunk) for chunk in chunks], has_blank_nodes

    def load(self, source: Path | bytes, *, media_type: str, graph: URIRef) -> None:
        self._require_writable()
        bodies, has_blank_nodes = self._quad_data(source, media_type, graph)
        if has_blank_nodes:  # a blank node is one node only within one INSERT DATA
            bodies = ["\n".join(bodies)]
        for body in bodies:
            self.update(f"INSERT DATA {{\n{body}\n}}")

    def replace_graph(
        self, graph: URIRef, source: Path | bytes | Graph, *, media_type: str
    ) -> None:
        # One request: engines that run a request in one transaction replace atomically.
        self._require_writable()
        bodies, _ = self._quad_data(source, media_type, graph)
        update = f"DROP SILENT GRAPH {iri_ntriples(str(graph))}"
        if bodies:
            update += " ;\nINSERT DATA {\n" + "\n".join(bodies) + "\n}"
        self.update(update)

    def drop_graph(self, graph: URIRef) -> None:
        self.update(f"DROP SILENT GRAPH {iri_ntriples(str(graph))}")

    def _require_writable(self) -> None:
        if self.update_url is None:
            raise ReadOnlyStore(
                f"the remote store {self.query_url} is read-only: set an update URL to write"
            )

    # -- inspection --------------------------------------------------------------------------------

    def graphs(self) -> list[URIRef]:
        rows = self.select(store_query("graphs")).rows
        return sorted(row["g"] for row in rows if isinstance(row.get("g"), URIRef))  # type: ignore[misc]

    def dump(self, media_type: str = "application/n-quads") -> Iterator[bytes]:
        rdf_format = ox.RdfFormat.from_media_type(dump_media_type(media_type))
        for graph in self.graphs():
            triples = self.construct(store_query("graph-triples"), bindings={"g": graph})
            name = ox.NamedNode(str(graph))
            quads = (
                ox.Quad(subject_to_oxigraph(s), ox.NamedNode(str(p)), to_oxigraph(o), name)
                for s, p, o in triples
            )
            yield ox.serialize(quads, format=rdf_format) or b""


def _engine_message(error: SPARQLWrapperException) -> str:
    """The engine's own words from a SPARQLWrapper error (the response body)."""
    response = getattr(error, "response", None)
    if isinstance(response, bytes):
        return response.decode("utf-8", "replace").strip()
    return str(error)


def _results_format(response: HTTPResponse) -> ox.QueryResultsFormat:
    sent = essence(response.headers.get("Content-Type", "")) or "application/sparql-results+json"
    results_format = ox.QueryResultsFormat.from_media_type(sent)
    if results_format is None:
        raise StoreError(f"the endpoint sent results as {sent}, which e2kg cannot read")
    return results_format


def _rdf_format(response: HTTPResponse) -> ox.RdfFormat:
    sent = essence(response.headers.get("Content-Type", "")) or "application/n-triples"
    rdf_format = ox.RdfFormat.from_media_type(sent)
    if rdf_format is None:
        raise StoreError(f"the endpoint sent triples as {sent}, which e2kg cannot read")
    return rdf_format
