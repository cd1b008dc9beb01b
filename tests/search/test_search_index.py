"""The search index: German-aware matching (case, umlauts, ß, transliteration, compound parts),
ranking of names over texts, type filters, and rebuilding when the dataset version changes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import URIRef

from e2kg.errors import InputError
from e2kg.resources.version import note_write
from e2kg.search import SearchIndex, normalise
from e2kg.store import Store, open_store

GRAPH = URIRef("https://w3id.org/e2kg/test/search")
TURTLE = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
@prefix article: <https://w3id.org/e2kg/id/article/> .
@prefix claim: <https://w3id.org/e2kg/id/claim/> .
@prefix org: <https://w3id.org/e2kg/id/organization/> .
article:a a schema:BlogPosting ;
    schema:headline "Organisation und Zuständigkeiten für Social Media"@de .
claim:b a schema:Claim ;
    schema:text "Die Unternehmenskommunikation hat Nachholbedarf bei Social Media."@de .
org:c a schema:Organization ; schema:name "Straßenbau GmbH"@de .
claim:d a schema:Claim ; rdfs:label "Kommunikation"@de ;
    schema:text "Ein Satz ohne das Wort."@de .
"""


@pytest.fixture
def store() -> Iterator[Store]:
    store = open_store("memory")
    store.load(TURTLE.encode("utf-8"), media_type="text/turtle", graph=GRAPH)
    note_write(store)
    yield store
    store.close()


def iris(index: SearchIndex, query: str, **options: object) -> list[str]:
    return [hit.iri for hit in index.search(query, **options).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query", ["Zuständigkeiten", "Zustandigkeiten", "Zustaendigkeiten", "ZUSTÄNDIGKEITEN"]
)
def test_umlauts_and_case_do_not_matter(store: Store, query: str) -> None:
    assert iris(SearchIndex(store), query) == ["https://w3id.org/e2kg/id/article/a"]


@pytest.mark.parametrize("query", ["Straßenbau", "Strassenbau", "strasse"])
def test_sharp_s_matches_ss(store: Store, query: str) -> None:
    assert iris(SearchIndex(store), query) == ["https://w3id.org/e2kg/id/organization/c"]


def test_part_of_a_compound_is_found_and_names_rank_first(store: Store) -> None:
    found = iris(SearchIndex(store), "Kommunikation")
    assert found == ["https://w3id.org/e2kg/id/claim/d", "https://w3id.org/e2kg/id/claim/b"]


def test_every_word_must_match(store: Store) -> None:
    index = SearchIndex(store)
    assert iris(index, "social media nachholbedarf") == ["https://w3id.org/e2kg/id/claim/b"]
    assert iris(index, "social media nichtda") == []


def test_type_filter_and_counts(store: Store) -> None:
    index = SearchIndex(store)
    results = index.search("social")
    assert results.kind_counts == {"article": 1, "claim": 1}
    assert iris(index, "social", kinds=["article"]) == ["https://w3id.org/e2kg/id/article/a"]
    with pytest.raises(InputError):
        index.search("social", kinds=["nonsense"])


def test_short_words_are_ignored_not_failed(store: Store) -> None:
    results = SearchIndex(store).search("zu")
    assert results.total == 0 and results.ignored == ["zu"]


def test_index_is_rebuilt_after_a_write(store: Store) -> None:
    index = SearchIndex(store)
    assert iris(index, "Reverse Mentoring") == []
    store.load(
        b'<https://w3id.org/e2kg/id/claim/new> <http://schema.org/text> "Reverse Mentoring bei GE"@de .',
        media_type="application/n-triples",
        graph=GRAPH,
    )
    note_write(store)
    assert iris(index, "Reverse Mentoring") == ["https://w3id.org/e2kg/id/claim/new"]


def test_normalise_folds_german_spellings_together() -> None:
    assert normalise("Zuständigkeiten") == normalise("Zustaendigkeiten") == "zustandigkeiten"
    assert normalise("Größe, Maß!") == "grosse mass"
