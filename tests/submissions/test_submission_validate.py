"""POST /validate over real HTTP: reports in JSON, Turtle and HTML, messages per language, every
broken-entry case rejected naming its field, and the same results as ``e2kg validate``."""

from __future__ import annotations

import json

import pytest
import requests
from rdflib import RDF, SH, Graph, Literal, URIRef
from submission_cases import VALID, BrokenEntry, broken_entries, message_matches
from submission_testing import ROOT

from e2kg.sources import Profile
from e2kg.validation import validate_files
from e2kg_testing import LiveServer

TURTLE = {"Content-Type": "text/turtle"}
BROKEN = broken_entries()
VIOLATIONS = [case for case in BROKEN if case.severity == SH.Violation]


def post_validate(server: LiveServer, body: bytes, **headers: str) -> requests.Response:
    return requests.post(
        server.url + "/validate", data=body, headers={**TURTLE, **headers}, timeout=30
    )


@pytest.mark.parametrize("path", VALID, ids=[path.stem for path in VALID])
def test_valid_entries_conform_without_a_result(reading_server: LiveServer, path: object) -> None:
    assert VALID, "no valid cases found"
    response = post_validate(reading_server, path.read_bytes())  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["conforms"] is True
    assert report["results"] == []


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
@pytest.mark.parametrize("language", ["en", "de"])
def test_each_broken_entry_is_reported_naming_its_field(
    reading_server: LiveServer, case: BrokenEntry, language: str
) -> None:
    response = post_validate(
        reading_server, case.path.read_bytes(), **{"Accept-Language": language}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["language"] == language
    assert report["conforms"] is (case.severity != SH.Violation)
    results = [r for r in report["results"] if r["sourceShape"] == str(case.shape)]
    assert results, f"{case.name}: no result of {case.shape} in {report['results']}"
    for result in results:
        assert result["severity"] == str(case.severity).rsplit("#", 1)[-1]
        assert result["focusNode"].startswith("https://w3id.org/e2kg/id/")
        if case.field is not None:
            assert result["path"] == str(case.field)
        assert message_matches(result["message"], case.messages[language]), (
            result["message"],
            case.messages[language],
        )


def test_turtle_report_is_a_shacl_validation_report(reading_server: LiveServer) -> None:
    case = next(case for case in VIOLATIONS if case.field is not None)
    response = post_validate(reading_server, case.path.read_bytes(), Accept="text/turtle")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    report = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    assert report is not None
    assert graph.value(report, SH.conforms) == Literal(False)
    results = list(graph.objects(report, SH.result))
    shapes = {graph.value(result, SH.sourceShape) for result in results}
    assert case.shape in shapes
    paths = {graph.value(result, SH.resultPath) for result in results}
    assert case.field in paths


def test_html_report_lists_the_messages(reading_server: LiveServer) -> None:
    case = VIOLATIONS[0]
    response = post_validate(
        reading_server, case.path.read_bytes(), Accept="text/html", **{"Accept-Language": "de"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "does not conform" in response.text
    expected = json.loads(
        post_validate(reading_server, case.path.read_bytes(), **{"Accept-Language": "de"}).text
    )["results"]
    for result in expected:
        assert result["message"].replace('"', "&#34;") in response.text


@pytest.mark.parametrize(
    ("media_type", "rdflib_format"),
    [
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_every_rdf_syntax_is_read(
    reading_server: LiveServer, media_type: str, rdflib_format: str
) -> None:
    source = Graph().parse(VALID[0], format="turtle")
    body = source.serialize(format=rdflib_format, encoding="utf-8")
    response = requests.post(
        reading_server.url + "/validate",
        data=body,
        headers={"Content-Type": media_type},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is True
    broken = Graph().parse(VIOLATIONS[0].path, format="turtle")
    response = requests.post(
        reading_server.url + "/validate",
        data=broken.serialize(format=rdflib_format, encoding="utf-8"),
        headers={"Content-Type": media_type},
        timeout=30,
    )
    assert response.json()["conforms"] is False


def test_form_upload_with_a_format_field(reading_server: LiveServer) -> None:
    source = Graph().parse(VALID[0], format="turtle")
    response = requests.post(
        reading_server.url + "/validate",
        files={
            "file": ("entry.jsonld", source.serialize(format="json-ld"), "application/octet-stream")
        },
        data={"format": "jsonld"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is True


@pytest.mark.parametrize("case", VIOLATIONS[:12], ids=[case.name for case in VIOLATIONS[:12]])
def test_cli_and_service_give_the_same_results(
    reading_server: LiveServer, case: BrokenEntry
) -> None:
    """``e2kg validate --profile study-entry`` and /validate share the code path."""
    cli = validate_files([case.path], source_dir=ROOT, profile=Profile.STUDY_ENTRY)
    served = post_validate(reading_server, case.path.read_bytes()).json()

    def keys(results: list[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        return set(results)

    cli_keys = keys([(str(r.focus_node), str(r.source_shape), r.message) for r in cli.results])
    served_keys = keys(
        [(r["focusNode"], r["sourceShape"], r["message"]) for r in served["results"]]
    )
    # blank-node shapes get different labels in the two runs: compare IRI-named ones
    assert {k for k in cli_keys if k[1].startswith("http")} == {
        k for k in served_keys if k[1].startswith("http")
    }
    assert len(cli_keys) == len(served_keys)
    assert URIRef(str(case.shape)) in {r.source_shape for r in cli.results}
