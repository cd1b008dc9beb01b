"""One behavioural contract run unchanged against every store backend: memory, oxigraph, remote."""

from __future__ import annotations

import io
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import Dataset as RdflibDataset
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.query import Result

from e2kg.errors import NotAcceptable, ParseError, QuerySyntaxError
from e2kg.store import Dataset, QueryForm, Store
from e2kg.store.base import ASK_MEDIA_TYPES, GRAPH_MEDIA_TYPES, SELECT_MEDIA_TYPES

# rdflib 7.6's own JSON-LD and TriG parsers use its deprecated ConjunctiveGraph / Dataset API.
pytestmark = pytest.mark.filterwarnings(
    r"ignore:(ConjunctiveGraph|Dataset\.\w+) is deprecated:DeprecationWarning"
)

EX = "https://w3id.org/e2kg/id/"
G_STUDIES = URIRef("https://w3id.org/e2kg/source/graph/studies.ttl")
G_QUOTES = URIRef("https://w3id.org/e2kg/source/graph/quotes.ttl")
STUDY = URIRef(EX + "study/aiim-2012")
QUOTE = URIRef(EX + "quote/q1")
NAME = URIRef("http://schema.org/name")
YEAR = URIRef("http://schema.org/datePublished")
TEXT = URIRef("http://schema.org/text")
TRICKY = 'Zitat mit "Anführung" } ; DROP ALL ; # und \\ Backslash\nzweite Zeile'

STUDIES_TTL = f"""
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{STUDY}> a schema:Report ; schema:name "AIIM Studie 2012"@de ;
    schema:datePublished "2012"^^xsd:gYear ; schema:size 8.0 .
<{EX}study/deloitte-2012> a schema:Report ; schema:name "Deloitte 2012"@de .
""".encode()

QUOTES_NT = (
    f"<{QUOTE}> <{TEXT}> "
    + '"Zitat mit \\"Anf\\u00FChrung\\" } ; DROP ALL ; # und \\\\ Backslash\\nzweite Zeile"@de .\n'
    + f'<{QUOTE}> <{NAME}> "q1" .\n'
).encode()


@pytest.fixture
def filled(store: Store) -> Store:
    """The store with two source graphs: two studies (Turtle) and one quote (N-Triples)."""
    store.load(STUDIES_TTL, media_type="text/turtle", graph=G_STUDIES)
    store.load(QUOTES_NT, media_type="application/n-triples", graph=G_QUOTES)
    return store


def body(store: Store, query: str, media_type: str) -> bytes:
    raw = store.query_raw(query, media_type)
    assert raw.media_type == media_type
    return b"".join(raw.chunks)


# -- queries -------------------------------------------------------------------------------------


def test_select_returns_typed_rdflib_terms(filled: Store) -> None:
    result = filled.select(
        "SELECT ?name ?year WHERE { ?s <http://schema.org/name> ?name "
        "OPTIONAL { ?s <http://schema.org/datePublished> ?year } } ORDER BY ?name"
    )
    assert result.variables == ["name", "year"]
    # ORDER BY between plain and language-tagged literals is up to the engine: sort here
    assert sorted(result.rows, key=lambda row: str(row["name"])) == [
        {
            "name": Literal("AIIM Studie 2012", lang="de"),
            "year": Literal("2012", datatype=XSD.gYear),
        },
        {"name": Literal("Deloitte 2012", lang="de")},
        {"name": Literal("q1")},
    ]


def test_select_plain_string_and_number(filled: Store) -> None:
    rows = filled.select(
        f"SELECT ?n ?size WHERE {{ <{QUOTE}> <{NAME}> ?n . "
        f"<{STUDY}> <http://schema.org/size> ?size }}"
    ).rows
    assert [row["n"] for row in rows] == [Literal("q1")]
    # engines may canonicalise the lexical form ("8.0" -> "8"): compare datatype and value
    size = rows[0]["size"]
    assert isinstance(size, Literal)
    assert (size.datatype, size.toPython()) == (XSD.decimal, Decimal("8"))


def test_ask(filled: Store) -> None:
    assert filled.ask(f"ASK {{ <{STUDY}> a <http://schema.org/Report> }}") is True
    assert filled.ask(f"ASK {{ <{STUDY}> a <http://schema.org/Person> }}") is False


def test_construct(filled: Store) -> None:
    graph = filled.construct(
        f"CONSTRUCT {{ ?s <{NAME}> ?n }} WHERE {{ ?s a <http://schema.org/Report> ; <{NAME}> ?n }}"
    )
    assert isinstance(graph, Graph)
    assert set(graph) == {
        (STUDY, NAME, Literal("AIIM Studie 2012", lang="de")),
        (URIRef(EX + "study/deloitte-2012"), NAME, Literal("Deloitte 2012", lang="de")),
    }


def test_describe_includes_the_resource_triples(filled: Store) -> None:
    graph = filled.construct(f"DESCRIBE <{STUDY}>")
    assert (STUDY, YEAR, Literal("2012", datatype=XSD.gYear)) in graph
    assert (STUDY, NAME, Literal("AIIM Studie 2012", lang="de")) in graph


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX s: <http://schema.org/> SELECT * WHERE { ?s ?p ?o }", QueryForm.SELECT),
        ("# comment\nASK { ?s ?p ?o }", QueryForm.ASK),
        ("CONSTRUCT WHERE { ?s ?p ?o }", QueryForm.CONSTRUCT),
        ("DESCRIBE <http://x/>", QueryForm.DESCRIBE),
    ],
)
def test_query_form(store: Store, query: str, form: QueryForm) -> None:
    assert store.query_form(query) is form


# -- raw results ---------------------------------------------------------------------------------

SELECT_NAMES = f"SELECT ?s ?name WHERE {{ ?s <{NAME}> ?name }} ORDER BY ?name"
RESULT_PARSERS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@pytest.mark.parametrize("media_type", SELECT_MEDIA_TYPES)
def test_query_raw_select_parses_back(filled: Store, media_type: str) -> None:
    parsed = Result.parse(
        io.BytesIO(body(filled, SELECT_NAMES, media_type)), format=RESULT_PARSERS[media_type]
    )
    names = sorted(str(row[1]) for row in parsed)  # type: ignore[index]
    assert names == ["AIIM Studie 2012", "Deloitte 2012", "q1"]
    if media_type != "text/csv":  # CSV drops language tags by design
        assert Literal("AIIM Studie 2012", lang="de") in {row[1] for row in parsed}  # type: ignore[index]


@pytest.mark.parametrize("media_type", ASK_MEDIA_TYPES)
def test_query_raw_ask_parses_back(filled: Store, media_type: str) -> None:
    yes = Result.parse(
        io.BytesIO(body(filled, f"ASK {{ <{STUDY}> ?p ?o }}", media_type)),
        format=RESULT_PARSERS[media_type],
    )
    no = Result.parse(
        io.BytesIO(body(filled, "ASK { <http://nowhere/> ?p ?o }", media_type)),
        format=RESULT_PARSERS[media_type],
    )
    assert (yes.askAnswer, no.askAnswer) == (True, False)


@pytest.mark.parametrize("media_type", GRAPH_MEDIA_TYPES)
def test_query_raw_construct_parses_back(filled: Store, media_type: str) -> None:
    query = f"CONSTRUCT WHERE {{ <{QUOTE}> ?p ?o }}"
    graph = Graph().parse(data=body(filled, query, media_type), format=GRAPH_PARSERS[media_type])
    assert set(graph) == {(QUOTE, TEXT, Literal(TRICKY, lang="de")), (QUOTE, NAME, Literal("q1"))}


def test_query_raw_refuses_a_media_type_that_does_not_fit(filled: Store) -> None:
    with pytest.raises(NotAcceptable):
        filled.query_raw(SELECT_NAMES, "text/turtle")
    with pytest.raises(NotAcceptable):
        filled.query_raw("CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json")
    with pytest.raises(NotAcceptable):
        filled.query_raw("ASK { ?s ?p ?o }", "text/csv")


def test_query_raw_accepts_media_type_parameters(filled: Store) -> None:
    raw = filled.query_raw(SELECT_NAMES, "application/sparql-results+json; charset=utf-8")
    assert raw.media_type == "application/sparql-results+json"
    assert len(json.loads(b"".join(raw.chunks))["results"]["bindings"]) == 3


# -- bindings ------------------------------------------------------------------------------------


def test_bindings_are_typed_terms_that_cannot_inject(filled: Store) -> None:
    rows = filled.select(
        "SELECT ?s WHERE { ?s <http://schema.org/text> ?text }",
        bindings={"text": Literal(TRICKY, lang="de")},
    ).rows
    assert rows == [{"s": QUOTE}]
    # the same characters as a plain string literal match nothing and execute nothing
    assert (
        filled.select(
            "SELECT ?s WHERE { ?s <http://schema.org/text> ?text }",
            bindings={"text": Literal(TRICKY)},
        ).rows
        == []
    )
    assert filled.triple_count() == 8


def test_bindings_with_an_iri(filled: Store) -> None:
    rows = filled.select(
        "SELECT ?name WHERE { ?s <http://schema.org/name> ?name }", bindings={"s": STUDY}
    ).rows
    assert rows == [{"name": Literal("AIIM Studie 2012", lang="de")}]
    assert filled.ask("ASK { ?s a <http://schema.org/Report> }", bindings={"s": QUOTE}) is False
    graph = filled.construct(
        "CONSTRUCT { ?s <http://x/p> ?n } WHERE { ?s <http://schema.org/name> ?n }",
        bindings={"s": QUOTE},
    )
    assert set(graph) == {(QUOTE, URIRef("http://x/p"), Literal("q1"))}


def test_bindings_apply_before_aggregation(filled: Store) -> None:
    assert filled.triple_count(G_QUOTES) == 2
    assert filled.triple_count(G_STUDIES) == 6


def test_query_raw_with_bindings(filled: Store) -> None:
    data = body(
        filled,
        "SELECT ?name WHERE { ?s <http://schema.org/name> ?name }",
        "application/sparql-results+json",
    )
    assert len(json.loads(data)["results"]["bindings"]) == 3
    raw = filled.query_raw(
        "SELECT ?name WHERE { ?s <http://schema.org/name> ?name }",
        "application/sparql-results+json",
        bindings={"s": QUOTE},
    )
    assert json.loads(b"".join(raw.chunks))["results"]["bindings"] == [
        {"name": {"type": "literal", "value": "q1"}}
    ]


# -- datasets ------------------------------------------------------------------------------------


def test_default_graph_is_the_union_of_named_graphs(filled: Store) -> None:
    rows = filled.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    assert rows == [{"n": Literal("8", datatype=XSD.integer)}]


def test_dataset_narrows_the_default_graph(filled: Store) -> None:
    rows = filled.select(
        f"SELECT ?s WHERE {{ ?s <{NAME}> ?n }}", dataset=Dataset(default=[G_QUOTES])
    ).rows
    assert rows == [{"s": QUOTE}]


def test_dataset_narrows_the_named_graphs(filled: Store) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert filled.select(query, dataset=Dataset(named=[G_STUDIES])).rows == [{"g": G_STUDIES}]
    assert filled.select(query, dataset=Dataset(named=[G_STUDIES])).rows == [{"g": G_STUDIES}]
    assert (
        filled.select(
            f"SELECT ?s WHERE {{ ?s <{NAME}> ?n }}", dataset=Dataset(named=[G_STUDIES])
        ).rows
        == []
    )


def test_dataset_applies_to_raw_results(filled: Store) -> None:
    raw = filled.query_raw(
        f"SELECT ?s WHERE {{ ?s <{NAME}> ?n }}",
        "application/sparql-results+json",
        dataset=Dataset(default=[G_QUOTES]),
    )
    assert json.loads(b"".join(raw.chunks))["results"]["bindings"] == [
        {"s": {"type": "uri", "value": str(QUOTE)}}
    ]


@pytest.mark.parametrize("method", ["select", "query_raw"])
def test_an_empty_dataset_is_the_service_default(filled: Store, method: str) -> None:
    """``Dataset()`` names no graph: union default graph, every named graph visible (base.py)."""
    query = (
        "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?g) AS ?graphs) "
        "WHERE { ?s ?p ?o OPTIONAL { GRAPH ?g { ?s ?p ?o } } }"
    )
    if method == "select":
        rows = filled.select(query, dataset=Dataset()).rows
        assert rows == [
            {"n": Literal("8", datatype=XSD.integer), "graphs": Literal("2", datatype=XSD.integer)}
        ]
    else:
        raw = filled.query_raw(query, "application/sparql-results+json", dataset=Dataset())
        (row,) = json.loads(b"".join(raw.chunks))["results"]["bindings"]
        assert (row["n"]["value"], row["graphs"]["value"]) == ("8", "2")
    assert filled.ask("ASK { ?s ?p ?o }", dataset=Dataset(default=[], named=[])) is True


def test_from_clause_in_the_query(filled: Store) -> None:
    rows = filled.select(f"SELECT ?s FROM <{G_QUOTES}> WHERE {{ ?s <{NAME}> ?n }}").rows
    assert rows == [{"s": QUOTE}]


# -- writes --------------------------------------------------------------------------------------


def test_update_inserts_into_a_named_graph(filled: Store) -> None:
    graph = URIRef("https://w3id.org/e2kg/entry/e1")
    filled.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}study/x> <{NAME}> "X" }} }}')
    assert graph in filled.graphs()
    assert filled.select(f"SELECT ?n WHERE {{ <{EX}study/x> <{NAME}> ?n }}").rows == [
        {"n": Literal("X")}
    ]
    filled.update(f"DELETE WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert filled.triple_count(graph) == 0


def test_graphs_are_sorted_names(filled: Store) -> None:
    assert filled.graphs() == [G_QUOTES, G_STUDIES]


def test_load_adds_to_a_graph(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "more.nt"
    path.write_bytes(f'<{EX}study/y> <{NAME}> "Y" .\n'.encode())
    filled.load(path, media_type="application/n-triples", graph=G_STUDIES)
    assert filled.triple_count(G_STUDIES) == 7


def test_load_keeps_blank_nodes_apart_within_a_document(store: Store) -> None:
    store.load(
        b"_:a <http://x/p> _:b . _:b <http://x/p> _:a .", media_type="text/turtle", graph=G_STUDIES
    )
    rows = store.select("SELECT ?x WHERE { ?x <http://x/p> ?y . ?y <http://x/p> ?x }").rows
    assert len(rows) == 2
    assert all(isinstance(row["x"], BNode) for row in rows)


def test_replace_graph_replaces_only_that_graph(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "studies.ttl"
    path.write_bytes(f'<{STUDY}> <{NAME}> "neu"@de .'.encode())
    filled.replace_graph(G_STUDIES, path, media_type="text/turtle")
    assert filled.triple_count(G_STUDIES) == 1
    assert filled.triple_count(G_QUOTES) == 2


def test_replace_graph_from_an_rdflib_graph(filled: Store) -> None:
    graph = Graph()
    graph.add((STUDY, NAME, Literal(TRICKY)))
    filled.replace_graph(G_STUDIES, graph, media_type="text/turtle")
    assert filled.select(
        "SELECT ?n WHERE { ?s <http://schema.org/name> ?n }", bindings={"s": STUDY}
    ).rows == [{"n": Literal(TRICKY)}]


def test_replace_graph_with_a_bad_file_changes_nothing(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_bytes(f'<{STUDY}> <{NAME}> "ok" .\n<{STUDY}> <{NAME}> "unterminated .\n'.encode())
    with pytest.raises(ParseError) as caught:
        filled.replace_graph(G_STUDIES, path, media_type="text/turtle")
    assert caught.value.line == 2
    assert caught.value.source == str(path)
    assert str(path) in caught.value.message
    assert filled.triple_count(G_STUDIES) == 6


def test_load_with_a_bad_document_changes_nothing(filled: Store) -> None:
    with pytest.raises(ParseError):
        filled.load(
            b'<http://x/a> <http://x/b> "c" .\n<http://x/a> <http://x/b> .',
            media_type="application/n-triples",
            graph=G_STUDIES,
        )
    assert filled.triple_count(G_STUDIES) == 6


def test_drop_graph(filled: Store) -> None:
    filled.drop_graph(G_QUOTES)
    filled.drop_graph(URIRef("https://w3id.org/e2kg/source/never-there"))
    assert filled.graphs() == [G_STUDIES]
    assert filled.triple_count() == 6


def test_triple_count(filled: Store) -> None:
    assert filled.triple_count() == 8
    assert filled.triple_count(URIRef("https://w3id.org/e2kg/source/none")) == 0


@pytest.mark.parametrize(
    ("media_type", "rdflib_format"),
    [("application/n-quads", "nquads"), ("application/trig", "trig")],
)
def test_dump_round_trips(filled: Store, media_type: str, rdflib_format: str) -> None:
    dumped = b"".join(filled.dump(media_type))
    restored = RdflibDataset()
    restored.parse(data=dumped, format=rdflib_format)
    names = sorted(g.identifier for g in restored.graphs() if len(g))
    assert names == [G_QUOTES, G_STUDIES]
    for name in names:
        expected = filled.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
        )
        assert isomorphic(restored.graph(name), expected)


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["select", "ask", "construct"])
def test_query_syntax_error(store: Store, method: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        getattr(store, method)("SELECT ?x WHERE { ?x ?y }")
    assert caught.value.status == 400
    assert caught.value.message


def test_query_form_without_a_form_keyword(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        store.query_form("PREFIX s: <http://schema.org/> SELEKT * WHERE { ?s ?p ?o }")


def test_query_raw_syntax_error(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        store.query_raw("SELECT ?x WHERE { ?x ?y", "application/sparql-results+json")


def test_update_syntax_error_changes_nothing(filled: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        filled.update("INSERT DATA { <http://x/a> <http://x/b> }")
    assert filled.triple_count() == 8


def test_readers_never_see_half_a_replaced_graph(store: Store) -> None:
    small = b"".join(f'<http://x/s{i}> <http://x/p> "{i}" .\n'.encode() for i in range(300))
    large = b"".join(f'<http://x/t{i}> <http://x/p> "{i}" .\n'.encode() for i in range(700))
    store.replace_graph(G_STUDIES, small, media_type="application/n-triples")
    seen: set[int] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.add(store.triple_count(G_STUDIES))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(5):
            store.replace_graph(G_STUDIES, large, media_type="application/n-triples")
            store.replace_graph(G_STUDIES, small, media_type="application/n-triples")
    finally:
        done.set()
        reader.join(30)
    assert seen and seen <= {300, 700}
