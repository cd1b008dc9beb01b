"""The validation context of new entries: shapes, ontology, schemes and the graph, built once.

The context is an in-memory rdflib graph of every triple the store holds outside the shapes and the
submission histories, fetched with one CONSTRUCT when first needed and again after a write this
service did not follow triple by triple (``invalidate``). Publishing a submission updates it in
place (``apply``). Each validation adds the entry to it, validates only the entry's subjects
(``validation.validate_in_context``, the code path of ``e2kg validate`` too) and takes the entry
out again, so a request costs what pySHACL needs for the entry's focus nodes, not a reload.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from rdflib import RDF, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Identifier, Node

from e2kg.sources import Profile
from e2kg.store import Store
from e2kg.submissions.queries import submission_query
from e2kg.validation import ValidationReport, load_shapes, validate_graph, validate_in_context

Triple = tuple[Node, Node, Node]


class PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL query text once and reuses the prepared query.

    pySHACL hands every SPARQL-based constraint to ``Graph.query`` as text, for every run, and
    rdflib's parser takes most of a validation's time (about 18 ms per constraint); prepared
    queries are meant to be run again with other bindings.
    """

    _prepared: ClassVar[dict[tuple[str, tuple[tuple[str, str], ...]], Query]] = {}
    _prepared_lock: ClassVar[threading.Lock] = threading.Lock()

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 - rdflib's name
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803 - rdflib's name
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        """Run ``query_object``, preparing a text query once per text and namespaces."""
        if isinstance(query_object, str) and processor == "sparql" and "base" not in kwargs:
            key = (query_object, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=dict(initNs or {}))
                with self._prepared_lock:
                    self._prepared[key] = prepared
            query_object = prepared
        return super().query(
            query_object,
            processor,
            result,
            initNs=initNs,
            initBindings=initBindings,
            use_store_provided=use_store_provided,
            **kwargs,
        )

    focus: frozenset[Node] | None = None
    """While set, ``subjects(rdf:type, C)`` yields only these nodes (those of type C).

    pySHACL finds a shape's focus nodes by listing every instance of its target class and only
    then keeps the ``focus_nodes`` it was given: on a graph with a hundred thousand findings that
    is most of the run. The result is the same when the listing is restricted to the given focus
    nodes up front; SPARQL constraints and value checks read triples, not this method.
    """

    def subjects(  # type: ignore[override]
        self,
        predicate: Node | None = None,
        object: Node | None = None,
        unique: bool = False,
    ) -> Iterator[Node]:
        """As rdflib's, but restricted to ``focus`` for ``rdf:type`` lookups while it is set."""
        if self.focus is not None and predicate == RDF.type and object is not None:
            return iter([node for node in self.focus if (node, RDF.type, object) in self])
        return super().subjects(predicate, object, unique)


def prepared_graph() -> PreparedQueryGraph:
    """An empty PreparedQueryGraph binding only the core prefixes (like ``parsing.new_graph``)."""
    return PreparedQueryGraph(bind_namespaces="core")


class ValidationContext:
    """The shapes of the study-entry profile and the store's data, ready to validate entries."""

    def __init__(self, store: Store, source_dir: Path) -> None:
        self.store = store
        self.source_dir = source_dir
        self._shapes: Graph | None = None
        self._data: Graph | None = None
        self._lock = threading.RLock()

    @property
    def shapes(self) -> Graph:
        """The shapes of the study-entry profile, read on first use (not at start-up)."""
        with self._lock:
            if self._shapes is None:
                self._shapes = load_shapes(self.source_dir, Profile.STUDY_ENTRY)
            return self._shapes

    @property
    def lock(self) -> threading.RLock:
        """Held while the context is read or changed (validations run one at a time)."""
        return self._lock

    def data(self) -> Graph:
        """The context graph, fetched from the store when it is not current. Hold ``lock``."""
        if self._data is None:
            fetched = self.store.construct(submission_query("context"))
            graph = prepared_graph()
            for prefix, namespace in self.shapes.namespaces():
                graph.bind(prefix, namespace, override=False)
            graph += fetched
            self._data = graph
        return self._data

    def invalidate(self) -> None:
        """Forget the context: the next validation fetches it from the store again."""
        with self._lock:
            self._data = None

    def apply(self, *, added: Iterable[Triple], removed: Iterable[Triple]) -> None:
        """Follow a write whose triples are known (a publication)."""
        with self._lock:
            if self._data is None:
                return
            for triple in removed:
                self._data.remove(triple)
            for triple in added:
                self._data.add(triple)

    def validate(
        self,
        entry: Graph,
        *,
        language: str = "en",
        replacing: Graph | None = None,
    ) -> ValidationReport:
        """Validate ``entry`` (its subjects as focus nodes) against the store's data.

        ``replacing`` is the stored version the entry would replace: its triples are left out of
        the context for this run, so a corrected resubmission is not checked against itself.
        """
        with self._lock:
            data = self.data()
            hidden = [triple for triple in (replacing or ()) if triple not in entry]
            hidden = [triple for triple in hidden if triple in data]
            for triple in hidden:
                data.remove(triple)
            entry_nodes = {node for node in entry.subjects() if isinstance(node, URIRef)}
            try:
                with _focused(data, entry_nodes):
                    return validate_in_context(
                        entry, data, self.shapes, profile=Profile.STUDY_ENTRY, language=language
                    )
            finally:
                for triple in hidden:
                    data.add(triple)

    def validate_nodes(
        self, data: Graph, focus_nodes: list[URIRef], *, language: str = "en"
    ) -> ValidationReport:
        """Validate ``focus_nodes`` of a whole data graph (the write gate's after/before states)."""
        with _focused(data, set(focus_nodes)):
            return validate_graph(
                data,
                self.shapes,
                profile=Profile.STUDY_ENTRY,
                focus_nodes=focus_nodes,
                language=language,
            )


@contextmanager
def _focused(data: Graph, nodes: set[URIRef]) -> Iterator[None]:
    """Restrict target-class lookups of a PreparedQueryGraph to ``nodes`` (see ``focus``)."""
    if not isinstance(data, PreparedQueryGraph) or not nodes:
        yield
        return
    data.focus = frozenset(nodes)
    try:
        yield
    finally:
        data.focus = None
