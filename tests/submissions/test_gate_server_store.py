"""The write gate of a running server checks the store as it is, over real HTTP: an update whose
WHERE reads a triple of the default graph is checked against it on every backend (the embedded
store itself, not a copy of its named graphs; the memory store's copy with its default graph), and
a share written as 13.0 (held by the embedded store as "13") is seen as the one share of its
finding."""

from __future__ import annotations

from submission_testing import OBSERVATION, SHARE, dump, publish, update

from e2kg_testing import LiveServer

MARKER = "urn:e2kg:test:marker"
DROP = "urn:e2kg:test:drop"


def test_an_update_reading_the_default_graph_that_breaks_an_entry_is_422(
    any_backend_server: LiveServer,
) -> None:
    publish(any_backend_server)
    marked = update(
        any_backend_server, f"INSERT {{ <{MARKER}> <{DROP}> <{OBSERVATION}> }} WHERE {{}}"
    )
    assert marked.status_code == 204, marked.text
    before = dump(any_backend_server)
    response = update(
        any_backend_server,
        f"DELETE {{ GRAPH ?g {{ ?o <{SHARE}> ?share }} }} "
        f'INSERT {{ GRAPH ?g {{ ?o <{SHARE}> "twelve" }} }} '
        f"WHERE {{ <{MARKER}> <{DROP}> ?o . GRAPH ?g {{ ?o <{SHARE}> ?share }} }}",
    )
    assert response.status_code == 422, response.text
    assert OBSERVATION in {result["focusNode"] for result in response.json()["results"]}
    assert dump(any_backend_server) == before


def test_insert_data_of_a_share_in_another_lexical_form_replaces_the_share(
    oxigraph_server: LiveServer,
) -> None:
    """The embedded store holds 13.0 as "13"^^xsd:decimal: the gate compares in that form, so the
    finding is not seen with two shares (12 and 13.0) and the change is accepted."""
    publish(oxigraph_server)
    graph = "https://w3id.org/e2kg/submission/example-2016"
    response = update(
        oxigraph_server,
        f"DELETE DATA {{ GRAPH <{graph}> {{ <{OBSERVATION}> <{SHARE}> 12.0 }} }} ; "
        f"INSERT DATA {{ GRAPH <{graph}> {{ <{OBSERVATION}> <{SHARE}> 13.0 }} }}",
    )
    assert response.status_code == 204, response.text
    again = update(
        oxigraph_server,
        f"DELETE DATA {{ GRAPH <{graph}> {{ <{OBSERVATION}> <{SHARE}> 13.0 }} }} ; "
        f"INSERT DATA {{ GRAPH <{graph}> {{ <{OBSERVATION}> <{SHARE}> 14.0 }} }}",
    )
    assert again.status_code == 204, again.text
    rows = oxigraph_server.store.select(
        f"SELECT ?share WHERE {{ GRAPH ?g {{ <{OBSERVATION}> <{SHARE}> ?share }} }}"
    ).rows
    assert [float(str(row["share"])) for row in rows] == [14.0]
