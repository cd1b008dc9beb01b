"""Store errors as a user meets them: the real ``e2kg`` command in a subprocess, one line, exit code.

Also that every graph of an embedded store survives a restart into a new process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rdflib import URIRef

from e2kg.loading import load_sources
from e2kg.sources import graph_name
from e2kg.store import open_store

E2KG = Path(sys.executable).with_name("e2kg")
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
ENTRY = URIRef("https://w3id.org/e2kg/entry/restart-check")


def e2kg(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``e2kg`` command with a clean E2KG_* environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("E2KG_")}
    env.update(environment)
    return subprocess.run(
        [str(E2KG), *arguments], capture_output=True, text=True, env=env, timeout=120
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (asserts there is exactly one)."""
    assert result.returncode != 0, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def graph_counts(store_location: str, project: Path) -> dict[str, int]:
    """Triples per named graph, read by ``e2kg query`` in a new process."""
    result = e2kg(
        "query", COUNTS, "--format", "json", "--store", store_location, "--source-dir", str(project)
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


@pytest.fixture
def project(tmp_path: Path, project_dir: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(project_dir, copy)
    return copy


def test_unreachable_endpoint(unused_url: str, project_dir: Path) -> None:
    update_url = unused_url.replace("/query", "/update")
    for command in (["query", "ASK {}"], ["load"]):
        result = e2kg(
            *command,
            "--store",
            unused_url,
            "--source-dir",
            str(project_dir),
            E2KG_UPDATE_URL=update_url,
        )
        line = one_line_error(result)
        assert result.returncode == 3
        assert f"cannot reach SPARQL endpoint {unused_url}" in line


def test_read_only_endpoint_asked_to_update(read_only_server: Any, project_dir: Path) -> None:
    source = ["--store", read_only_server.query_url, "--source-dir", str(project_dir)]
    refused = e2kg("load", "--force", *source, E2KG_UPDATE_URL=read_only_server.update_url)
    assert "refused the update (HTTP 403)" in one_line_error(refused)
    assert refused.returncode == 2
    without_update_url = e2kg("load", *source)
    assert "read-only" in one_line_error(without_update_url)
    answered = e2kg("query", "ASK { ?s ?p ?o }", "--format", "json", *source)
    assert answered.returncode == 0 and json.loads(answered.stdout)["boolean"] is True


def test_unusable_store_paths(tmp_path: Path, project_dir: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    source = ["--source-dir", str(project_dir)]

    under_a_file = e2kg("load", "--store", str(a_file / "store"), *source)
    assert f"cannot create the store directory {a_file / 'store'}" in one_line_error(under_a_file)
    assert under_a_file.returncode == 3

    a_file_as_store = e2kg("query", "ASK {}", "--store", str(a_file), *source)
    assert f"store directory {a_file}" in one_line_error(a_file_as_store)

    missing = tmp_path / "nowhere" / "store"
    query_missing = e2kg("query", "ASK {}", "--store", str(missing), *source)
    assert f"store directory {missing} does not exist" in one_line_error(query_missing)
    assert not missing.exists()  # a query does not create an empty store

    no_sources = e2kg("load", "--store", str(tmp_path / "s"), "--source-dir", str(missing))
    assert f"source directory {missing} does not exist" in one_line_error(no_sources)


def test_a_source_that_does_not_parse_keeps_the_old_graph(tmp_path: Path, project: Path) -> None:
    location = str(tmp_path / "store")
    loaded = e2kg("load", "--store", location, "--source-dir", str(project))
    assert loaded.returncode == 0, loaded.stderr
    before = graph_counts(location, project)
    studies = graph_name("graph/studies.ttl")
    assert before[str(studies)] > 0

    path = project / "graph" / "studies.ttl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append('<https://w3id.org/e2kg/id/x> <http://schema.org/name> "kaputt ;')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    failed = e2kg("load", "--store", location, "--source-dir", str(project))
    line = one_line_error(failed)
    assert failed.returncode == 2
    assert f"{path}:{len(lines)}:" in line  # file:line:column
    assert graph_counts(location, project) == before


def test_restart_keeps_every_graph(tmp_path: Path, project_dir: Path) -> None:
    location = str(tmp_path / "store")
    with open_store(location) as store:
        load_sources(store, project_dir, manifest=None)
        store.update(
            f'INSERT DATA {{ GRAPH <{ENTRY}> {{ <{ENTRY}> <http://schema.org/name> "Eintrag" , '
            '"entry"@en } }'
        )
        expected = {str(graph): store.triple_count(graph) for graph in store.graphs()}
    assert expected[str(ENTRY)] == 2
    assert len(expected) >= 4  # ontology, shapes, graph sources and the entry
    assert graph_counts(location, project_dir) == expected
