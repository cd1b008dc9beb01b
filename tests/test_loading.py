"""Loading sources into a store: every file in its own graph, unchanged files skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2kg.cli import main
from e2kg.config import Settings
from e2kg.loading import load_sources, manifest_path, read_manifest
from e2kg.sources import find_sources, graph_name
from e2kg.store import open_store


def test_every_source_lands_in_its_own_graph(project_dir: Path) -> None:
    store = open_store("memory")
    outcome = load_sources(store, project_dir, manifest=None)
    expected = {
        graph_name("ontology/core.ttl"),
        graph_name("shapes/core.ttl"),
        graph_name("shapes/study-entry.ttl"),
        graph_name("graph/studies.ttl"),
    }
    assert set(store.graphs()) == expected
    assert {source.graph for source in outcome.loaded} == expected
    assert str(graph_name("graph/studies.ttl")) == (
        "https://w3id.org/e2kg/source/graph/studies.ttl"
    )


def test_unchanged_files_are_skipped_and_changes_picked_up(
    project_copy: Path, tmp_path: Path
) -> None:
    store = open_store("memory")
    manifest = tmp_path / "store.load-manifest.json"
    first = load_sources(store, project_copy, manifest=manifest)
    assert len(first.loaded) == len(find_sources(project_copy)) == 4
    assert set(read_manifest(manifest)) == {source.relative_path for source in first.loaded}

    second = load_sources(store, project_copy, manifest=manifest)
    assert second.loaded == [] and not second.changed
    assert len(second.unchanged) == 4

    studies = project_copy / "graph" / "studies.ttl"
    studies.write_text(
        studies.read_text(encoding="utf-8")
        + '\n<https://w3id.org/e2kg/id/study/example-2012> <http://schema.org/about> "x" .\n',
        encoding="utf-8",
    )
    (project_copy / "shapes" / "study-entry.ttl").unlink()
    third = load_sources(store, project_copy, manifest=manifest)
    assert [source.relative_path for source in third.loaded] == ["graph/studies.ttl"]
    assert third.removed == [graph_name("shapes/study-entry.ttl")]
    assert store.triple_count(graph_name("graph/studies.ttl")) == 12

    forced = load_sources(store, project_copy, manifest=manifest, force=True)
    assert len(forced.loaded) == 3


def test_a_wiped_store_is_reloaded_despite_the_manifest(project_dir: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    load_sources(open_store("memory"), project_dir, manifest=manifest)
    fresh = open_store("memory")
    outcome = load_sources(fresh, project_dir, manifest=manifest)
    assert len(outcome.loaded) == 4
    assert fresh.triple_count() > 0


def test_submitted_graphs_survive_a_reload(project_dir: Path) -> None:
    store = open_store("memory")
    submitted = "https://w3id.org/e2kg/submission/entry-1"
    store.load(
        b"<https://w3id.org/e2kg/id/a> <https://w3id.org/e2kg/id/b> <https://w3id.org/e2kg/id/c> .",
        media_type="application/n-triples",
        graph=pytest.importorskip("rdflib").URIRef(submitted),
    )
    load_sources(store, project_dir, manifest=None, force=True)
    assert submitted in {str(graph) for graph in store.graphs()}


def test_manifest_lies_beside_an_embedded_store(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "var" / "store"), source_dir=tmp_path)
    assert manifest_path(settings) == tmp_path / "var" / "store.load-manifest.json"
    assert manifest_path(Settings(store="memory")) is None


def test_cli_load_twice_skips_unchanged_files(
    capsys: pytest.CaptureFixture[str], project_copy: Path
) -> None:
    pytest.importorskip("e2kg.store.oxigraph", reason="embedded Oxigraph backend not there yet")
    store = project_copy / "var" / "store"
    arguments = ["load", "--source-dir", str(project_copy), "--store", str(store)]
    assert main(arguments) == 0
    assert "4 loaded, 0 unchanged" in capsys.readouterr().out
    assert main(arguments) == 0
    assert "0 loaded, 4 unchanged" in capsys.readouterr().out
    assert main([*arguments, "--force"]) == 0
    assert "4 loaded, 0 unchanged" in capsys.readouterr().out
