"""SHACL validation of files against the profiles, with the fixture project as context."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import URIRef

from e2kg.errors import InputError, ParseError
from e2kg.reporting import render_json, render_text
from e2kg.sources import Profile
from e2kg.validation import Severity, ValidationReport, validate_files


def validate(
    entries_dir: Path, project_dir: Path, name: str, profile: Profile, language: str = "en"
) -> ValidationReport:
    return validate_files(
        [entries_dir / name], source_dir=project_dir, profile=profile, language=language
    )


def test_fixture_entries_exist(entries_dir: Path) -> None:
    assert len(list(entries_dir.glob("*.ttl"))) >= 5


def test_the_fixture_graph_conforms_to_its_own_shapes(project_dir: Path) -> None:
    report = validate_files([project_dir / "graph"], source_dir=project_dir)
    assert report.conforms
    assert report.results == []
    assert report.files and all(name.endswith(".ttl") for name in report.files)


@pytest.mark.parametrize("profile", list(Profile))
def test_a_valid_entry_conforms_in_both_profiles(
    entries_dir: Path, project_dir: Path, profile: Profile
) -> None:
    report = validate(entries_dir, project_dir, "valid-entry.ttl", profile)
    assert report.conforms
    assert report.counts == {"Violation": 0, "Warning": 0, "Info": 0}


def test_an_entry_is_checked_against_the_existing_graph(
    entries_dir: Path, project_copy: Path
) -> None:
    """The valid entry cites a study that exists only in graph/: without that context it fails."""
    shutil.rmtree(project_copy / "graph")
    report = validate(entries_dir, project_copy, "valid-entry.ttl", Profile.STUDY_ENTRY)
    assert not report.conforms
    assert [result.path for result in report.results] == [
        URIRef("http://www.w3.org/ns/prov#hadPrimarySource")
    ]


def test_the_study_entry_profile_is_stricter(entries_dir: Path, project_dir: Path) -> None:
    assert validate(entries_dir, project_dir, "missing-publisher.ttl", Profile.GRAPH).conforms
    report = validate(entries_dir, project_dir, "missing-publisher.ttl", Profile.STUDY_ENTRY)
    assert not report.conforms
    (result,) = report.results
    assert result.severity is Severity.VIOLATION
    assert str(result.focus_node) == "https://w3id.org/e2kg/id/study/no-publisher-2014"
    assert str(result.path) == "http://schema.org/publisher"
    assert result.message == "A new study names its publisher."
    assert result.focus_label == "Studie ohne Herausgeber"


def test_messages_come_in_the_chosen_language(entries_dir: Path, project_dir: Path) -> None:
    report = validate(
        entries_dir, project_dir, "missing-publisher.ttl", Profile.STUDY_ENTRY, language="de"
    )
    assert [result.message for result in report.results] == [
        "Eine neue Studie nennt ihren Herausgeber."
    ]


def test_warnings_alone_conform(entries_dir: Path, project_dir: Path) -> None:
    report = validate(entries_dir, project_dir, "warning-only.ttl", Profile.STUDY_ENTRY)
    assert report.conforms
    assert report.counts == {"Violation": 0, "Warning": 1, "Info": 0}
    assert report.results[0].message == "A description is recommended."


def test_sparql_and_core_constraints_both_report(entries_dir: Path, project_dir: Path) -> None:
    report = validate(entries_dir, project_dir, "bad-department.ttl", Profile.GRAPH)
    assert not report.conforms
    by_shape = {str(result.source_shape).rsplit("#", 1)[-1]: result for result in report.results}
    assert set(by_shape) == {"ObservationShape-department", "ObservationShape-share"}
    department = by_shape["ObservationShape-department"]
    assert str(department.value) == "https://w3id.org/e2kg/id/department/canteen"
    assert department.message == "The department comes from the department scheme."
    assert str(by_shape["ObservationShape-share"].value) == "150.0"


def test_a_syntax_error_names_file_line_and_column(entries_dir: Path, project_dir: Path) -> None:
    with pytest.raises(ParseError) as caught:
        validate(entries_dir, project_dir, "syntax-error.ttl", Profile.GRAPH)
    assert caught.value.source is not None and caught.value.source.endswith("syntax-error.ttl")
    assert (caught.value.line, caught.value.column) == (8, 16)
    assert "syntax-error.ttl:8:16" in caught.value.message


def test_a_missing_path_is_an_input_error(project_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        validate_files([tmp_path / "nothing.ttl"], source_dir=project_dir)


def test_text_report_is_readable(entries_dir: Path, project_dir: Path) -> None:
    report = validate(entries_dir, project_dir, "bad-department.ttl", Profile.GRAPH)
    text = render_text(report)
    assert text.splitlines()[0] == (
        "1 file checked against profile graph: does not conform (2 violations, 0 warnings, 0 infos)"
    )
    assert "  path:    core:share" in text
    assert '  value:   "150.0"^^xsd:decimal' in text


def test_json_report_is_machine_readable(entries_dir: Path, project_dir: Path) -> None:
    report = validate(entries_dir, project_dir, "missing-publisher.ttl", Profile.STUDY_ENTRY)
    data = json.loads(render_json(report))
    assert data["conforms"] is False
    assert data["profile"] == "study-entry"
    assert data["counts"] == {"Violation": 1, "Warning": 0, "Info": 0}
    (result,) = data["results"]
    assert result["focusNode"] == "https://w3id.org/e2kg/id/study/no-publisher-2014"
    assert result["path"] == "http://schema.org/publisher"
    assert result["severity"] == "Violation"
    assert result["sourceShapeName"] == "publisher"
