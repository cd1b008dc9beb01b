"""The questions over real HTTP: a running server on the real graph, asked with ``requests``.

Catalogue and answers by content negotiation (Accept, ``format=``), languages (``lang=``,
Accept-Language), CSV with the source sentence of every evidence-bearing row, 400 naming a bad
parameter, 404 for an unknown question, and the OpenAPI document's structure.
"""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from typing import Any

import pytest
import requests

from e2kg.questions import Question, default_catalogue
from e2kg_testing import LiveServer

CATALOGUE = list(default_catalogue())
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
TIMEOUT = 30


def required_values(question: Question) -> dict[str, str]:
    """The example of every required parameter (the catalogue says which values exist)."""
    values = {}
    for parameter in question.parameters:
        if parameter.required:
            assert parameter.example, f"{question.id}: required {parameter.name} has no example"
            values[parameter.name] = parameter.example
    return values


def get(server: LiveServer, path: str, **options: Any) -> requests.Response:
    return requests.get(server.url + path, timeout=TIMEOUT, **options)


class AnswerPage(HTMLParser):
    """Collects the answer table's rows: whether each rests on a fact and the sentences it quotes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str | None, list[str]]] = []
        self.in_sentence = False
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        if tag == "tr" and self.ids & {"answer"}:
            self.rows.append((attributes.get("data-rests-on"), []))
        if tag == "q" and "sentence" in (attributes.get("class") or "").split():
            self.in_sentence = True
            self.rows[-1][1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "q":
            self.in_sentence = False

    def handle_data(self, data: str) -> None:
        if self.in_sentence:
            self.rows[-1][1][-1] += data


def parse_page(text: str) -> AnswerPage:
    page = AnswerPage()
    page.feed(text)
    page.close()
    return page


def test_the_catalogue_is_html_for_browsers_and_json_otherwise(real_server: LiveServer) -> None:
    page = get(real_server, "/questions", headers=HTML)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    ids = parse_page(page.text).ids
    assert {f"question-{question.id}" for question in CATALOGUE} <= ids
    listing = get(real_server, "/questions", headers=JSON)
    assert listing.status_code == 200
    assert listing.headers["Content-Type"].startswith("application/json")
    document = listing.json()
    assert [entry["id"] for entry in document["questions"]] == [q.id for q in CATALOGUE]
    for entry, question in zip(document["questions"], CATALOGUE, strict=True):
        assert entry["title"] == question.title["en"]
        assert [p["name"] for p in entry["parameters"]] == [p.name for p in question.parameters]
        assert [p["type"] for p in entry["parameters"]] == [p.type for p in question.parameters]
        assert entry["url"] == f"/questions/{question.id}"
    assert get(real_server, document["openapi"]).status_code == 200


def test_the_catalogue_follows_the_language(real_server: LiveServer) -> None:
    by_header = get(
        real_server, "/questions", headers={**JSON, "Accept-Language": "de-DE,de;q=0.9"}
    )
    by_query = get(real_server, "/questions?lang=de", headers={**JSON, "Accept-Language": "en"})
    for response in (by_header, by_query):
        titles = [entry["title"] for entry in response.json()["questions"]]
        assert titles == [question.title["de"] for question in CATALOGUE]


@pytest.mark.parametrize("question", CATALOGUE, ids=lambda question: question.id)
def test_every_answer_is_json_csv_and_html_alike(
    real_server: LiveServer, question: Question
) -> None:
    values = required_values(question)
    path = f"/questions/{question.id}"
    answer = get(real_server, path, params=values, headers=JSON)
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["question"]["id"] == question.id
    assert document["question"]["title"] == question.title["en"]
    assert [column["name"] for column in document["columns"]] == [c.name for c in question.columns]
    rows = document["rows"]
    assert rows, f"{question.id}: the example answer is empty"

    as_csv = get(real_server, path, params=values, headers={"Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(as_csv.text)))
    shown = [c.name for c in question.columns if c.name not in ("article", "sentence")]
    assert table[0] == [*shown, "article", "sentence"]
    assert len(table) - 1 == len(rows)
    for line, row in zip(table[1:], rows, strict=True):
        cells = dict(zip(table[0], line, strict=True))
        sentences = [evidence["sentence"] for evidence in row["evidence"]]
        assert cells["sentence"].split("\n") == sentences or not sentences
        if row.get("restsOn"):
            assert cells["sentence"] and cells["article"], (question.id, row["restsOn"])

    page = get(real_server, path, params=values, headers=HTML)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    parsed = parse_page(page.text)
    body_rows = [row for row in parsed.rows if row != (None, [])]
    assert {"question-title", "sparql", "open-in-sparql"} <= parsed.ids
    evidence_rows = [(rests, quoted) for rests, quoted in body_rows if rests]
    assert len(evidence_rows) == sum(1 for row in rows if row.get("restsOn"))
    for rests, quoted in evidence_rows:
        assert quoted and all(sentence.strip() for sentence in quoted), (question.id, rests)
    if question.chart is not None:
        assert "<svg" in page.text and 'id="chart"' in page.text


def test_format_overrides_accept(real_server: LiveServer) -> None:
    question = CATALOGUE[0]
    path = f"/questions/{question.id}"
    for name, media_type in (
        ("json", "application/json"),
        ("csv", "text/csv"),
        ("html", "text/html"),
    ):
        response = get(real_server, path, params={"format": name}, headers={"Accept": "image/png"})
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(
            media_type
        )
    unknown = get(real_server, path, params={"format": "xml"}, headers=JSON)
    assert unknown.status_code == 406 and "xml" in unknown.json()["message"]
    refused = get(real_server, path, headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_answers_follow_the_language(real_server: LiveServer) -> None:
    question = default_catalogue().get("hr-share-over-time")
    path = f"/questions/{question.id}"
    german = get(real_server, path, headers={**JSON, "Accept-Language": "de"}).json()
    by_query = get(real_server, path, params={"lang": "de"}, headers=JSON).json()
    english = get(
        real_server, path, params={"lang": "en"}, headers={**JSON, "Accept-Language": "de"}
    ).json()
    assert german["language"] == by_query["language"] == "de" and english["language"] == "en"
    assert german["question"]["title"] == question.title["de"] == by_query["question"]["title"]
    assert english["question"]["title"] == question.title["en"]
    assert [c["label"] for c in german["columns"]] == [c.label["de"] for c in question.columns]
    assert [r["studyName"] for r in german["rows"]] != [r["studyName"] for r in english["rows"]]
    page = get(real_server, path, params={"lang": "de"}, headers=HTML)
    assert question.title["de"] in page.text and question.title["en"] not in page.text


@pytest.mark.parametrize(
    ("question_id", "values", "parameter"),
    [
        ("leading-departments", {"department": "Not a slug!"}, "department"),
        ("leading-departments", {"department": "no-such-department"}, "department"),
        ("leading-departments", {"colour": "red"}, "colour"),
        ("study-profile", {}, "study"),
        ("search", {"words": "one two three four five six seven"}, "words"),
    ],
)
@pytest.mark.parametrize("accept", [JSON, HTML], ids=["json", "html"])
def test_a_bad_parameter_is_a_400_naming_it(
    real_server: LiveServer,
    question_id: str,
    values: dict[str, str],
    parameter: str,
    accept: dict[str, str],
) -> None:
    response = get(real_server, f"/questions/{question_id}", params=values, headers=accept)
    assert response.status_code == 400
    if accept is JSON:
        body = response.json()
        assert body["error"] == "bad-parameter" and f"'{parameter}'" in body["message"]
    else:
        assert response.headers["Content-Type"].startswith("text/html")
        assert parameter in response.text


def test_an_unknown_question_is_a_404(real_server: LiveServer) -> None:
    response = get(real_server, "/questions/no-such-question", headers=JSON)
    assert response.status_code == 404
    assert "no-such-question" in response.json()["message"]


def test_openapi_describes_every_question_with_typed_parameters(real_server: LiveServer) -> None:
    response = get(real_server, "/questions/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert str(document["openapi"]).startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"][0]["url"] == real_server.url
    assert set(document["paths"]) == {"/questions"} | {f"/questions/{q.id}" for q in CATALOGUE}
    operation_ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))
    openapi_types = {"integer": "integer"}
    for question in CATALOGUE:
        operation = document["paths"][f"/questions/{question.id}"]["get"]
        assert operation["summary"] == question.title["en"]
        assert "200" in operation["responses"] and "400" in operation["responses"]
        assert {"application/json", "text/csv", "text/html"} <= set(
            operation["responses"]["200"]["content"]
        )
        described = {entry["name"]: entry for entry in operation["parameters"]}
        paging = {"page", "page_size"}
        assert {p.name for p in question.parameters} | {"lang", "format"} | paging == set(described)
        for entry in operation["parameters"]:
            assert entry["in"] == "query" and isinstance(entry["required"], bool)
            assert entry["schema"]["type"] in ("string", "integer", "number", "boolean")
        for parameter in question.parameters:
            entry = described[parameter.name]
            assert entry["required"] is parameter.required
            assert entry["schema"]["type"] == openapi_types.get(parameter.type, "string")
            if parameter.default is not None:
                assert str(entry["schema"]["default"]) == parameter.default
        # every example the document offers is a value the service accepts
        examples = {
            entry["name"]: str(entry["example"])
            for entry in operation["parameters"]
            if "example" in entry
        }
        accepted = get(real_server, f"/questions/{question.id}", params=examples, headers=JSON)
        assert accepted.status_code == 200, (question.id, examples, accepted.text)
