"""The ``e2kg`` command line: exit codes, reports, export round-trips, queries and loading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from e2kg.cli import main
from e2kg.sources import graph_name
from e2kg.store import Store


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestValidate:
    def test_conforming_files_exit_0(
        self, capsys: pytest.CaptureFixture[str], project_dir: Path, entries_dir: Path
    ) -> None:
        code, out, _ = run(
            capsys,
            "validate",
            str(entries_dir / "valid-entry.ttl"),
            "--source-dir",
            str(project_dir),
        )
        assert code == 0
        assert "conforms (0 violations" in out

    def test_violations_exit_1(
        self, capsys: pytest.CaptureFixture[str], project_dir: Path, entries_dir: Path
    ) -> None:
        code, out, _ = run(
            capsys,
            "validate",
            str(entries_dir / "missing-publisher.ttl"),
            "--source-dir",
            str(project_dir),
            "--profile",
            "study-entry",
        )
        assert code == 1
        assert "A new study names its publisher." in out

    def test_warnings_are_printed_but_exit_0(
        self, capsys: pytest.CaptureFixture[str], project_dir: Path, entries_dir: Path
    ) -> None:
        code, out, _ = run(
            capsys,
            "validate",
            str(entries_dir / "warning-only.ttl"),
            "--source-dir",
            str(project_dir),
        )
        assert code == 0
        assert "Warning: study:undescribed-2013" in out

    def test_syntax_error_exits_2_with_line_and_column(
        self, capsys: pytest.CaptureFixture[str], project_dir: Path, entries_dir: Path
    ) -> None:
        path = entries_dir / "syntax-error.ttl"
        code, out, err = run(capsys, "validate", str(path), "--source-dir", str(project_dir))
        assert code == 2
        assert out == ""
        assert f"{path}:8:16: Turtle syntax error" in err

    def test_syntax_error_as_json(
        self, capsys: pytest.CaptureFixture[str], project_dir: Path, entries_dir: Path
    ) -> None:
        path = entries_dir / "syntax-error.ttl"
        code, out, _ = run(
            capsys, "validate", str(path), "--source-dir", str(project_dir), "--format", "json"
        )
        assert code == 2
        error = json.loads(out)
        assert error["error"] == "parse-error"
        assert (error["source"], error["line"], error["column"]) == (str(path), 8, 16)

    def test_missing_path_exits_2(
        self, capsys: pytest.CaptureFixture[str], project_dir: Path, tmp_path: Path
    ) -> None:
        code, _, err = run(
            capsys, "validate", str(tmp_path / "none.ttl"), "--source-dir", str(project_dir)
        )
        assert code == 2
        assert "no such file or folder" in err

    def test_folders_and_json_report(
        self,
        capsys: pytest.CaptureFixture[str],
        project_dir: Path,
        entries_dir: Path,
        tmp_path: Path,
    ) -> None:
        folder = tmp_path / "entries"
        folder.mkdir()
        for name in ("valid-entry.ttl", "bad-department.ttl"):
            (folder / name).write_bytes((entries_dir / name).read_bytes())
        code, out, _ = run(
            capsys, "validate", str(folder), "--source-dir", str(project_dir), "--format", "json"
        )
        assert code == 1
        report = json.loads(out)
        assert len(report["files"]) == 2
        assert report["counts"]["Violation"] == 2


class TestExportAndQuery:
    def test_turtle_export_merges_all_graphs(
        self,
        capsys: pytest.CaptureFixture[str],
        project_dir: Path,
        loaded_store: Store,
        tmp_path: Path,
    ) -> None:
        output = tmp_path / "all.ttl"
        code, _, _ = run(
            capsys,
            "export",
            "--store",
            "memory",
            "--source-dir",
            str(project_dir),
            "-o",
            str(output),
        )
        assert code == 0
        exported = Graph().parse(data=output.read_bytes(), format="turtle")
        expected = Graph()
        for source in sorted(project_dir.rglob("*.ttl")):
            expected.parse(data=source.read_bytes(), format="turtle")
        assert len(exported) == len(expected) > 0
        assert not list(tmp_path.glob("*.partial"))

    @pytest.mark.parametrize("format_name", ["nquads", "trig"])
    # rdflib's own Dataset.parse calls its deprecated ConjunctiveGraph API
    @pytest.mark.filterwarnings("ignore::DeprecationWarning")
    def test_quad_exports_keep_graph_names(
        self,
        capsys: pytest.CaptureFixture[str],
        project_dir: Path,
        loaded_store: Store,
        tmp_path: Path,
        format_name: str,
    ) -> None:
        output = tmp_path / f"all.{format_name}"
        code, _, _ = run(
            capsys,
            "export",
            "--store",
            "memory",
            "--source-dir",
            str(project_dir),
            "--format",
            format_name,
            "-o",
            str(output),
        )
        assert code == 0
        dataset = Dataset().parse(data=output.read_bytes(), format=format_name)
        names = {graph.identifier for graph in dataset.graphs() if len(graph)}
        assert graph_name("graph/studies.ttl") in names
        assert set(loaded_store.graphs()) <= names
        for name in loaded_store.graphs():
            assert len(dataset.graph(URIRef(name))) == loaded_store.triple_count(name)

    def test_query_writes_the_chosen_format(
        self, capsys: pytest.CaptureFixture[str], project_dir: Path
    ) -> None:
        query = "SELECT ?study WHERE { ?study a <http://schema.org/Report> }"
        code, out, _ = run(
            capsys, "query", query, "--store", "memory", "--source-dir", str(project_dir),
            "--format", "json",
        )  # fmt: skip
        assert code == 0
        bindings = json.loads(out)["results"]["bindings"]
        assert [row["study"]["value"] for row in bindings] == [
            "https://w3id.org/e2kg/id/study/example-2012"
        ]

    def test_query_from_file_and_syntax_error(
        self, capsys: pytest.CaptureFixture[str], project_dir: Path, tmp_path: Path
    ) -> None:
        query_file = tmp_path / "broken.rq"
        query_file.write_text("SELECT ?x WHERE { ?x ", encoding="utf-8")
        code, _, err = run(
            capsys, "query", f"@{query_file}", "--store", "memory", "--source-dir", str(project_dir)
        )
        assert code == 2
        assert "syntax" in err


class TestSettings:
    def test_a_bad_number_names_the_variable(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, project_dir: Path
    ) -> None:
        monkeypatch.setenv("E2KG_QUERY_TIMEOUT", "soon")
        code, _, err = run(capsys, "query", "ASK {}", "--store", "memory")
        assert code == 2
        assert "E2KG_QUERY_TIMEOUT" in err
