"""Adding a study entry to the store changes the answers of questions 1-5 accordingly, and only so.

A fresh store (memory and Oxigraph) holds the project's sources; the entry of
tests/data/questions/new-study.ttl goes into a named graph of its own. Every expectation comes from
the fixture parsed here, combined with graph/ (tests/questions/facts.py): the new findings and
non-listings appear with the fixture's values and sentences, portfolio means move to the means of
graph/ plus the fixture, "best" and "main role" follow the combined facts, and every row that does
not rest on the new entry is exactly what it was before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from facts import (
    E2KG,
    LEADING,
    OA,
    PROV,
    SCHEMA,
    department,
    driver_findings,
    driver_means,
    non_listings,
    sentence,
)
from rdflib import RDF, Graph, URIRef

from e2kg.loading import load_sources
from e2kg.parsing import new_graph, parse_turtle
from e2kg.questions import Answer, answer_question, default_catalogue
from e2kg.store import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
NEW_STUDY = ROOT / "tests" / "data" / "questions" / "new-study.ttl"
ENTRY_GRAPH = URIRef("urn:e2kg:test:new-study")

Key = str | tuple[str, ...]


@pytest.fixture(scope="module")
def entry() -> Graph:
    """The new study entry, parsed."""
    return parse_turtle(NEW_STUDY)


@pytest.fixture(scope="module")
def combined(facts: Graph, entry: Graph) -> Graph:
    """graph/ and ontology/ plus the new entry: what the store holds after the load."""
    graph = new_graph()
    for triple in facts:
        graph.add(triple)
    for triple in entry:
        graph.add(triple)
    return graph


def ask(store: Store, question_id: str, **values: str) -> Answer:
    return answer_question(store, default_catalogue().get(question_id), values, language="en")


def key_of(answer: Answer, values: dict[str, Any]) -> Key:
    """What identifies a row: the fact it rests on; a portfolio row also by period and measure."""
    if answer.question.display == "portfolio":
        return (str(values["department"]), str(values["period"]), str(values["measure"]))
    return str(values[str(answer.question.rests_on)])


def rows_by_key(answer: Answer) -> dict[Key, dict[str, Any]]:
    rows: dict[Key, dict[str, Any]] = {}
    for row in answer.rows:
        values = dict(row.values)
        values["citations"] = sorted((c.article, c.sentence) for c in row.citations)
        key = key_of(answer, values)
        assert key not in rows, f"{answer.question.id}: two rows for {key}"
        rows[key] = values
    return rows


def slug_of(iri: str, base: str) -> str:
    assert iri.startswith(base), (iri, base)
    return iri[len(base) :]


def study_of_entry(entry: Graph) -> URIRef:
    studies = list(entry.subjects(RDF.type, SCHEMA.Report))
    assert len(studies) == 1, studies
    study = studies[0]
    assert isinstance(study, URIRef)
    return study


def test_the_fixture_is_a_new_study_with_findings_and_a_non_listing(
    facts: Graph, entry: Graph
) -> None:
    study = study_of_entry(entry)
    assert (study, None, None) not in facts, "the fixture must describe a study graph/ lacks"
    assert driver_findings(entry) and non_listings(entry)
    assert not set(driver_findings(entry)) & set(driver_findings(facts))


ASKED: list[tuple[str, dict[str, str]]] = [
    ("leading-departments", {}),
    ("driver-portfolio", {}),
    ("hr-share-over-time", {}),
    ("it-share-over-time", {}),
    ("non-listings", {}),
]


@dataclass(frozen=True)
class Change:
    """Rows of questions 1-5 (by key) before and after the entry was loaded."""

    before: dict[tuple[str, str], dict[Key, dict[str, Any]]]
    after: dict[tuple[str, str], dict[Key, dict[str, Any]]]

    def added(self, question_id: str, department: str = "") -> dict[Key, dict[str, Any]]:
        """The rows the load added."""
        old, new = self.before[(question_id, department)], self.after[(question_id, department)]
        assert set(old) <= set(new), f"{question_id}: rows disappeared"
        return {key: values for key, values in new.items() if key not in old}

    def kept(self, question_id: str, department: str = "") -> dict[Key, dict[str, Any]]:
        """The rows that were there before, as they are now."""
        new = self.after[(question_id, department)]
        return {key: new[key] for key in self.before[(question_id, department)]}


def non_listed_slug(entry: Graph) -> str:
    """The department the entry's non-listing names, as a parameter value."""
    named = {entry.value(URIRef(fact), E2KG.department) for fact in non_listings(entry)}
    assert len(named) == 1, named
    return slug_of(str(named.pop()), str(department("")))


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def change(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, entry: Graph
) -> Iterator[Change]:
    """A store of its own with the project's sources, asked before and after loading the entry."""
    location = "memory" if request.param == "memory" else str(tmp_path_factory.mktemp("ox") / "s")
    asked = [*ASKED, ("non-listings", {"department": non_listed_slug(entry)})]
    with open_store(location) as store:
        assert load_sources(store, ROOT, manifest=None).loaded

        def answers() -> dict[tuple[str, str], dict[Key, dict[str, Any]]]:
            return {
                (question_id, values.get("department", "")): rows_by_key(
                    ask(store, question_id, **values)
                )
                for question_id, values in asked
            }

        before = answers()
        store.load(NEW_STUDY, media_type="text/turtle", graph=ENTRY_GRAPH)
        yield Change(before=before, after=answers())


def expect_fact_rows(entry: Graph, added: dict[Key, dict[str, Any]], expected: set[str]) -> None:
    """``added`` holds a row for each of ``expected``, citing the entry's study, year and sentence."""
    study = study_of_entry(entry)
    assert expected and set(added) == expected
    for fact, values in added.items():
        node = URIRef(str(fact))
        article = entry.value(entry.value(node, PROV.wasDerivedFrom), OA.hasSource)
        assert values["study"] == str(study)
        assert str(values["year"]) == str(entry.value(study, SCHEMA.datePublished))
        assert values["sentence"] == sentence(entry, node)
        assert values["citations"] == [(str(article), sentence(entry, node))]
        assert values["department"] == str(entry.value(node, E2KG.department))


def test_leading_departments_gain_the_new_findings(change: Change, entry: Graph) -> None:
    new_findings = driver_findings(entry)
    added = change.added("leading-departments")
    expect_fact_rows(entry, added, set(new_findings))
    for fact, values in added.items():
        assert Decimal(str(values["share"])) == new_findings[str(fact)]
    assert change.kept("leading-departments") == change.before[("leading-departments", "")]


def test_portfolio_means_move_where_the_entry_adds_findings(
    change: Change, facts: Graph, entry: Graph, combined: Graph
) -> None:
    expected, earlier = driver_means(combined), driver_means(facts)
    rows = change.after[("driver-portfolio", "")]
    drivers = {
        (k[0], k[1]): v for k, v in rows.items() if isinstance(k, tuple) and k[2] == str(LEADING)
    }
    assert set(drivers) == set(expected)
    for pair, mean in expected.items():
        assert float(mean) == pytest.approx(drivers[pair]["meanShare"])
    moved = {pair for pair in expected if expected[pair] != earlier.get(pair)}
    assert moved, "the entry's findings must move at least one mean"
    for key, values in change.before[("driver-portfolio", "")].items():
        assert isinstance(key, tuple)
        if key[2] == str(LEADING) and (key[0], key[1]) in moved:
            assert rows[key] != values, key
        else:
            assert rows[key] == values, key
    cited = {text for pair in moved for _, text in drivers[pair]["citations"]}
    assert {sentence(entry, URIRef(fact)) for fact in driver_findings(entry)} <= cited


@pytest.mark.parametrize(
    ("question_id", "slug"), [("hr-share-over-time", "hr"), ("it-share-over-time", "it")]
)
def test_share_over_time_follows_the_combined_facts(
    change: Change, facts: Graph, entry: Graph, combined: Graph, question_id: str, slug: str
) -> None:
    dept = department(slug)
    findings = driver_findings(combined, dept)
    best = max(findings.values())
    added, kept = change.added(question_id), change.kept(question_id)
    expect_fact_rows(entry, added, set(driver_findings(entry, dept)))
    for fact, values in {**added, **kept}.items():
        assert Decimal(str(values["share"])) == findings[str(fact)]
        assert values["best"] is (findings[str(fact)] == best), fact
        assert values["mainRole"] is (str(combined.value(URIRef(str(fact)), E2KG.rank)) == "1"), (
            fact
        )
    for fact, values in kept.items():
        previous = change.before[(question_id, "")][fact]
        assert {k: v for k, v in values.items() if k != "best"} == {
            k: v for k, v in previous.items() if k != "best"
        }
    flagged_before = {k for k, v in change.before[(question_id, "")].items() if v["best"]}
    flagged_after = {k for k, v in change.after[(question_id, "")].items() if v["best"]}
    entry_best = max(driver_findings(entry, dept).values()) >= max(
        driver_findings(facts, dept).values()
    )
    assert (flagged_after != flagged_before) is entry_best
    main_before = {k for k, v in change.before[(question_id, "")].items() if v["mainRole"]}
    main_after = {k for k, v in change.after[(question_id, "")].items() if v["mainRole"]}
    assert main_after - main_before == {
        fact
        for fact in driver_findings(entry, dept)
        if str(entry.value(URIRef(fact), E2KG.rank)) == "1"
    }


def test_the_entry_makes_hr_best_and_it_main_role(entry: Graph, facts: Graph) -> None:
    """The fixture is built so that both HR's best result and IT's main-role studies change."""
    hr, it = department("hr"), department("it")
    assert max(driver_findings(entry, hr).values()) > max(driver_findings(facts, hr).values())
    assert any(
        entry.value(URIRef(fact), E2KG.rank) is not None for fact in driver_findings(entry, it)
    )


def test_non_listings_gain_the_new_non_listing(change: Change, entry: Graph) -> None:
    for slug in ("", non_listed_slug(entry)):
        expect_fact_rows(entry, change.added("non-listings", slug), non_listings(entry))
        assert change.kept("non-listings", slug) == change.before[("non-listings", slug)]
