"""Dereferencing over real HTTP: the same IRI as HTML and as every RDF form (Accept, suffix and
``format=``), each parsing back to the same triples; ETag/304; 404 and odd paths; languages.
"""

from __future__ import annotations

import warnings

import pytest
import requests
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from e2kg.resources.version import note_write
from e2kg_testing import LiveServer

BASE = "https://w3id.org/e2kg/"
FORMS = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}
ONE_OF_EACH = """
PREFIX schema: <http://schema.org/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?type (MIN(STR(?resource)) AS ?iri) WHERE {
  VALUES ?type { schema:Report schema:BlogPosting schema:Quotation schema:Organization
                 qb:Observation skos:Concept schema:Question }
  ?resource a ?type .
} GROUP BY ?type
"""


def parse(data: bytes, parser: str) -> Graph:
    """The triples of an RDF document (JSON-LD is read through a Dataset, as rdflib wants)."""
    dataset = Dataset()
    with warnings.catch_warnings():
        # rdflib 7.6's own parse path calls its deprecated ConjunctiveGraph API.
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=data, format=parser)
        graph = Graph()
        for subject, predicate, obj, _ in dataset.quads((None, None, None, None)):
            graph.add((subject, predicate, obj))
    return graph


def sample_iris(server: LiveServer) -> list[str]:
    rows = server.store.select(ONE_OF_EACH).rows
    iris = sorted(str(row["iri"]) for row in rows)
    assert len(iris) == 7, "the seed graph lost one of the main types"
    return iris


def path_of(iri: str) -> str:
    assert iri.startswith(BASE)
    return "/" + iri[len(BASE) :]


def own_triples(server: LiveServer, iri: str) -> set[tuple[str, str]]:
    """(predicate, object) of the store's triples about ``iri`` whose object is not a blank node."""
    rows = server.store.select("SELECT ?p ?o WHERE { ?s ?p ?o }", bindings={"s": URIRef(iri)}).rows
    return {(str(row["p"]), row["o"].n3()) for row in rows if not isinstance(row["o"], BNode)}


def test_every_rdf_form_parses_back_to_the_same_triples(seed_server: LiveServer) -> None:
    for iri in sample_iris(seed_server):
        url = seed_server.url + path_of(iri)
        graphs: list[Graph] = []
        for media_type, (suffix, parser) in FORMS.items():
            for response in (
                requests.get(url, headers={"Accept": media_type}, timeout=10),
                requests.get(f"{url}.{suffix}", timeout=10),
                requests.get(url, params={"format": suffix}, timeout=10),
            ):
                assert response.status_code == 200, (response.url, response.text[:300])
                assert response.headers["Content-Type"].split(";")[0] == media_type
                assert "Accept" in response.headers["Vary"]
                graphs.append(parse(response.content, parser))
        first = graphs[0]
        assert len(first) > 0
        for other in graphs[1:]:
            assert isomorphic(first, other), iri
        described = {
            (str(p), o.n3())
            for p, o in first.predicate_objects(URIRef(iri))
            if not isinstance(o, BNode)
        }
        assert described == own_triples(seed_server, iri)


def test_html_is_the_default_and_links_its_rdf_forms(seed_server: LiveServer) -> None:
    iri = sample_iris(seed_server)[0]
    response = requests.get(
        seed_server.url + path_of(iri), headers={"Accept": "text/html,*/*;q=0.8"}, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert 'type="application/ld+json"' in response.text
    for suffix, _ in FORMS.values():
        assert f'href="{path_of(iri)}.{suffix}"' in response.text


def test_page_label_follows_accept_language_and_lang_switch(seed_server: LiveServer) -> None:
    rows = seed_server.store.select(
        "PREFIX schema: <http://schema.org/> SELECT ?s ?de ?en WHERE { ?s a schema:Report ;"
        ' schema:name ?de, ?en FILTER(LANG(?de) = "de" && LANG(?en) = "en" && ?de != ?en) }'
    ).rows
    assert rows
    iri, german, english = str(rows[0]["s"]), str(rows[0]["de"]), str(rows[0]["en"])
    url = seed_server.url + path_of(iri)
    as_german = requests.get(url, headers={"Accept-Language": "de-DE,de;q=0.9"}, timeout=10)
    as_english = requests.get(url, headers={"Accept-Language": "en"}, timeout=10)
    switched = requests.get(
        url, params={"lang": "de"}, headers={"Accept-Language": "en"}, timeout=10
    )
    assert f'<h1 id="label">{german}</h1>' in as_german.text
    assert f'<h1 id="label">{english}</h1>' in as_english.text
    assert f'<h1 id="label">{german}</h1>' in switched.text
    assert as_german.headers["ETag"] != as_english.headers["ETag"]


def test_matching_etag_gives_304_until_the_data_changes(seed_server: LiveServer) -> None:
    url = seed_server.url + path_of(sample_iris(seed_server)[0])
    first = requests.get(url, headers={"Accept": "text/turtle"}, timeout=10)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = requests.get(url, headers={"Accept": "text/turtle", "If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    by_date = requests.get(
        url, headers={"Accept": "text/turtle", "If-Modified-Since": modified}, timeout=10
    )
    assert by_date.status_code == 304
    other_form = requests.get(
        url, headers={"Accept": "application/n-triples", "If-None-Match": etag}, timeout=10
    )
    assert other_form.status_code == 200
    note_write(seed_server.store)
    after_write = requests.get(
        url, headers={"Accept": "text/turtle", "If-None-Match": etag}, timeout=10
    )
    assert after_write.status_code == 200
    assert after_write.headers["ETag"] != etag


def test_unknown_iri_is_a_404_page_offering_search(seed_server: LiveServer) -> None:
    url = seed_server.url + "/id/study/no-such-study-1999"
    page = requests.get(url, headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 404
    assert 'action="/search"' in page.text and 'name="q"' in page.text
    as_json = requests.get(url, headers={"Accept": "application/json"}, timeout=10)
    assert as_json.status_code == 404 and as_json.json()["error"] == "not-found"


@pytest.mark.parametrize(
    "path",
    [
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/id/..%2f..%2fetc%2fpasswd",
        "/id/study/%00",
        "/id/study/a%20b",
        "/id/study/%3Cscript%3E",
        "/def/%E2%80%AE",
        "/id/study/x.ttl.ttl",
        "/shapes/core%23Bad",
        "/id/" + "a/" * 300,
    ],
)
def test_odd_paths_are_client_errors_never_faults(seed_server: LiveServer, path: str) -> None:
    response = requests.get(seed_server.url + path, timeout=10)
    assert response.status_code in (400, 404), (path, response.status_code)


def test_unacceptable_media_type_is_406(seed_server: LiveServer) -> None:
    url = seed_server.url + path_of(sample_iris(seed_server)[0])
    assert requests.get(url, headers={"Accept": "image/png"}, timeout=10).status_code == 406
    assert requests.get(url, params={"format": "pdf"}, timeout=10).status_code == 406


def test_ontology_terms_dereference_in_their_document(seed_server: LiveServer) -> None:
    terms = seed_server.store.select(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?t WHERE { ?t a owl:Class "
        f'FILTER(STRSTARTS(STR(?t), "{BASE}def/core#")) }}'
    ).rows
    assert terms
    response = requests.get(
        seed_server.url + "/def/core", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert response.status_code == 200
    graph = parse(response.content, "turtle")
    for row in terms:
        assert (row["t"], None, None) in graph
    docs = requests.get(seed_server.url + "/ontology", timeout=10)
    assert docs.status_code == 200
    for row in terms:
        assert str(row["t"]) in docs.text
