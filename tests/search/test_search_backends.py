"""The search index reads labels and texts as CSV from the engine: on every embedded backend it
holds the same rows, and texts with quotes, commas, line breaks and regional language tags come
through whole (the CSV quoting and the language column)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import URIRef

from e2kg.loading import load_sources
from e2kg.resources.version import note_write
from e2kg.search import SearchIndex
from e2kg.store import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
GRAPH = URIRef("https://w3id.org/e2kg/test/search-backends")
TRICKY = 'Er sagte: "Ja, aber",\nund dann\tnichts; 100 % \u2013 Zuständigkeit'
TURTLE = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
<https://w3id.org/e2kg/id/claim/tricky> a schema:Claim ;
    rdfs:label "Schweizer Bezeichnung"@de-CH , "English name"@en ;
    schema:text {TRICKY!r} .
"""
"""A Python repr is a Turtle string here: single quotes, \\n and \\t escapes.
"""


@pytest.fixture(params=["memory", "oxigraph"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    location = "memory" if request.param == "memory" else str(tmp_path / "store")
    store = open_store(location)
    load_sources(store, ROOT, manifest=None)
    store.load(TURTLE.encode("utf-8"), media_type="text/turtle", graph=GRAPH)
    note_write(store)
    yield store
    store.close()


def contents(index: SearchIndex) -> list[tuple[str, ...]]:
    """Every row of the index: IRI, kind, labels, original text, normalised names and texts."""
    connection = index._current()[0]
    return connection.execute(
        "SELECT r.iri, r.kind, r.label_en, r.label_de, r.label_any, r.original, d.names, d.texts"
        " FROM resources r JOIN documents d ON d.rowid = r.id ORDER BY r.iri"
    ).fetchall()


def test_tricky_texts_and_regional_language_tags_come_through(store: Store) -> None:
    index = SearchIndex(store)
    hits = index.search("Zuständigkeit nichts", language="de").hits
    assert [hit.iri for hit in hits] == ["https://w3id.org/e2kg/id/claim/tricky"]
    assert hits[0].label == "Schweizer Bezeichnung"  # de-CH counts as German
    assert index.search("Zuständigkeit nichts", language="en").hits[0].label == "English name"
    row = next(row for row in contents(index) if str(row[0]).endswith("/tricky"))
    assert row[5] == TRICKY


def test_every_backend_builds_the_same_index(tmp_path: Path) -> None:
    built = []
    for location in ("memory", str(tmp_path / "store")):
        with open_store(location) as store:
            load_sources(store, ROOT, manifest=None)
            note_write(store)
            built.append(contents(SearchIndex(store)))
    assert len(built[0]) > 100

    def comparable(row: tuple[str, ...]) -> tuple[object, ...]:
        # The engines return rows in different orders: texts are joined in that order, and the
        # any-language label is the first seen; everything else is the same.
        iri, kind, label_en, label_de, _, original, _, _ = row
        return (iri, kind, label_en, label_de, sorted(original.split(" … ")))

    assert [comparable(row) for row in built[0]] == [comparable(row) for row in built[1]]
