"""Load and faults against ``e2kg serve`` (gunicorn, embedded Oxigraph): a bounded mixed load with
zero errors (requests/s and p99 printed), kill -9 in the middle of a burst of submissions (every
acknowledged one is there after the restart, none half-stored), and a backup taken while serving
(the N-Quads dump of ``GET /store``) that restores into a store with consistent content.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from conftest import AUTH, ServeProcess, serve
from e2kg.store import open_store
from e2kg_testing import PROJECT

LOAD_SECONDS = 20
CLIENTS = 16
SIMPLE = "SELECT ?s WHERE { ?s a <http://schema.org/Report> }"
STUDY = """@prefix schema: <http://schema.org/> .
<https://w3id.org/e2kg/id/study/{slug}> a schema:Report ;
    schema:name "Lastprobe {slug}"@de ;
    schema:description "Eine Studie aus dem Hardening-Test."@de ;
    schema:publisher <https://w3id.org/e2kg/id/organization/example-institute> .
"""
ENTRY_TRIPLES = 4


def submit(server: ServeProcess, slug: str, timeout: float = 60) -> requests.Response:
    return requests.post(
        server.url + "/studies",
        data=STUDY.replace("{slug}", slug).encode(),
        headers={**AUTH, "Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=timeout,
    )


def graph_of(server: ServeProcess, graph: str) -> str:
    return requests.get(
        server.url + "/store",
        params={"graph": graph},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    ).text


def copy_project(folder: Path) -> Path:
    project = folder / "project"
    shutil.copytree(PROJECT, project)
    return project


@pytest.mark.timeout(150)
def test_mixed_load_has_no_errors(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    with serve(project, tmp_path / "store", tmp_path / "serve.log") as server:
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + LOAD_SECONDS
        session_reads = [
            ("GET", "/sparql", {"query": SIMPLE, "format": "json"}),
            ("GET", "/healthz", None),
            ("GET", "/id/study/example-2012", None),
            ("GET", "/store", {"graph": "https://w3id.org/e2kg/source/graph/studies.ttl"}),
        ]

        def client(number: int) -> None:
            session = requests.Session()
            rng = random.Random(number)
            sent = 0
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    if number < 2:  # two clients submit, the others read and validate
                        response = submit(server, f"load-{number}-{sent}")
                        ok = response.status_code == 201
                    elif rng.random() < 0.1:
                        response = session.post(
                            server.url + "/validate",
                            data=STUDY.replace("{slug}", f"v{number}").encode(),
                            headers={"Content-Type": "text/turtle"},
                            timeout=60,
                        )
                        ok = response.status_code == 200
                    else:
                        method, path, params = rng.choice(session_reads)
                        response = session.request(
                            method, server.url + path, params=params, timeout=60
                        )
                        ok = response.status_code == 200
                    if not ok:
                        with lock:
                            errors.append(f"{response.status_code} {response.text[:200]}")
                except requests.RequestException as error:
                    with lock:
                        errors.append(repr(error))
                with lock:
                    latencies.append(time.monotonic() - started)
                sent += 1

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(client, range(CLIENTS)))
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        print(
            f"\nload: {CLIENTS} clients, {LOAD_SECONDS} s, {len(latencies)} requests, "
            f"{len(latencies) / LOAD_SECONDS:.0f} req/s, median "
            f"{statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
            f"errors {len(errors)}"
        )
        assert errors == []
        assert len(latencies) > CLIENTS


@pytest.mark.timeout(240)
def test_kill_9_during_submissions_loses_no_acknowledged_one(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    store = tmp_path / "store"
    acknowledged: dict[str, str] = {}
    attempted: list[str] = []
    lock = threading.Lock()
    with serve(project, store, tmp_path / "first.log") as server:
        stop = threading.Event()

        def burst(number: int) -> None:
            index = 0
            while not stop.is_set():
                slug = f"burst-{number}-{index}"
                index += 1
                with lock:
                    attempted.append(slug)
                try:
                    response = submit(server, slug, timeout=30)
                except requests.RequestException:
                    continue  # the server died under this request: not acknowledged
                if response.status_code == 201:
                    with lock:
                        acknowledged[slug] = response.json()["graph"]

        threads = [threading.Thread(target=burst, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < 12:
            time.sleep(0.05)
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    with serve(project, store, tmp_path / "second.log") as server:
        found = 0
        for slug in attempted:
            graph = f"https://w3id.org/e2kg/id/study/{slug}"
            rows = requests.get(
                server.url + "/sparql",
                params={
                    "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { <"
                    + graph
                    + "> ?p ?o } } GROUP BY ?g",
                    "format": "json",
                },
                timeout=30,
            ).json()["results"]["bindings"]
            if slug in acknowledged:
                assert rows, f"acknowledged {slug} is missing after kill -9"
            for row in rows:  # present: completely, never a part of the entry
                assert int(row["n"]["value"]) >= ENTRY_TRIPLES, (slug, row)
                if slug in acknowledged and row["g"]["value"] == acknowledged[slug]:
                    content = graph_of(server, acknowledged[slug])
                    assert content.count(f"<{graph}>") >= ENTRY_TRIPLES
            found += bool(rows)
        print(
            f"\nkill -9: {len(attempted)} submissions sent, {len(acknowledged)} acknowledged, "
            f"{found} found after restart"
        )
        assert found >= len(acknowledged)


@pytest.mark.timeout(180)
def test_a_backup_taken_while_serving_restores_consistently(tmp_path: Path) -> None:
    """The backup path is ``GET /store`` as N-Quads (one read snapshot): copying the RocksDB
    directory of a running server is not safe (docs/security.md)."""
    project = copy_project(tmp_path)
    backup = tmp_path / "backup.nq"
    acknowledged: list[str] = []
    with serve(project, tmp_path / "store", tmp_path / "serve.log") as server:
        stop = threading.Event()
        counts: list[int] = []

        def writer() -> None:
            index = 0
            while not stop.is_set():
                response = submit(server, f"backup-{index}")
                assert response.status_code == 201, response.text[:300]
                acknowledged.append(response.json()["graph"])
                index += 1

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            while len(acknowledged) < 3:
                time.sleep(0.05)
            counts.append(len(acknowledged))
            response = requests.get(
                server.url + "/store", headers={"Accept": "application/n-quads"}, timeout=60
            )
            assert response.status_code == 200
            backup.write_bytes(response.content)
            counts.append(len(acknowledged) + 1)  # one may have been stored, not yet answered
        finally:
            stop.set()
            thread.join(timeout=60)
    restored = open_store(str(tmp_path / "restored"))
    try:
        from pyoxigraph import RdfFormat, parse

        quads = list(parse(path=str(backup), format=RdfFormat.N_QUADS))
        by_graph: dict[str, int] = {}
        for quad in quads:
            by_graph[str(quad.graph_name)] = by_graph.get(str(quad.graph_name), 0) + 1
        studies = [name for name in by_graph if name.strip("<>") in acknowledged]
        for name in studies:  # every study graph in the backup is complete
            assert by_graph[name] >= ENTRY_TRIPLES, (name, by_graph[name])
        assert counts[0] <= len(studies) <= counts[1], (counts, len(studies))
        restored.update(
            "INSERT DATA { "
            + " ".join(
                f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads
            )
            + " }"
        )
        assert restored.triple_count() == len(quads)
        print(
            f"\nbackup: {len(studies)} submitted graphs (acknowledged then: {counts}), "
            f"{len(quads)} quads restored"
        )
    finally:
        restored.close()
