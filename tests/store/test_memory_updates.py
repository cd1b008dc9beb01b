"""SPARQL Update on the memory store where rdflib's engine, run on a union default graph, went
wrong: ``INSERT DATA`` without ``GRAPH`` failed with a server error, and ``DELETE WHERE`` with
``GRAPH ?g`` answered success and deleted nothing. The embedded Oxigraph store answers the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import URIRef

from e2kg.store import Store, open_store


@pytest.fixture(params=["memory", "oxigraph"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each local backend."""
    opened = open_store("memory" if request.param == "memory" else str(tmp_path / "store"))
    yield opened
    opened.close()


def quads(store: Store) -> set[str]:
    """The store's N-Quads, one string a quad, spaces normalised."""
    lines = b"".join(store.dump()).decode().splitlines()
    return {" ".join(line.split()) for line in lines if line.strip()}


def test_insert_data_without_graph_lands_in_the_default_graph(store: Store) -> None:
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> <urn:b> } }")
    store.update("INSERT DATA { <urn:m> <urn:p> <urn:n> }")
    assert quads(store) == {"<urn:m> <urn:p> <urn:n> .", "<urn:a> <urn:p> <urn:b> <urn:g> ."}
    assert store.graphs() == [URIRef("urn:g")]  # the default graph is no named graph
    # the same place INSERT { … } WHERE {} writes to: a second insert adds nothing
    store.update("INSERT { <urn:m> <urn:p> <urn:n> } WHERE {}")
    assert len(quads(store)) == 2


def test_delete_where_with_a_graph_variable_deletes_in_every_matching_graph(store: Store) -> None:
    store.update(
        "INSERT DATA { GRAPH <urn:g1> { <urn:a> <urn:p> 1 . <urn:b> <urn:p> 2 } "
        "GRAPH <urn:g2> { <urn:a> <urn:p> 3 } }"
    )
    store.update("DELETE WHERE { GRAPH ?g { <urn:a> ?p ?o } }")
    assert quads(store) == {
        '<urn:b> <urn:p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:g1> .'
    }


def test_delete_where_with_a_graph_variable_and_a_join_deletes_only_the_matches(
    store: Store,
) -> None:
    store.update(
        "INSERT DATA { GRAPH <urn:g1> { <urn:a> <urn:p> <urn:x> . <urn:b> <urn:p> <urn:y> } "
        "GRAPH <urn:g2> { <urn:x> <urn:q> 1 } }"
    )
    store.update("DELETE WHERE { GRAPH ?g { ?s <urn:p> ?o } GRAPH ?h { ?o <urn:q> ?n } }")
    assert quads(store) == {"<urn:b> <urn:p> <urn:y> <urn:g1> ."}
