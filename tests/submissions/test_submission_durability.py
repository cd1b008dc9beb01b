"""Durability: every entry acknowledged with 201 survives ``kill -9`` of ``e2kg serve`` and a restart.

A real ``e2kg serve`` (gunicorn, embedded Oxigraph in tmp_path, the real sources) takes a burst of
concurrent submissions; right after the last 201 its whole process group gets SIGKILL; a second
``e2kg serve`` on the same store directory must hold every acknowledged study, completely.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
from rdflib import Graph, URIRef
from rdflib.namespace import PROV
from submission_testing import ROOT, SUBMISSION_TOKEN

from e2kg_testing import free_port

E2KG = Path(sys.executable).parent / "e2kg"
ENTRY = ROOT / "tests" / "data" / "entries" / "valid" / "existing-publisher.ttl"
BURST = 8


@contextmanager
def running_service(store: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``e2kg serve`` on ``store`` in its own process group; yields its URL and the process."""
    port = free_port()
    environment = {**os.environ, "E2KG_UPDATE_TOKEN": SUBMISSION_TOKEN}
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(E2KG), "serve", "--port", str(port), "--store", str(store)],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"e2kg serve exited:\n{log.read_text()}"
            try:
                requests.get(url + "/healthz", timeout=10)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "e2kg serve did not answer within 60 s"
                time.sleep(0.2)
        yield url, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def entry_for(index: int) -> str:
    return ENTRY.read_text(encoding="utf-8").replace("example-2016", f"burst-{index}")


def test_acknowledged_submissions_survive_sigkill_and_restart(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with running_service(store, tmp_path / "first.log") as (url, process):

        def submit(index: int) -> requests.Response:
            return requests.post(
                url + "/studies",
                data=entry_for(index).encode("utf-8"),
                headers={
                    "Authorization": f"Bearer {SUBMISSION_TOKEN}",
                    "Content-Type": "text/turtle",
                },
                timeout=60,
            )

        with ThreadPoolExecutor(max_workers=4) as pool:
            responses = list(pool.map(submit, range(BURST)))
        os.killpg(process.pid, signal.SIGKILL)  # right after the last acknowledgement
        process.wait(timeout=20)
    acknowledged = [i for i, response in enumerate(responses) if response.status_code == 201]
    assert acknowledged == list(range(BURST)), [r.text for r in responses]

    with running_service(store, tmp_path / "second.log") as (url, _process):
        listed = requests.get(url + "/studies", timeout=30).json()["studies"]
        assert sorted(study["study"] for study in listed) == sorted(
            f"https://w3id.org/e2kg/id/study/burst-{i}" for i in acknowledged
        )
        for index in acknowledged:
            graph = URIRef(f"https://w3id.org/e2kg/submission/burst-{index}")
            response = requests.get(
                url + "/store",
                params={"graph": str(graph)},
                headers={"Accept": "application/n-triples"},
                timeout=30,
            )
            assert response.status_code == 200, response.text
            stored = Graph().parse(data=response.text, format="nt")
            entry = Graph().parse(data=entry_for(index), format="turtle")
            assert len([t for t in stored if t[0] != graph]) == len(entry)
            assert stored.value(graph, PROV.generatedAtTime) is not None
            versions = requests.get(url + f"/studies/burst-{index}/versions", timeout=30).json()[
                "versions"
            ]
            assert [version["version"] for version in versions] == [1]
