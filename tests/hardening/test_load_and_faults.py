"""Load and faults against ``e2kg serve`` (gunicorn, embedded Oxigraph): a 60 s mixed load of 16
clients (reads and submissions) with zero errors (requests/s, p50, p99 written to
var/artefacts/load.json), and kill -9 in the middle of a burst of submissions (every acknowledged
one is there after the restart, none half-stored). Backup and restore while serving:
test_faults_backup.py.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from conftest import AUTH, ServeProcess, serve
from e2kg_testing import PROJECT

LOAD_SECONDS = int(os.environ.get("E2KG_LOAD_SECONDS", "60"))
CLIENTS = 16
SUBMITTERS = 2
SHED_RETRIES = 3
SHED_PAUSE = 1.0
"""A read that admission sheds (503 overloaded with Retry-After: every query slot stayed busy for
2 s) is sent again after SHED_PAUSE, at most SHED_RETRIES times, as a client honouring Retry-After
does (sooner than its 10 s, to keep the load up); shed reads are counted, not errors. Any other
failure, or a read still shed after the retries, is an error."""
SUBMIT_PAUSE = float(os.environ.get("E2KG_LOAD_SUBMIT_PAUSE", "0.5"))
"""Seconds an editor waits between submissions: back to back, every write makes the query workers'
snapshots stale and a SPARQL lookup waits for a fresh one (docs/security.md, known gaps)."""
LOOKUP = """PREFIX schema: <http://schema.org/>
SELECT ?name ?publisher WHERE {
  <https://w3id.org/e2kg/id/study/example-2012> schema:name ?name ; schema:publisher ?publisher
}"""
COUNT_LOAD_STUDIES = """SELECT (COUNT(DISTINCT ?study) AS ?n) WHERE {
  ?study a <http://schema.org/Report> FILTER(STRSTARTS(STR(?study), "https://w3id.org/e2kg/id/study/load-"))
}"""
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


def is_shed(response: requests.Response) -> bool:
    """Whether query admission refused ``response`` for now (503 overloaded, Retry-After)."""
    return (
        response.status_code == 503
        and "Retry-After" in response.headers
        and response.headers.get("Content-Type", "").startswith("application/json")
        and response.json().get("error") == "overloaded"
    )


def percentile(sorted_values: list[float], share: float) -> float:
    """The value below which ``share`` of ``sorted_values`` lie (nearest rank)."""
    return sorted_values[max(0, math.ceil(len(sorted_values) * share) - 1)]


@pytest.mark.timeout(LOAD_SECONDS + 120)
def test_mixed_load_has_no_errors(tmp_path: Path) -> None:
    """16 clients for 60 s against ``e2kg serve``: 2 submit studies (POST /studies with the
    token, SUBMIT_PAUSE between two), 14 read without pause: a SPARQL lookup, a question answer,
    a resource page, a search. Every request must succeed (a read shed by admission is retried,
    see SHED_RETRIES); requests/s, p50 and p99 (overall and per kind, retries included) and the
    number of shed reads go to var/artefacts/load.json."""
    project = copy_project(tmp_path)
    # Query admission is sized for 16 concurrent clients: they share 127.0.0.1, which it counts
    # as one client, and the default queue (3 running + 8 waiting) sheds the 12th concurrent
    # query with 503 by design (tests/hardening/test_overload*.py test the shedding).
    environment = {"E2KG_CLIENT_QUERIES": str(CLIENTS), "E2KG_QUERY_QUEUE": str(CLIENTS)}
    with serve(
        project, tmp_path / "store", tmp_path / "serve.log", environment=environment
    ) as server:
        latencies: dict[str, list[float]] = {}
        errors: list[str] = []
        lock = threading.Lock()
        submitted: list[str] = []
        shed: list[str] = []
        reads = [
            ("lookup", "/sparql", {"query": LOOKUP, "format": "json"}, None),
            ("question", "/questions/driver-portfolio", None, "text/html"),
            ("page", "/id/study/example-2012", None, "text/html"),
            ("search", "/search", {"q": "Beispielstudie"}, "text/html"),
        ]
        started_at = time.monotonic()
        deadline = started_at + LOAD_SECONDS

        def client(number: int) -> None:
            session = requests.Session()
            rng = random.Random(number)
            sent = 0
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    if number < SUBMITTERS:
                        kind = "submit"
                        slug = f"load-{number}-{sent}"
                        response = submit(server, slug)
                        ok = response.status_code == 201
                        if ok:
                            with lock:
                                submitted.append(slug)
                    else:
                        kind, path, params, accept = rng.choice(reads)
                        for attempt in range(1 + SHED_RETRIES):
                            response = session.get(
                                server.url + path,
                                params=params,
                                headers={"Accept": accept} if accept else {},
                                timeout=60,
                            )
                            if not is_shed(response) or attempt == SHED_RETRIES:
                                break
                            with lock:
                                shed.append(kind)
                            time.sleep(SHED_PAUSE)  # as a client honouring Retry-After would
                        ok = response.status_code == 200
                    if not ok:
                        with lock:
                            errors.append(f"{kind} {response.status_code} {response.text[:200]}")
                except requests.RequestException as error:
                    with lock:
                        errors.append(repr(error))
                    kind = "error"
                with lock:
                    latencies.setdefault(kind, []).append(time.monotonic() - started)
                sent += 1
                if number < SUBMITTERS:
                    time.sleep(SUBMIT_PAUSE)

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(client, range(CLIENTS)))
        elapsed = time.monotonic() - started_at
        # every acknowledged submission is readable afterwards
        stored = requests.get(
            server.url + "/sparql",
            params={"query": COUNT_LOAD_STUDIES, "format": "json"},
            timeout=60,
        ).json()["results"]["bindings"][0]["n"]["value"]
    every = sorted(value for values in latencies.values() for value in values)
    figures: dict[str, object] = {
        "clients": CLIENTS,
        "submitters": SUBMITTERS,
        "submit_pause_s": SUBMIT_PAUSE,
        "seconds": round(elapsed, 1),
        "requests": len(every),
        "requests_per_second": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 0.50) * 1000),
        "p99_ms": round(percentile(every, 0.99) * 1000),
        "errors": len(errors),
        "shed_and_retried": len(shed),
        "submitted": len(submitted),
        "kinds": {
            kind: {
                "requests": len(values),
                "p50_ms": round(percentile(sorted(values), 0.50) * 1000),
                "p99_ms": round(percentile(sorted(values), 0.99) * 1000),
            }
            for kind, values in sorted(latencies.items())
        },
        "project": "tests/data/project (fixture), embedded Oxigraph, e2kg serve (gunicorn)",
        "settings": environment,
    }
    artefacts = Path(__file__).resolve().parents[2] / "var" / "artefacts"
    artefacts.mkdir(parents=True, exist_ok=True)
    (artefacts / "load.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nload: {json.dumps(figures)}")
    assert errors == [], errors[:10]
    assert int(stored) == len(submitted)
    assert all(len(latencies.get(kind, [])) > 0 for kind in ("submit", "lookup", "question"))


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
