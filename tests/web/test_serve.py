"""``e2kg serve`` as an operator runs it: gunicorn on 127.0.0.1, embedded Oxigraph, load when needed."""

from __future__ import annotations

import ctypes.util
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from e2kg.allocator import ALLOCATOR
from e2kg_testing import free_port

E2KG = Path(sys.executable).parent / "e2kg"
PIDS: dict[str, int] = {}
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@contextmanager
def serving(project: Path, store: Path, log: Path) -> Iterator[str]:
    """Run ``e2kg serve`` (output to ``log``) until the block ends; yield its base URL (the pid of
    the serving process, gunicorn's master after the exec, is in ``PIDS[url]``)."""
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(E2KG), "serve", "--port", str(port), "--store", str(store)],
            cwd=project,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    PIDS[url] = process.pid
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"e2kg serve exited with {process.returncode}:\n{log.read_text()}"
                )
            try:
                requests.get(url + "/healthz", timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):  # not listening, or still booting
                if time.monotonic() > deadline:
                    raise AssertionError("e2kg serve did not answer within 30 s") from None
                time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_loads_when_needed_and_serves_with_gunicorn(
    project_copy: Path, tmp_path: Path
) -> None:
    store = project_copy / "var" / "store"
    first_log = tmp_path / "first.log"
    with serving(project_copy, store, first_log) as url:
        health = requests.get(url + "/healthz", timeout=10)
        assert health.json()["store"] == {
            "backend": "oxigraph",
            "reachable": True,
            "writable": True,
        }
        home = requests.get(url + "/", timeout=10)
        assert "gunicorn" in home.headers.get("Server", "")
        counted = requests.get(
            url + "/sparql",
            params={"query": COUNT_QUERY},
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        ).json()["results"]["bindings"][0]["n"]["value"]
        assert int(counted) > 0
        assert f'data-count="{counted}"' in home.text
        if ctypes.util.find_library(ALLOCATOR):  # installed by `make serve` and `make test`
            maps = Path(f"/proc/{PIDS[url]}/maps").read_text()
            assert ALLOCATOR in maps, "e2kg serve runs without jemalloc"
    assert "4 loaded, 0 unchanged, 0 removed" in first_log.read_text()

    second_log = tmp_path / "second.log"
    with serving(project_copy, store, second_log) as url:
        assert requests.get(url + "/healthz", timeout=10).status_code == 200
    assert "0 loaded, 4 unchanged, 0 removed" in second_log.read_text()
