"""Property-based tests: no input to the upload, query, question, resource or search paths gives
a 500 (or hangs: pytest-timeout cuts a test at 60 s), and no rejected request changes the store.

One application per store backend (rdflib in memory, embedded Oxigraph on disk, both with the
fixture project; every test runs on each), driven through Flask's test client (no sockets: many
examples in little time). Bounded: each test draws at most ``EXAMPLES`` inputs, each with a
``deadline``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from conftest import AUTH, MAX_BODY, TOKEN
from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.questions import default_catalogue
from e2kg.search import KINDS
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg_testing import PROJECT

EXAMPLES = 100
ID = "https://w3id.org/e2kg/id/"
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

RDF_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
QUESTIONS = {
    question.id: {
        parameter.name: [value for value in (parameter.default, parameter.example) if value]
        for parameter in question.parameters
    }
    for question in default_catalogue()
}


@dataclass
class App:
    """The test client of the application and the store behind it."""

    client: FlaskClient
    store: Store
    paths: list[str]
    """The paths below /id/ of the resources in the store."""

    def content(self) -> frozenset[str]:
        """Every quad of the store as an N-Quads line."""
        dump = b"".join(self.store.dump("application/n-quads")).decode("utf-8")
        return frozenset(line for line in dump.splitlines() if line.strip())


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The app on a memory or an embedded Oxigraph store with the fixture project, writes allowed
    with the token, queries in the request thread (no worker processes)."""
    location = (
        "memory"
        if request.param == "memory"
        else str(tmp_path_factory.mktemp("properties") / "store")
    )
    store = open_store(location)
    load_sources(store, PROJECT, manifest=None)
    config = Settings(store=location, source_dir=PROJECT, update_token=TOKEN, max_body=MAX_BODY)
    application = create_app(
        {"E2KG_SETTINGS": config, "E2KG_STORE": store, "E2KG_QUERY_WORKERS": 0, "TESTING": True}
    )
    client = application.test_client()
    # warm up (search index, templates) so that the first example is not slower than the rest
    for path in ("/search?q=mentoring", "/questions", "/sparql?query=ASK%7B%7D"):
        client.get(path)
    rows = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }").rows
    paths = sorted(str(row["s"]).removeprefix(ID) for row in rows if str(row["s"]).startswith(ID))
    assert paths
    yield App(client=client, store=store, paths=paths)
    store.close()


def assert_no_server_error(response: TestResponse) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data()[:500])


# --- strategies --------------------------------------------------------------------------------

ODD = st.sampled_from(
    ['"', "'", "\\", "<", ">", " ", "\n", "\t", "\x00", "\x7f", "{", "}", "#", "%", "^", "`", "|"]
)
UNICODE = st.text(st.characters(codec="utf-8"), max_size=20)
NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True)
IRI = st.one_of(
    st.sampled_from(
        [
            "https://w3id.org/e2kg/id/study/x",
            "http://schema.org/name",
            "file:///etc/passwd",
            "http://127.0.0.1:1/",
            "urn:x",
            "",
            "../../etc/passwd",
        ]
    ),
    st.builds(lambda a, b, c: f"http://example.org/{a}{b}{c}", NAME, ODD, UNICODE),
)
LITERAL = st.one_of(
    st.builds(lambda t: '"' + t + '"', st.text(max_size=30)),
    st.builds(lambda t: '"""' + t + '"""', st.text(max_size=30)),
    st.builds(lambda t: "'" + t + "'", st.text(max_size=30)),
    st.builds(lambda t, lang: f'"{t}"@{lang}', UNICODE, st.text(max_size=6)),
    st.builds(lambda t, iri: f'"{t}"^^<{iri}>', UNICODE, IRI),
    st.sampled_from(['"\\u00e9"', '"\\U0001F600"', '"\\uD800"', '"\\q"', '"a\\"b"', "1e999", "-0"]),
)
TERM = st.one_of(
    st.builds(lambda iri: f"<{iri}>", IRI),
    st.builds(lambda p, n: f"{p}:{n}", st.sampled_from(["", "ex", "schema", "x"]), NAME),
    st.builds(lambda n: f"_:{n}", NAME),
    LITERAL,
    st.sampled_from(["a", "[]", "()", "(", ")", "[", "]", ",", ";", "."]),
)
PREFIX = st.builds(
    lambda kw, name, iri: f"{kw} {name}: <{iri}> ",
    st.sampled_from(["@prefix", "PREFIX", "@base", "BASE", "@PREFIX"]),
    st.sampled_from(["", "ex", "schema", "a-b", "_"]),
    IRI,
)
TURTLE = st.builds(
    lambda prefixes, triples: (
        "".join(prefixes) + "\n".join(" ".join(triple) + " ." for triple in triples)
    ),
    st.lists(PREFIX, max_size=3),
    st.lists(st.lists(TERM, min_size=1, max_size=5), max_size=5),
)

# fmt: off
SPARQL_KEYWORDS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", ".", "*", "OPTIONAL",
    "UNION", "MINUS", "FILTER", "BIND", "AS", "VALUES", "GRAPH", "SERVICE", "LOAD", "INSERT",
    "DELETE", "DATA", "CLEAR", "DROP", "ALL", "FROM", "NAMED", "LIMIT", "OFFSET", "ORDER", "GROUP",
    "BY", "COUNT(*)", "REGEX", "STR", "LANG", "a", "?s", "?p", "?o", "$x", "1", "0", "-1", "true",
    "UNDEF", "PREFIX", "BASE", "#", "/", "|", "+", "^", "!", "=", "&&", "||",
]
# fmt: on
CLEAN_IRI = st.builds(
    lambda iri: f"<{iri}>",
    st.one_of(st.sampled_from([ID + "study/x", "http://schema.org/name", "urn:x"]), NAME),
)
CLEAN_LITERAL = st.builds(
    lambda text, suffix: json.dumps(text, ensure_ascii=False) + suffix,
    st.text(max_size=30),
    st.sampled_from(["", "@en", "@de-AT", "^^<http://www.w3.org/2001/XMLSchema#integer>"]),
)
CLEAN_TERM = st.one_of(CLEAN_IRI, CLEAN_LITERAL, st.integers().map(str))
WELL_FORMED_TURTLE = st.builds(
    lambda triples: (
        "@prefix schema: <http://schema.org/> .\n"
        + "\n".join(f"{s} {p} {o} ." for s, p, o in triples)
    ),
    st.lists(
        st.tuples(
            st.one_of(CLEAN_IRI, st.builds(lambda n: f"_:{n}", NAME)),
            st.one_of(CLEAN_IRI, st.sampled_from(["a", "schema:name", "schema:about"])),
            CLEAN_TERM,
        ),
        max_size=6,
    ),
)
SPARQL_TOKEN = st.one_of(
    st.sampled_from([*SPARQL_KEYWORDS, "\n", "ORDER BY", "GROUP BY"]),
    TERM,
    st.builds(lambda n: f"?{n}", NAME),
)
SPARQL = st.builds(" ".join, st.lists(SPARQL_TOKEN, max_size=25))
SMALL_SELECT = st.builds(
    lambda a, b, filt, limit: f"SELECT * WHERE {{ {a} . {b} FILTER({filt}) }} LIMIT {limit}",
    st.builds(" ".join, st.lists(st.one_of(TERM, st.just("?s")), min_size=3, max_size=3)),
    st.builds(" ".join, st.lists(st.one_of(TERM, st.just("?o")), min_size=3, max_size=3)),
    st.builds(" ".join, st.lists(SPARQL_TOKEN, max_size=5)),
    st.integers(min_value=0, max_value=100),
)
VARIABLE = st.sampled_from(["?s", "?p", "?o", "?x"])
SUBJECT = st.one_of(VARIABLE, st.builds(lambda iri: f"<{iri}>", IRI), st.just("schema:name"))
EXPRESSION = st.one_of(
    st.builds(lambda v, t: f"{v} = {t}", VARIABLE, st.one_of(CLEAN_TERM, TERM)),
    st.builds(lambda v, t: f"REGEX(STR({v}), {t}, 'i')", VARIABLE, CLEAN_LITERAL),
    st.builds(lambda v, t: f"LANG({v}) = {t}", VARIABLE, CLEAN_LITERAL),
    st.builds(lambda v, t: f"CONTAINS(LCASE(STR({v})), {t})", VARIABLE, CLEAN_LITERAL),
)
WELL_FORMED = st.builds(
    lambda form, s, p, o, expression, values, limit: (
        f"{form} WHERE {{ {s} {p} {o} FILTER({expression}) {values} }} LIMIT {limit}"
    ),
    st.sampled_from(
        ["SELECT *", "SELECT DISTINCT ?s", "ASK", "CONSTRUCT { ?s ?p ?o }", "DESCRIBE ?s"]
    ),
    SUBJECT,
    st.one_of(VARIABLE, CLEAN_IRI, st.builds(lambda iri: f"<{iri}>", IRI), st.just("a")),
    st.one_of(VARIABLE, CLEAN_TERM, TERM),
    EXPRESSION,
    st.one_of(st.just(""), st.builds(lambda t: f"VALUES ?x {{ {t} }}", CLEAN_TERM)),
    st.integers(min_value=0, max_value=50),
)
QUERY = st.one_of(st.text(), SPARQL, SMALL_SELECT, WELL_FORMED)

HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
ACCEPT = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "*/*",
            "text/html",
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
            "text/turtle",
            "application/ld+json",
            "application/n-triples",
            "application/json;q=0",
            "text/*;q=0.5, image/png",
            "x/y",
        ]
    ),
    HEADER_TEXT,
)
FORMAT = st.one_of(
    st.none(),
    st.sampled_from(["json", "xml", "csv", "tsv", "turtle", "html", "jsonld", "nt", ""]),
    st.text(max_size=20),
)
HUGE = st.builds(
    lambda text, times: text * times, st.text(min_size=1, max_size=8), st.integers(1000, 5000)
)
VALUE = st.one_of(st.text(), UNICODE, HUGE, IRI, st.builds(lambda iri: f"<{iri}>", IRI), LITERAL)
LANG = st.one_of(
    st.none(), st.sampled_from(["en", "de", "fr", "", "EN", "de-AT"]), st.text(max_size=10)
)


def parameters(**values: str | None) -> dict[str, str]:
    return {name: value for name, value in values.items() if value is not None}


def headers(accept: str | None, **more: str) -> dict[str, str]:
    return {**more, **({} if accept is None else {"Accept": accept})}


# --- 1. POST /validate ---------------------------------------------------------------------------


def post_validate(app: App, body: bytes, media_type: str) -> None:
    before = app.content()
    response = app.client.post("/validate", data=body, headers={"Content-Type": media_type, **AUTH})
    assert_no_server_error(response)
    assert app.content() == before


@BOUNDED
@given(body=st.binary(max_size=2000), media_type=st.sampled_from(RDF_TYPES))
@example(body=b"\xff\xfe", media_type="text/turtle")
def test_validate_any_bytes(app: App, body: bytes, media_type: str) -> None:
    post_validate(app, body, media_type)


@BOUNDED
@given(text=st.text(max_size=2000), media_type=st.sampled_from(RDF_TYPES))
def test_validate_any_text(app: App, text: str, media_type: str) -> None:
    post_validate(app, text.encode("utf-8"), media_type)


@BOUNDED
@given(
    document=st.one_of(TURTLE, WELL_FORMED_TURTLE),
    media_type=st.sampled_from(["text/turtle", "application/n-triples"]),
)
def test_validate_turtle_like_documents(app: App, document: str, media_type: str) -> None:
    post_validate(app, document.encode("utf-8"), media_type)


@BOUNDED
@given(
    document=st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20), IRI),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(
                st.one_of(
                    st.sampled_from(["@id", "@type", "@value", "@language", "@graph", "@list"]),
                    IRI,
                    st.text(max_size=10),
                ),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=15,
    )
)
def test_validate_json_ld_like_documents(app: App, document: object) -> None:
    post_validate(app, json.dumps(document).encode("utf-8"), "application/ld+json")


# --- 2. /sparql ----------------------------------------------------------------------------------


@BOUNDED
@given(query=QUERY, accept=ACCEPT, format=FORMAT)
@example(query="SELECT * WHERE { ?s ?p ?o } LIMIT 1", accept=None, format=None)
def test_sparql_get_any_query(app: App, query: str, accept: str | None, format: str | None) -> None:
    before = app.content()
    response = app.client.get(
        "/sparql", query_string=parameters(query=query, format=format), headers=headers(accept)
    )
    assert_no_server_error(response)
    assert app.content() == before


@BOUNDED
@given(
    query=QUERY,
    accept=ACCEPT,
    format=FORMAT,
    direct=st.booleans(),
    key=st.sampled_from(["query", "update"]),
)
def test_sparql_post_any_query(
    app: App, query: str, accept: str | None, format: str | None, direct: bool, key: str
) -> None:
    """Form or direct POST of a query or an update -- without the token: nothing may change."""
    before = app.content()
    url = "/sparql" + ("" if format is None else "?" + quote(f"format={format}", safe="=?"))
    if direct:
        response = app.client.post(
            url,
            data=query.encode("utf-8"),
            headers=headers(accept, **{"Content-Type": f"application/sparql-{key}"}),
        )
    else:
        response = app.client.post(url, data={key: query}, headers=headers(accept))
    assert_no_server_error(response)
    assert app.content() == before


# --- 3. /questions/<id> --------------------------------------------------------------------------


@pytest.mark.parametrize("question_id", sorted(QUESTIONS))
@settings(BOUNDED, max_examples=12)
@given(
    data=st.data(), lang=LANG, format=st.one_of(st.none(), st.sampled_from(["json", "csv", "html"]))
)
def test_question_with_any_parameters(
    app: App, question_id: str, data: st.DataObject, lang: str | None, format: str | None
) -> None:
    values = {
        name: data.draw(
            st.one_of(
                st.none(),
                VALUE,
                NAME,
                st.sampled_from([*known, "x"]),
                st.builds(str.__add__, st.sampled_from([*known, "x"]), st.one_of(ODD, UNICODE)),
            ),
            label=name,
        )
        for name, known in QUESTIONS[question_id].items()
    }
    values |= data.draw(st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=1))
    response = app.client.get(
        f"/questions/{question_id}",
        query_string=parameters(**values, lang=lang, format=format),
    )
    assert_no_server_error(response)


# --- 4. /id/<path> and /search -------------------------------------------------------------------


@BOUNDED
@given(
    data=st.data(),
    path=st.one_of(
        st.text(min_size=1),
        st.builds(
            "/".join, st.lists(st.one_of(NAME, st.just(".."), UNICODE), min_size=1, max_size=6)
        ),
    ),
    suffix=st.one_of(st.just(""), ODD, UNICODE, st.sampled_from([".ttl", ".json", "/..", "%2F"])),
    accept=ACCEPT,
)
@example(data=None, path="../../etc/passwd", suffix="", accept=None)
def test_resource_any_path(
    app: App, data: st.DataObject | None, path: str, suffix: str, accept: str | None
) -> None:
    """An arbitrary path, or the path of a real resource with something appended."""
    if data is not None and data.draw(st.booleans(), label="real"):
        path = data.draw(st.sampled_from(app.paths), label="resource")
    response = app.client.get("/id/" + quote(path + suffix, safe="/%"), headers=headers(accept))
    assert_no_server_error(response)


@BOUNDED
@given(
    q=st.one_of(st.text(), HUGE, SPARQL, LITERAL),
    kinds=st.lists(st.one_of(st.sampled_from(sorted(KINDS)), st.text(max_size=10)), max_size=2),
    page=st.one_of(st.none(), st.text(max_size=8), st.integers().map(str)),
    lang=LANG,
    format=FORMAT,
)
@example(q="Beispielstudie", kinds=[], page="9223372036854775807", lang=None, format=None)
def test_search_any_query(
    app: App, q: str, kinds: list[str], page: str | None, lang: str | None, format: str | None
) -> None:
    query = [("q", q), *(("type", kind) for kind in kinds)]
    query += list(parameters(page=page, lang=lang, format=format).items())
    response = app.client.get("/search", query_string=query)
    assert_no_server_error(response)
