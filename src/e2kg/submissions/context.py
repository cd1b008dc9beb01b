"""The validation context of new entries: the shapes, a kept ontology and the entry's neighbourhood.

An entry is validated with its subjects as focus nodes (``validation.validate_in_context``, the code
path of ``e2kg validate`` too) in a small rdflib graph: the ontology and concept schemes (the named
graphs under ``ontology/`` and every ``rdfs:subClassOf``, fetched once and kept until a write this
service did not follow triple by triple, ``invalidate``) plus what the shapes can read outside the
entry, fetched from the store by bounded SPARQL for each validation (``queries/validation``):

- every stored triple about a node the entry names (its subjects and the IRIs it points to), and
  about the blank nodes those point to: types for ``sh:class``, ``skos:inScheme`` for the
  vocabularies, a passage's text for "evidence sentence stands in its passage", a data set's
  study, an evidence node's sentence, the stored triples of the entry's own subjects;
- the findings citing one of those nodes as their study ("at least one finding");
- the findings of one of those nodes as data set, with business function and role ("one finding
  per study, department and role"): looked up by the data set, not by listing findings;
- the same about the IRIs the stored triples of the entry's subjects point to (one more query,
  only when the entry's subjects are stored already, e.g. a resubmission).

No shape reads further (docs/submissions.md lists them), so a validation costs a few index lookups
and pySHACL on a few hundred triples, whatever the size of the store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any, ClassVar

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Identifier, Node

from e2kg.sources import Profile, graph_name, ontology_files
from e2kg.store import Store
from e2kg.store.terms import iri_ntriples, is_absolute_iri
from e2kg.validation import ValidationReport, load_shapes, validate_graph, validate_in_context

Triple = tuple[Node, Node, Node]

NOT_DATA = ("https://w3id.org/e2kg/shapes/", "https://w3id.org/e2kg/submission/")
"""IRIs whose stored triples are shapes or submission records (graphs, histories, versions), not
data: the neighbourhood query reads the union default graph, so it leaves these IRIs out."""


@cache
def validation_query(name: str) -> str:
    """The text of ``queries/validation/<name>.rq`` (package data)."""
    return files("e2kg").joinpath("queries", "validation", f"{name}.rq").read_text(encoding="utf-8")


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
    _focus_types: dict[Node, list[Node]] | None = None
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
        """As rdflib's, but restricted to ``focus`` for ``rdf:type`` lookups while it is set.

        The focus nodes' types are indexed on the first lookup (pySHACL asks for every target
        class and subclass of every shape, a few hundred lookups a run); the graph does not change
        while pySHACL runs, and ``_focused`` drops the index.
        """
        if self.focus is not None and predicate == RDF.type and object is not None:
            if self._focus_types is None:
                index: dict[Node, list[Node]] = {}
                for node in self.focus:
                    for node_type in set(super().objects(node, RDF.type)):
                        index.setdefault(node_type, []).append(node)
                self._focus_types = index
            return iter(list(self._focus_types.get(object, ())))
        return super().subjects(predicate, object, unique)


def prepared_graph() -> PreparedQueryGraph:
    """An empty PreparedQueryGraph binding only the core prefixes (like ``parsing.new_graph``)."""
    return PreparedQueryGraph(bind_namespaces="core")


class ValidationContext:
    """The shapes of the study-entry profile and access to the store's data, to validate entries."""

    def __init__(self, store: Store, source_dir: Path) -> None:
        self.store = store
        self.source_dir = source_dir
        self._shapes: Graph | None = None
        self._data: PreparedQueryGraph | None = None
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
        """The kept part of the context (ontology, concept schemes, class hierarchy). Hold ``lock``.

        Fetched from the store when it is not current, with one query: the named graphs of the
        project's ``ontology/**/*.ttl`` and the ``rdfs:subClassOf`` triples of every graph.
        """
        if self._data is None:
            graph = prepared_graph()
            for prefix, namespace in self.shapes.namespaces():
                graph.bind(prefix, namespace, override=False)
            root = self.source_dir.resolve()
            names = [graph_name(path.relative_to(root).as_posix()) for path in ontology_files(root)]
            graph += self._construct("ontology", "graph", names)
            graph += self.store.construct(validation_query("class-hierarchy"))
            self._data = graph
        return self._data

    def invalidate(self) -> None:
        """Forget the kept part: the next validation fetches it from the store again."""
        with self._lock:
            self._data = None

    def apply(self, *, added: Iterable[Triple], removed: Iterable[Triple]) -> None:
        """Follow a write whose triples are known (a publication).

        The neighbourhood of an entry is fetched for each validation; only a change of the class
        hierarchy touches the kept part (the ontology's own graphs are not written this way).
        """
        with self._lock:
            if self._data is None:
                return
            for triple in removed:
                if triple[1] == RDFS.subClassOf:
                    self._data.remove(triple)
            for triple in added:
                if triple[1] == RDFS.subClassOf:
                    self._data.add(triple)

    def neighbourhood(self, entry: Graph, *, hidden: Iterable[Triple] = ()) -> Graph:
        """What the shapes can read in the store about ``entry``, without the ``hidden`` triples.

        One bounded query (``queries/validation/neighbourhood.rq``) about the nodes the entry
        names, and a second one about the IRIs their stored triples point to when the entry's
        subjects are stored already. The result does not grow with the store, only with what the
        entry names and the stored data about those nodes.
        """
        hide = set(hidden)
        fetched = prepared_graph()
        subjects = {node for node in entry.subjects() if isinstance(node, URIRef)}
        named = subjects | {
            node
            for _subject, predicate, node in entry
            if isinstance(node, URIRef) and predicate != RDF.type
        }
        self._fetch_about(named, into=fetched, hidden=hide)
        further = {
            node
            for subject in subjects
            for predicate, node in fetched.predicate_objects(subject)
            if isinstance(node, URIRef) and predicate != RDF.type and node not in named
        }
        self._fetch_about(further, into=fetched, hidden=hide)
        return fetched

    def _fetch_about(self, nodes: set[URIRef], *, into: Graph, hidden: set[Triple]) -> None:
        """Add the neighbourhood of ``nodes`` (those that are data) to ``into``."""
        fetched = self._construct("neighbourhood", "node", [n for n in nodes if _data_node(n)])
        for triple in fetched:
            if triple not in hidden:
                into.add(triple)

    def _construct(self, name: str, variable: str, values: Iterable[URIRef]) -> Graph:
        """``queries/validation/<name>.rq`` run with ``values`` as its VALUES block (none: empty).

        The IRIs are spelt by ``iri_ntriples``; rdflib cannot evaluate an empty VALUES block, and
        nothing matches one, so the query is not run then.
        """
        rows = " ".join(f"({iri_ntriples(str(iri))})" for iri in sorted(values))
        if not rows:
            return Graph()
        query = Template(validation_query(name))
        return self.store.construct(query.substitute(values=f"VALUES (?{variable}) {{ {rows} }}"))

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
            fetched = self.neighbourhood(entry, hidden=hidden)
            kept_hidden = [triple for triple in hidden if triple in data]
            for triple in kept_hidden:
                data.remove(triple)
            extra = [triple for triple in fetched if triple not in data]
            for triple in extra:
                data.add(triple)
            entry_nodes = {node for node in entry.subjects() if isinstance(node, URIRef)}
            try:
                with _focused(data, entry_nodes):
                    return validate_in_context(
                        entry, data, self.shapes, profile=Profile.STUDY_ENTRY, language=language
                    )
            finally:
                for triple in extra:
                    data.remove(triple)
                for triple in kept_hidden:
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


def _spellable(node: Node) -> bool:
    """Whether ``node`` is an IRI the store can hold (and a VALUES block can spell)."""
    return isinstance(node, URIRef) and is_absolute_iri(str(node))


def _data_node(node: Node) -> bool:
    """Whether the stored triples about ``node`` are data (not shapes or submission records)."""
    return _spellable(node) and not str(node).startswith(NOT_DATA)


@contextmanager
def _focused(data: Graph, nodes: set[URIRef]) -> Iterator[None]:
    """Restrict target-class lookups of a PreparedQueryGraph to ``nodes`` (see ``focus``)."""
    if not isinstance(data, PreparedQueryGraph) or not nodes:
        yield
        return
    data.focus = frozenset(nodes)
    data._focus_types = None
    try:
        yield
    finally:
        data.focus = None
        data._focus_types = None
