"""The SHACL gate on every write path: a SPARQL Update or Graph Store write that would leave a
study entry non-conforming is refused with 422 and the report, and nothing changes."""

from __future__ import annotations

from decimal import Decimal

import requests
from rdflib import Graph, URIRef
from submission_testing import AUTH, ENTRY, OBSERVATION, SHARE, dump, publish, update

from e2kg_testing import LiveServer

SHARE_SHAPE = "https://w3id.org/e2kg/shapes/core#ObservationShape-share"
SOURCE_STUDY = "https://w3id.org/e2kg/id/study/deloitte-2012"
PUBLISHER = "http://schema.org/publisher"
SOURCE_GRAPH = "https://w3id.org/e2kg/source/graph/studies/deloitte-2012.ttl"


def test_an_update_that_breaks_a_submitted_entry_is_refused(
    any_backend_server: LiveServer,
) -> None:
    publish(any_backend_server)
    before = dump(any_backend_server)
    response = update(
        any_backend_server,
        f"DELETE {{ GRAPH ?g {{ <{OBSERVATION}> <{SHARE}> ?share }} }} "
        f"WHERE {{ GRAPH ?g {{ <{OBSERVATION}> <{SHARE}> ?share }} }}",
    )
    assert response.status_code == 422, response.text
    report = response.json()
    assert report["conforms"] is False
    assert {(r["focusNode"], r["sourceShape"]) for r in report["results"]} == {
        (OBSERVATION, SHARE_SHAPE)
    }
    assert dump(any_backend_server) == before


def test_an_update_that_breaks_a_source_study_is_refused(oxigraph_server: LiveServer) -> None:
    before = dump(oxigraph_server)
    response = update(
        oxigraph_server,
        f"DELETE {{ GRAPH ?g {{ <{SOURCE_STUDY}> <{PUBLISHER}> ?p }} }} "
        f"WHERE {{ GRAPH ?g {{ <{SOURCE_STUDY}> <{PUBLISHER}> ?p }} }}",
    )
    assert response.status_code == 422, response.text
    assert SOURCE_STUDY in {r["focusNode"] for r in response.json()["results"]}
    assert dump(oxigraph_server) == before


def test_a_conforming_update_is_applied_and_dry_run_writes_nothing(
    oxigraph_server: LiveServer,
) -> None:
    publish(oxigraph_server)
    change = (
        f"DELETE {{ GRAPH ?g {{ <{OBSERVATION}> <{SHARE}> ?old }} }} "
        f"INSERT {{ GRAPH ?g {{ <{OBSERVATION}> <{SHARE}> 13.0 }} }} "
        f"WHERE {{ GRAPH ?g {{ <{OBSERVATION}> <{SHARE}> ?old }} }}"
    )
    before = dump(oxigraph_server)
    dry = update(oxigraph_server, change, **{"dry-run": "true"})
    assert dry.status_code == 200, dry.text
    assert dry.json()["conforms"] is True and dry.json()["dryRun"] is True
    assert dry.json()["changes"] == 2
    assert dump(oxigraph_server) == before
    applied = update(oxigraph_server, change)
    assert applied.status_code == 204, applied.text
    shares = oxigraph_server.store.select(
        f"SELECT ?share WHERE {{ <{OBSERVATION}> <{SHARE}> ?share }}"
    ).rows
    assert [Decimal(str(row["share"])) for row in shares] == [Decimal("13.0")]
    # an update touching no study entry passes the gate too
    unrelated = update(
        oxigraph_server, "INSERT DATA { GRAPH <urn:test:g> { <urn:test:s> <urn:test:p> 1 } }"
    )
    assert unrelated.status_code == 204


def test_graph_store_writes_are_gated(oxigraph_server: LiveServer) -> None:
    entry = Graph().parse(ENTRY, format="turtle")
    broken = Graph()
    for triple in entry:
        if str(triple[1]) != "http://schema.org/datePublished":
            broken.add(triple)
    target = {"graph": "https://w3id.org/e2kg/submission/by-graph-store"}
    before = dump(oxigraph_server)
    refused = requests.put(
        oxigraph_server.url + "/store",
        params=target,
        data=broken.serialize(format="turtle"),
        headers={**AUTH, "Content-Type": "text/turtle"},
        timeout=30,
    )
    assert refused.status_code == 422, refused.text
    assert "http://schema.org/datePublished" in {r["path"] for r in refused.json()["results"]}
    assert dump(oxigraph_server) == before
    accepted = requests.put(
        oxigraph_server.url + "/store",
        params=target,
        data=entry.serialize(format="turtle"),
        headers={**AUTH, "Content-Type": "text/turtle"},
        timeout=30,
    )
    assert accepted.status_code == 201, accepted.text
    # dropping the source graph of a study that findings elsewhere rely on is fine for the gate
    # only if nothing left behind breaks: the study's own graph goes with all its findings
    dropped = requests.delete(
        oxigraph_server.url + "/store", params={"graph": SOURCE_GRAPH}, headers=AUTH, timeout=30
    )
    assert dropped.status_code in (204, 422), dropped.text
    if dropped.status_code == 422:
        assert URIRef(SOURCE_GRAPH) in oxigraph_server.store.graphs()
