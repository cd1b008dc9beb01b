"""Projecting bound variables so Oxigraph can substitute them: the rewrite and its refusals."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from e2kg.errors import InputError
from e2kg.store.syntax import with_projection

EX = "http://example.org/"


def test_an_unprojected_variable_is_added_to_the_projection() -> None:
    rewritten = with_projection("SELECT ?name WHERE { ?thing <urn:p> ?name }", ["thing"])
    assert rewritten is not None
    query, added = rewritten
    assert added == ["thing"]
    assert set(ox.Store().query(query).variables) == {ox.Variable("name"), ox.Variable("thing")}


def test_nothing_to_add_when_the_variable_is_projected() -> None:
    assert with_projection("SELECT ?thing WHERE { ?thing ?p ?o }", ["thing"]) is None


def test_a_grouped_query_groups_by_the_added_variable_too() -> None:
    store = ox.Store()
    for subject, value in (("a", "1"), ("a", "2"), ("b", "3")):
        store.add(ox.Quad(ox.NamedNode(EX + subject), ox.NamedNode(EX + "p"), ox.Literal(value)))
    query = f"SELECT (COUNT(?o) AS ?n) WHERE {{ ?s <{EX}p> ?o }} GROUP BY ?o"
    rewritten = with_projection(query, ["s"])
    assert rewritten is not None
    counts = {
        str(row["n"].value)
        for row in store.query(
            rewritten[0], substitutions={ox.Variable("s"): ox.NamedNode(EX + "a")}
        )
    }
    assert counts == {"1"}


@pytest.mark.parametrize(
    "query",
    [
        "ASK { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_queries_that_cannot_take_the_column_are_refused(query: str) -> None:
    assert with_projection(query, ["s"]) is None


def test_a_name_that_is_not_a_variable_is_an_input_error() -> None:
    with pytest.raises(InputError):
        with_projection("SELECT ?s WHERE { ?s ?p ?o }", ["s } DROP ALL"])
