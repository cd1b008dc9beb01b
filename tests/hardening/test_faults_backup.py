"""``e2kg backup`` and ``e2kg restore`` as subprocesses: a backup taken while ``e2kg serve`` accepts
submissions restores every submission acknowledged before it, complete, into a store that conforms
to the shapes; a checkpoint of a store no server holds restores too; restore refuses a store that
holds data (unless ``--force``), and a missing or damaged backup is one line of error and a
non-zero exit, with the target untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import AUTH, E2KG, serve
from e2kg.store import open_store
from e2kg_testing import PROJECT

STUDY = """@prefix schema: <http://schema.org/> .
<https://w3id.org/e2kg/id/study/{slug}> a schema:Report ;
    schema:name "Sicherungsprobe {slug}"@de ;
    schema:description "Eine Studie aus dem Backup-Test."@de ;
    schema:publisher <https://w3id.org/e2kg/id/organization/example-institute> .
"""
ENTRY_TRIPLES = 4
EXIT_BAD_INPUT = 2


def e2kg(*arguments: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the ``e2kg`` command of this venv with the fixture project as source directory."""
    environment = {**os.environ, "E2KG_SOURCE_DIR": str(cwd / "project")}
    environment.pop("E2KG_STORE", None)
    return subprocess.run(
        [str(E2KG), *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def submitted_graphs(store: Path) -> dict[str, int]:
    """Submitted study graph -> its number of triples, read from the store directory."""
    opened = open_store(str(store))
    try:
        rows = opened.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(CONTAINS(STR(?g), '/submission/sicherung-') "
            "&& !STRENDS(STR(?g), '/history')) } GROUP BY ?g"
        )
        return {str(row["g"]): int(row["n"]) for row in rows.rows}
    finally:
        opened.close()


def conforms(tmp_path: Path, store: Path) -> subprocess.CompletedProcess[str]:
    """``e2kg export`` of ``store`` validated by ``e2kg validate`` against the project's shapes."""
    exported = tmp_path / f"{store.name}.ttl"
    export = e2kg(
        "export", "--store", str(store), "--format", "turtle", "-o", str(exported), cwd=tmp_path
    )
    assert export.returncode == 0, export.stderr
    return e2kg("validate", str(exported), cwd=tmp_path)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT, tmp_path / "project")
    return tmp_path / "project"


@pytest.mark.timeout(240)
def test_backup_while_serving_restores_every_acknowledged_submission(
    tmp_path: Path, project: Path
) -> None:
    store = tmp_path / "store"
    acknowledged: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    with serve(project, store, tmp_path / "serve.log") as server:
        stop = threading.Event()

        def writer(number: int) -> None:
            index = 0
            while not stop.is_set():
                slug = f"sicherung-{number}-{index}"
                index += 1
                response = requests.post(
                    server.url + "/studies",
                    data=STUDY.replace("{slug}", slug).encode(),
                    headers={**AUTH, "Content-Type": "text/turtle", "Accept": "application/json"},
                    timeout=60,
                )
                with lock:
                    if response.status_code == 201:
                        acknowledged.append(response.json()["graph"])
                    else:
                        failures.append(f"{response.status_code} {response.text[:200]}")

        writers = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
        for thread in writers:
            thread.start()
        try:
            while len(acknowledged) < 4 and not failures:
                time.sleep(0.05)
            with lock:
                before = list(acknowledged)
            backup = e2kg(
                "backup", "backup", "--store", str(store), "--url", server.url, cwd=tmp_path
            )
            with lock:
                after = len(acknowledged) + 2  # each writer may have one stored, not yet answered
        finally:
            stop.set()
            for thread in writers:
                thread.join(timeout=60)
        assert failures == []
        assert backup.returncode == 0, backup.stderr
    description = json.loads((tmp_path / "backup" / "backup.json").read_text())
    assert description["kind"] == "n-quads"  # the server held the directory

    restored = tmp_path / "restored"
    result = e2kg("restore", "backup", "--store", str(restored), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"restored {description['quads']} quads" in result.stdout
    graphs = submitted_graphs(restored)
    missing = [graph for graph in before if graph not in graphs]
    assert missing == [], f"acknowledged before the backup, missing after restore: {missing}"
    assert all(count >= ENTRY_TRIPLES for count in graphs.values()), graphs  # none half-stored
    assert len(before) <= len(graphs) <= after, (len(before), len(graphs), after)
    validation = conforms(tmp_path, restored)
    assert validation.returncode == 0, validation.stdout + validation.stderr
    print(
        f"\nbackup while serving: {len(before)} acknowledged before it, {len(graphs)} in it "
        f"(at most {after}), {description['quads']} quads restored, conforms"
    )


@pytest.mark.timeout(120)
def test_checkpoint_backup_restores_and_restore_refuses_a_store_with_data(
    tmp_path: Path, project: Path
) -> None:
    store = tmp_path / "store"
    loaded = e2kg("load", "--store", str(store), cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    backup = e2kg("backup", "backup", "--store", str(store), cwd=tmp_path)
    assert backup.returncode == 0, backup.stderr
    description = json.loads((tmp_path / "backup" / "backup.json").read_text())
    assert description["kind"] == "oxigraph-checkpoint"
    assert description["quads"] > 0

    again = e2kg("backup", "backup", "--store", str(store), cwd=tmp_path)
    assert again.returncode == EXIT_BAD_INPUT
    assert "already exists" in again.stderr

    refused = e2kg("restore", "backup", "--store", str(store), cwd=tmp_path)
    assert refused.returncode == EXIT_BAD_INPUT
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    # the store changes after the backup; a forced restore brings back the backed-up content
    opened = open_store(str(store))
    try:
        opened.update("INSERT DATA { GRAPH <urn:after> { <urn:a> <urn:b> <urn:c> } }")
        assert opened.triple_count() == description["quads"] + 1
    finally:
        opened.close()
    forced = e2kg("restore", "backup", "--store", str(store), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    opened = open_store(str(store))
    try:
        assert opened.triple_count() == description["quads"]
    finally:
        opened.close()
    assert [path.name for path in tmp_path.iterdir() if ".restoring-" in path.name] == []
    assert [path.name for path in tmp_path.iterdir() if ".replaced-" in path.name] == []
    assert conforms(tmp_path, store).returncode == 0


@pytest.mark.timeout(120)
def test_restore_refuses_the_store_of_a_running_server(tmp_path: Path, project: Path) -> None:
    store = tmp_path / "store"
    with serve(project, store, tmp_path / "serve.log") as server:
        backup = e2kg("backup", "backup", "--store", str(store), "--url", server.url, cwd=tmp_path)
        assert backup.returncode == 0, backup.stderr
        refused = e2kg("restore", "backup", "--store", str(store), "--force", cwd=tmp_path)
        assert refused.returncode != 0
        assert "in use" in refused.stderr
        assert requests.get(server.url + "/healthz", timeout=10).status_code == 200


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "damage",
    ["missing", "no-description", "payload-removed", "garbage-dump", "count-mismatch", "bad-json"],
)
def test_a_missing_or_damaged_backup_is_one_line_of_error(
    tmp_path: Path, project: Path, damage: str
) -> None:
    source = tmp_path / "store"
    assert e2kg("load", "--store", str(source), cwd=tmp_path).returncode == 0
    backup = tmp_path / "backup"
    made = e2kg("backup", str(backup), "--store", str(source), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    argument = str(backup)
    description = backup / "backup.json"
    if damage == "missing":
        argument = str(tmp_path / "no-such-backup")
    elif damage == "no-description":
        description.unlink()
    elif damage == "payload-removed":
        shutil.rmtree(backup / "store")
    elif damage == "garbage-dump":
        argument = str(tmp_path / "garbage.nq")
        Path(argument).write_bytes(b'<urn:a> <urn:b> "unterminated .\n\xff\xfe')
    elif damage == "count-mismatch":
        data = json.loads(description.read_text())
        description.write_text(json.dumps({**data, "quads": data["quads"] + 7}))
    elif damage == "bad-json":
        description.write_text("{ not json")
    target = tmp_path / "target"
    result = e2kg("restore", argument, "--store", str(target), cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert not target.exists() or not any(target.iterdir())
    assert [path.name for path in tmp_path.iterdir() if ".restoring-" in path.name] == []


@pytest.mark.timeout(60)
def test_restore_never_replaces_a_directory_that_is_not_a_store(
    tmp_path: Path, project: Path
) -> None:
    store = tmp_path / "store"
    assert e2kg("load", "--store", str(store), cwd=tmp_path).returncode == 0
    assert e2kg("backup", "backup", "--store", str(store), cwd=tmp_path).returncode == 0
    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.txt").write_text("not a store")
    for force in ([], ["--force"]):
        result = e2kg("restore", "backup", "--store", str(other), *force, cwd=tmp_path)
        assert result.returncode == EXIT_BAD_INPUT, result.stderr
        assert "not a store directory" in result.stderr
    assert sorted(path.name for path in other.iterdir()) == ["thesis.txt"]


@pytest.mark.timeout(60)
def test_a_memory_store_backs_up_its_sources_as_n_quads(tmp_path: Path, project: Path) -> None:
    made = e2kg("backup", "backup", "--store", "memory", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    description = json.loads((tmp_path / "backup" / "backup.json").read_text())
    assert description["kind"] == "n-quads" and description["quads"] > 0
    restored = e2kg(
        "restore", "backup/dump.nq", "--store", str(tmp_path / "restored"), cwd=tmp_path
    )
    assert restored.returncode == 0, restored.stderr
    opened = open_store(str(tmp_path / "restored"))
    try:
        assert opened.triple_count() == description["quads"]
    finally:
        opened.close()
    refused = e2kg("restore", "backup", "--store", "memory", cwd=tmp_path)
    assert refused.returncode == EXIT_BAD_INPUT and "embedded store directory" in refused.stderr
