"""The write gate finds a write's change without copying the store: behaviour over real HTTP.

A DELETE/INSERT ... WHERE that breaks an entry is refused (422, nothing changes; also when its WHERE
reads the default graph), one that touches only other data passes, a DATA update writing a share
as 13.0 (held as "13") is accepted, a Graph Store PUT of a broken study is refused, a body over the triple
limit is 413 before the write lock, a 50,000-deep collection is 400 (the blank-node chain limit),
and a body being parsed does not hold up other writes or reads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
from rdflib import Graph, URIRef
from submission_testing import AUTH, ENTRY, OBSERVATION, SHARE, dump, publish, update

import e2kg.submissions.body_limits as body_limits
import e2kg.submissions.graph_store_change as graph_store_change
from e2kg.submissions.change import Triple
from e2kg_testing import LiveServer

STUDY = "https://w3id.org/e2kg/id/study/example-2016"
TARGET = "https://w3id.org/e2kg/submission/by-graph-store"


def put(server: LiveServer, graph: str, body: bytes | str) -> requests.Response:
    return requests.put(
        server.url + "/store",
        params={"graph": graph},
        data=body,
        headers={**AUTH, "Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=60,
    )


MARKER = "urn:e2kg:test:marker"
DROP = "urn:e2kg:test:drop"
BREAKING_WHERES = {
    "filter": ("", f"GRAPH ?g {{ ?o <{SHARE}> ?share FILTER (?o = <{OBSERVATION}>) }}"),
    # the finding named by a default-graph triple: the gate must see the store's default graph
    # (a running server's gate once checked a copy of the named graphs only and let this through)
    "default-graph marker": (
        f"INSERT {{ <{MARKER}> <{DROP}> <{OBSERVATION}> }} WHERE {{}}",
        f"<{MARKER}> <{DROP}> ?o . GRAPH ?g {{ ?o <{SHARE}> ?share }}",
    ),
}


@pytest.mark.parametrize("where", BREAKING_WHERES)
def test_a_delete_insert_where_that_breaks_an_entry_is_422_and_changes_nothing(
    any_backend_server: LiveServer, where: str
) -> None:
    setup, pattern = BREAKING_WHERES[where]
    publish(any_backend_server)
    if setup:
        assert update(any_backend_server, setup).status_code == 204
    before = dump(any_backend_server)
    response = update(
        any_backend_server,
        f"DELETE {{ GRAPH ?g {{ ?o <{SHARE}> ?share }} }} "
        f'INSERT {{ GRAPH ?g {{ ?o <{SHARE}> "twelve" }} }} '
        f"WHERE {{ {pattern} }}",
    )
    assert response.status_code == 422, response.text
    assert OBSERVATION in {result["focusNode"] for result in response.json()["results"]}
    assert dump(any_backend_server) == before


def test_insert_data_of_a_share_in_another_lexical_form_replaces_the_share(
    oxigraph_server: LiveServer,
) -> None:
    """The embedded store holds 13.0 as "13"^^xsd:decimal: the gate compares in that form, so the
    finding is not seen with two shares (12 and 13.0) and the change is accepted (a running
    server's gate once kept the literals as written and refused it)."""
    publish(oxigraph_server)
    graph = "https://w3id.org/e2kg/submission/example-2016"
    for old, new in (("12.0", "13.0"), ("13.0", "14.0")):
        response = update(
            oxigraph_server,
            f"DELETE DATA {{ GRAPH <{graph}> {{ <{OBSERVATION}> <{SHARE}> {old} }} }} ; "
            f"INSERT DATA {{ GRAPH <{graph}> {{ <{OBSERVATION}> <{SHARE}> {new} }} }}",
        )
        assert response.status_code == 204, response.text
    rows = oxigraph_server.store.select(
        f"SELECT ?share WHERE {{ GRAPH ?g {{ <{OBSERVATION}> <{SHARE}> ?share }} }}"
    ).rows
    assert [float(str(row["share"])) for row in rows] == [14.0]


def test_a_where_update_of_other_data_passes_and_is_applied(oxigraph_server: LiveServer) -> None:
    publish(oxigraph_server)
    graph = "urn:e2kg:test:notes"
    assert (
        update(
            oxigraph_server, f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:n:1> <urn:p:seen> 1 }} }}"
        ).status_code
        == 204
    )
    response = update(
        oxigraph_server,
        f"DELETE {{ GRAPH <{graph}> {{ ?n <urn:p:seen> ?count }} }} "
        f"INSERT {{ GRAPH <{graph}> {{ ?n <urn:p:seen> ?next }} }} "
        f"WHERE {{ GRAPH <{graph}> {{ ?n <urn:p:seen> ?count }} BIND (?count + 1 AS ?next) }}",
    )
    assert response.status_code == 204, response.text
    rows = oxigraph_server.store.select(
        f"SELECT ?count WHERE {{ GRAPH <{graph}> {{ <urn:n:1> <urn:p:seen> ?count }} }}"
    ).rows
    assert [int(str(row["count"])) for row in rows] == [2]
    # and the entry's own finding can still be changed to another valid share
    changed = update(
        oxigraph_server,
        f"DELETE {{ GRAPH ?g {{ <{OBSERVATION}> <{SHARE}> ?s }} }} "
        f"INSERT {{ GRAPH ?g {{ <{OBSERVATION}> <{SHARE}> 12.0 }} }} "
        f"WHERE {{ GRAPH ?g {{ <{OBSERVATION}> <{SHARE}> ?s }} }}",
    )
    assert changed.status_code == 204, changed.text


def test_a_graph_store_put_of_a_broken_study_is_refused(any_backend_server: LiveServer) -> None:
    entry = Graph().parse(ENTRY, format="turtle")
    broken = Graph()
    for triple in entry:
        if triple[1] != URIRef("http://schema.org/publisher"):
            broken.add(triple)
    before = dump(any_backend_server)
    refused = put(any_backend_server, TARGET, broken.serialize(format="turtle"))
    assert refused.status_code == 422, refused.text
    assert STUDY in {result["focusNode"] for result in refused.json()["results"]}
    assert dump(any_backend_server) == before
    assert put(any_backend_server, TARGET, ENTRY.read_bytes()).status_code == 201


def test_a_body_over_the_triple_limit_is_413_naming_it(
    oxigraph_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(body_limits, "MAX_WRITE_TRIPLES", 10)
    before = dump(oxigraph_server)
    response = put(oxigraph_server, TARGET, ENTRY.read_bytes())
    assert response.status_code == 413, response.text
    assert "10 triples" in response.json()["message"]
    assert dump(oxigraph_server) == before


@pytest.fixture
def held_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Graph Store bodies with a collection wait at the start of their parse until ``release``."""
    started, release = threading.Event(), threading.Event()
    parse = body_limits.parse_body

    def waiting(body: bytes, *, media_type: str, graph: URIRef) -> set[Triple]:
        if b"(" in body:
            started.set()
            release.wait(timeout=60)
        return parse(body, media_type=media_type, graph=graph)

    monkeypatch.setattr(graph_store_change, "parse_body", waiting)
    yield started, release
    release.set()


def test_a_deep_collection_being_parsed_does_not_hold_up_other_writes(
    oxigraph_server: LiveServer, held_parse: tuple[threading.Event, threading.Event]
) -> None:
    started, release = held_parse
    depth = 50_000
    deep = f"<{STUDY}> <http://schema.org/about> " + "(" * depth + ")" * depth + " ."
    answers: list[requests.Response] = []
    first = threading.Thread(
        target=lambda: answers.append(put(oxigraph_server, "urn:e2kg:test:deep", deep))
    )
    first.start()
    try:
        assert started.wait(timeout=60), "the deep body never reached its parse"
        # while the first request is still in its parse, a simple write and a read complete
        simple = put(oxigraph_server, "urn:e2kg:test:simple", "<urn:s> <urn:p> 1 .")
        assert simple.status_code == 201, simple.text
        read = requests.get(
            oxigraph_server.url + "/store",
            params={"graph": "urn:e2kg:test:simple"},
            headers={"Accept": "application/n-triples"},
            timeout=30,
        )
        assert read.status_code == 200 and "<urn:s>" in read.text
        assert first.is_alive() and not answers
    finally:
        release.set()
        first.join(timeout=120)
    assert not first.is_alive()
    assert answers and answers[0].status_code == 400, answers[0].text[:300]
    assert "blank nodes" in answers[0].json()["message"]
    assert URIRef("urn:e2kg:test:deep") not in oxigraph_server.store.graphs()
