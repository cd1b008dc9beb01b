"""The catalogue itself: a wrong question file stops loading (and application start) with a message
naming the file and the fix; ``e2kg ask`` on the command line; the catalogue as RDF in the store.

Broken catalogues are copies of the shipped one in ``tmp_path`` with one file changed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from e2kg.cli import EXIT_BAD_INPUT, EXIT_OK
from e2kg.config import Settings
from e2kg.questions import Question, default_catalogue, load_catalogue
from e2kg.questions.catalogue import CatalogueError, catalogue_folder
from e2kg.questions.publishing import QUESTIONS_GRAPH
from e2kg.store import open_store
from e2kg.web.app import create_app
from e2kg_testing import LiveServer

ROOT = Path(__file__).resolve().parents[2]
IN_STORE = ROOT / "tests" / "data" / "questions" / "catalogue-in-store.rq"
E2KG = Path(sys.executable).parent / "e2kg"
CLI_TIMEOUT = 60


# -- broken catalogues -----------------------------------------------------------------------------


def edit_json(name: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], Path]:
    """A breakage: ``change`` applied to ``<name>.json``; returns the file it changed."""

    def apply(folder: Path) -> Path:
        path = folder / f"{name}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return apply


def edit_query(name: str, change: Callable[[str], str]) -> Callable[[Path], Path]:
    """A breakage: ``change`` applied to the text of ``<name>.rq``; returns the file it changed."""

    def apply(folder: Path) -> Path:
        path = folder / f"{name}.rq"
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        return path

    return apply


def remove(name: str) -> Callable[[Path], Path]:
    """A breakage: ``name`` deleted; returns the file left without its partner."""

    def apply(folder: Path) -> Path:
        (folder / name).unlink()
        partner = ".json" if name.endswith(".rq") else ".rq"
        return folder / (Path(name).stem + partner)

    return apply


@dataclass(frozen=True)
class Breakage:
    """One broken file and the words of the fix the message must give."""

    name: str
    apply: Callable[[Path], Path]
    fix: tuple[str, ...]


BREAKAGES = [
    Breakage(
        "query does not parse",
        edit_query("leading-departments", lambda text: text.replace("WHERE {", "WHERE {{", 1)),
        ("does not parse",),
    ),
    Breakage(
        "query is no SELECT",
        edit_query("non-listings", lambda text: "ASK { ?s ?p ?o }\n"),
        ("SELECT",),
    ),
    Breakage(
        "parameter variable missing from the query",
        edit_json(
            "non-listings",
            lambda data: data["parameters"].append(
                {"name": "colour", "type": "text", "label": {"de": "Farbe", "en": "colour"}}
            ),
        ),
        ("'colour'", "?colour", "does not use"),
    ),
    Breakage(
        "parameter variable renamed in the query",
        edit_query("quotes", lambda text: text.replace("?speaker", "?person")),
        ("'speaker'", "?speaker", "does not use"),
    ),
    Breakage(
        "column not selected",
        edit_json(
            "leading-departments",
            lambda data: data["columns"].append(
                {"name": "colour", "label": {"de": "Farbe", "en": "colour"}}
            ),
        ),
        ("'colour'", "not selected", "selected:"),
    ),
    Breakage(
        "chart column not selected",
        edit_json("driver-portfolio", lambda data: data["chart"].update(value="colour")),
        ("'colour'", "not a query column"),
    ),
    Breakage(
        "evidence not selected",
        edit_query(
            "driver-portfolio",
            lambda text: re.sub(
                r"\(GROUP_CONCAT\(CONCAT.*AS \?evidence\)", "(COUNT(?sentence) AS ?sentences)", text
            ),
        ),
        ("?sentence", "?evidence"),
    ),
    Breakage(
        "unknown display",
        edit_json("quotes", lambda data: data.update(display="pie")),
        ("'display'", "table"),
    ),
    Breakage(
        "unknown parameter type",
        edit_json("quotes", lambda data: data["parameters"][0].update(type="date")),
        ("'date'", "concept"),
    ),
    Breakage(
        "unknown way of binding parameters",
        edit_json("quotes", lambda data: data.update(bind="inline")),
        ("'bind'", "values"),
    ),
    Breakage(
        "id differs from the file name",
        edit_json("quotes", lambda data: data.update(id="citations")),
        ("'id'", "'quotes'"),
    ),
    Breakage(
        "title in one language only",
        edit_json("quotes", lambda data: data["question"].pop("de")),
        ("'question'", "de"),
    ),
    Breakage("metadata missing", remove("search.json"), ("search.json",)),
    Breakage("query missing", remove("search.rq"), ("search.rq",)),
]


@pytest.fixture
def catalogue_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped catalogue."""
    copy = tmp_path / "catalogue"
    shutil.copytree(catalogue_folder(), copy)
    return copy


def test_the_copied_catalogue_loads_as_the_shipped_one(catalogue_copy: Path) -> None:
    copied = load_catalogue(catalogue_copy)
    assert [question.id for question in copied] == [q.id for q in default_catalogue()]
    assert len(copied) > 0


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda breakage: breakage.name)
def test_a_broken_file_names_itself_and_the_fix(catalogue_copy: Path, breakage: Breakage) -> None:
    broken = breakage.apply(catalogue_copy)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(catalogue_copy)
    message = str(caught.value)
    # the message names the broken file, or its partner where the fix may go in either
    assert message.startswith(str(broken.with_suffix(""))), message
    for words in breakage.fix:
        assert words in message, (words, message)


def test_the_application_does_not_start_with_a_broken_catalogue(
    catalogue_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = BREAKAGES[0].apply(catalogue_copy)
    monkeypatch.setattr(
        "e2kg.web.questions.default_catalogue", lambda: load_catalogue(catalogue_copy)
    )
    with open_store("memory") as store, pytest.raises(CatalogueError, match=broken.name):
        create_app(
            {"E2KG_SETTINGS": Settings(store="memory", source_dir=ROOT), "E2KG_STORE": store}
        )


# -- e2kg ask --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Oxigraph store filled by ``e2kg load`` from the project's sources."""
    location = tmp_path_factory.mktemp("ask") / "store"
    loaded = e2kg("load", "--store", str(location), "--source-dir", str(ROOT))
    assert loaded.returncode == EXIT_OK, loaded.stderr
    return location


def e2kg(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("E2KG_")
    }
    return subprocess.run(
        [str(E2KG), *arguments],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=CLI_TIMEOUT,
        check=False,
    )


def ask(store_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return e2kg("ask", *arguments, "--store", str(store_dir), "--source-dir", str(ROOT))


def example_of(question: Question) -> list[str]:
    return [
        argument
        for parameter in question.parameters
        if parameter.example
        for argument in ("--param", f"{parameter.name}={parameter.example}")
    ]


def test_ask_gives_the_answer_as_json_csv_and_table(store_dir: Path) -> None:
    question = default_catalogue().get("quotes")
    parameters = example_of(question)
    as_json = ask(store_dir, question.id, *parameters, "--format", "json")
    assert as_json.returncode == EXIT_OK, as_json.stderr
    document = json.loads(as_json.stdout)
    speaker = next(p.example for p in question.parameters if p.name == "speaker")
    assert document["question"]["id"] == question.id
    assert document["rows"] and all(
        row["speaker"].endswith(str(speaker)) for row in document["rows"]
    )
    assert all(row["evidence"] and row["evidence"][0]["sentence"] for row in document["rows"])

    as_csv = ask(store_dir, question.id, *parameters, "--format", "csv")
    assert as_csv.returncode == EXIT_OK, as_csv.stderr
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [row["sentence"] for row in table] == [
        "\n".join(e["sentence"] for e in row["evidence"]) for row in document["rows"]
    ]

    as_table = ask(store_dir, question.id, *parameters, "--language", "de")
    assert as_table.returncode == EXIT_OK, as_table.stderr
    assert as_table.stdout.startswith(question.title["de"])
    for row in document["rows"]:
        assert row["evidence"][0]["sentence"] in as_table.stdout


def test_ask_without_parameters_uses_the_defaults(store_dir: Path) -> None:
    question = default_catalogue().get("hr-share-over-time")
    answered = ask(store_dir, question.id, "--format", "json")
    assert answered.returncode == EXIT_OK, answered.stderr
    document = json.loads(answered.stdout)
    assert document["parameters"] == {p.name: p.default for p in question.parameters if p.default}
    assert document["rows"]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["leading-departments", "--param", "department=no-such-department"], "'department'"),
        (["study-profile"], "'study'"),
        (["leading-departments", "--param", "department"], "NAME=VALUE"),
    ],
)
def test_ask_with_a_bad_parameter_exits_with_a_message(
    store_dir: Path, arguments: list[str], named: str
) -> None:
    answered = ask(store_dir, *arguments)
    assert answered.returncode == EXIT_BAD_INPUT
    assert answered.stdout == ""
    assert named in answered.stderr and len(answered.stderr.strip().splitlines()) == 1


# -- the catalogue as RDF --------------------------------------------------------------------------


def expect_catalogue_rows(rows: list[dict[str, str]], endpoint_suffix: str) -> None:
    """``rows`` (one per question, by id) say what the shipped catalogue says."""
    catalogue = default_catalogue()
    assert sorted(row["id"] for row in rows) == sorted(question.id for question in catalogue)
    for row in rows:
        question = catalogue.get(row["id"])
        assert row["title_de"] == question.title["de"]
        assert row["title_en"] == question.title["en"]
        assert row["select"] == question.query
        assert row["target"].endswith(endpoint_suffix)


def test_the_running_service_publishes_the_catalogue(real_server: LiveServer) -> None:
    assert QUESTIONS_GRAPH in real_server.store.graphs()
    response = requests.get(
        real_server.url + "/sparql",
        params={"query": IN_STORE.read_text(encoding="utf-8")},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    rows = [{name: value["value"] for name, value in binding.items()} for binding in bindings]
    expect_catalogue_rows(rows, "/sparql")


def test_e2kg_load_publishes_the_catalogue(store_dir: Path) -> None:
    queried = e2kg("query", f"@{IN_STORE}", "--store", str(store_dir), "--format", "csv")
    assert queried.returncode == EXIT_OK, queried.stderr
    rows = list(csv.DictReader(io.StringIO(queried.stdout)))
    expect_catalogue_rows(rows, "/sparql")


def test_ask_on_a_missing_store_says_so_and_creates_nothing(tmp_path: Path) -> None:
    location = tmp_path / "no-store"
    result = e2kg("ask", "definitions", "--store", str(location), "--source-dir", str(ROOT))
    assert result.returncode != EXIT_OK
    assert "does not exist" in result.stderr
    assert not location.exists()
