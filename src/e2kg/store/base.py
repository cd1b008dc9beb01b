"""The one store interface every feature reads and writes through, whatever the backend.

A backend is embedded Oxigraph on disk, rdflib in memory, or a remote SPARQL 1.1 engine. Results
come as Python values (rdflib terms) or as raw bytes in a requested media type, so the HTTP layer
can pass them through without re-encoding. The default graph of a query is the union of all named
graphs unless the caller names default graphs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import ClassVar

from rdflib import Graph, URIRef
from rdflib.term import Node

from e2kg.store.queries import store_query

Bindings = Mapping[str, Node]
"""Values for query variables, bound as typed RDF terms (never formatted into the query text)."""


class QueryForm(Enum):
    """The four SPARQL query forms; each has one result type."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"


@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT query: each row maps a variable name to an rdflib term (unbound: absent)."""

    variables: list[str]
    rows: list[dict[str, Node]]


@dataclass(frozen=True)
class RawResult:
    """A query result serialised by the engine: its form, media type and the bytes as chunks."""

    form: QueryForm
    media_type: str
    chunks: Iterator[bytes]


@dataclass(frozen=True)
class Dataset:
    """Which graphs a query sees: ``default`` ones merged as the default graph, ``named`` as named.

    Both empty means the protocol default of this service: the default graph is the union of all
    named graphs, and every named graph is visible.
    """

    default: Sequence[URIRef] = field(default_factory=tuple)
    named: Sequence[URIRef] = field(default_factory=tuple)

    @property
    def is_service_default(self) -> bool:
        """Whether both lists are empty, i.e. this means the same as passing no dataset at all."""
        return not self.default and not self.named


def effective_dataset(dataset: Dataset | None) -> Dataset | None:
    """``dataset`` as backends apply it: None (the service default) when it names no graph."""
    return None if dataset is None or dataset.is_service_default else dataset


SELECT_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
"""Media types every backend produces for SELECT results."""

ASK_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
)
"""Media types every backend produces for ASK results."""

GRAPH_MEDIA_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
)
"""Media types every backend produces for CONSTRUCT and DESCRIBE results."""

DUMP_MEDIA_TYPES = ("application/n-quads", "application/trig")
"""Media types of a whole-store dump (every named graph)."""


class Store(ABC):
    """A SPARQL 1.1 store. Capabilities are class attributes so callers can ask before they try."""

    name: ClassVar[str]
    """Registry name of the backend: ``oxigraph``, ``memory`` or ``remote``."""

    persistent: ClassVar[bool] = False
    """Whether data survives a restart of the process."""

    @property
    @abstractmethod
    def writable(self) -> bool:
        """Whether updates and loads are accepted (a remote store without update URL is not)."""

    # -- queries -----------------------------------------------------------------------------------

    @abstractmethod
    def query_form(self, query: str) -> QueryForm:
        """The form of ``query``; raises QuerySyntaxError when it does not parse.

        A remote store checks only that there is a form keyword (its engine may accept extensions
        or predeclared prefixes); the engine's parser speaks when the query runs.
        """

    @abstractmethod
    def select(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> SelectResult:
        """Run a SELECT query and return its rows as rdflib terms."""

    @abstractmethod
    def ask(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> bool:
        """Run an ASK query."""

    @abstractmethod
    def construct(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query and return the triples as an rdflib graph."""

    @abstractmethod
    def query_raw(
        self,
        query: str,
        media_type: str,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
    ) -> RawResult:
        """Run any query form and return the result serialised in ``media_type``.

        Raises NotAcceptable when the media type does not fit the query form.
        """

    # -- writes ------------------------------------------------------------------------------------

    @abstractmethod
    def update(self, update: str) -> None:
        """Run a SPARQL 1.1 Update; raises ReadOnlyStore where writes are off."""

    @abstractmethod
    def load(self, source: Path | bytes, *, media_type: str, graph: URIRef) -> None:
        """Add the triples of ``source`` (a file or bytes in ``media_type``) to named ``graph``."""

    @abstractmethod
    def replace_graph(
        self, graph: URIRef, source: Path | bytes | Graph, *, media_type: str
    ) -> None:
        """Replace named ``graph`` with ``source`` atomically: readers see the old or the new."""

    @abstractmethod
    def drop_graph(self, graph: URIRef) -> None:
        """Remove the named ``graph``; no error when it does not exist."""

    # -- inspection --------------------------------------------------------------------------------

    @abstractmethod
    def graphs(self) -> list[URIRef]:
        """The names of all named graphs, sorted."""

    @abstractmethod
    def dump(self, media_type: str = "application/n-quads") -> Iterator[bytes]:
        """Every named graph as N-Quads or TriG, in chunks."""

    def triple_count(self, graph: URIRef | None = None) -> int:
        """How many triples the store (or one named graph) holds."""
        query = store_query("triple-count")
        rows = self.select(query, bindings=None if graph is None else {"g": graph}).rows
        return int(str(rows[0]["n"])) if rows else 0

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release files, locks and connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_all(store: Store, sources: Iterable[tuple[URIRef, Path, str]]) -> None:
    """Replace each named graph with its source file: (graph name, path, media type)."""
    for graph, path, media_type in sources:
        store.replace_graph(graph, path, media_type=media_type)
