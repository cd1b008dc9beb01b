"""Requests per second at /sparql: e2kg (gunicorn) beside ``oxigraph serve``, same data, same run.

    .venv/bin/python bench/endpoint_load.py [--seconds 10] [--connections 8]

The seed graph (ontology/, shapes/, graph/ of this repository) is loaded into a fresh embedded store
by ``e2kg load``, exported with ``e2kg export --format nquads`` and loaded into a fresh Oxigraph
directory by ``oxigraph load``; both servers then run side by side on 127.0.0.1 (Oxigraph with
``--union-default-graph``, as e2kg's default graph is the union of the named graphs). A bounded load
client (``--connections`` threads, each with its own keep-alive ``requests`` session, for
``--seconds``) sends one query repeatedly, GET with ``Accept: application/sparql-results+json``;
every answer must be 200 with the same number of rows as the first. Servers are measured one after
the other, never at the same time. Two queries: a one-resource lookup (every property of one
study) and a GROUP BY (resources per class over the whole graph).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/e2kg/id/study/deloitte-2012> ?p ?o }"
GROUP_BY = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)"
QUERIES = {"one-resource lookup": LOOKUP, "GROUP BY over the graph": GROUP_BY}
ACCEPT = {"Accept": "application/sparql-results+json"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running(
    command: list[str], url: str, log: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Start ``command``, wait until ``url`` answers a query, stop it afterwards."""
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=env
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{command[0]} exited:\n{log.read_text()}")
            try:
                if requests.get(url, params={"query": "ASK {}"}, headers=ACCEPT, timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer within 60 s:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rows(url: str, query: str) -> int:
    response = requests.get(url, params={"query": query}, headers=ACCEPT, timeout=30)
    response.raise_for_status()
    return len(response.json()["results"]["bindings"])


def load(url: str, query: str, *, seconds: float, connections: int) -> float:
    """Requests per second that ``connections`` closed-loop clients get in ``seconds``."""
    expected = rows(url, query)
    assert expected > 0, f"{query} returns no rows at {url}"
    for _ in range(20):  # warm-up (worker processes, caches)
        rows(url, query)
    done = [0] * connections
    failures: list[str] = []
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        with requests.Session() as session:
            while time.monotonic() < stop:
                response = session.get(url, params={"query": query}, headers=ACCEPT, timeout=30)
                if (
                    response.status_code != 200
                    or len(response.json()["results"]["bindings"]) != expected
                ):
                    failures.append(f"{response.status_code}: {response.text[:200]}")
                    return
                done[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if failures:
        raise SystemExit(f"wrong answers from {url}: {failures[0]}")
    return sum(done) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        store, nquads, ox_store = work / "store", work / "data.nq", work / "oxigraph"
        env = {k: v for k, v in os.environ.items() if not k.startswith("E2KG_")}
        env["E2KG_SOURCE_DIR"] = str(ROOT)
        subprocess.run(
            [BIN / "e2kg", "load", "--store", store],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [BIN / "e2kg", "export", "--format", "nquads", "--store", store, "-o", nquads],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run(
            [BIN / "oxigraph", "load", "--location", ox_store, "--file", nquads],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        e2kg_port, ox_port = free_port(), free_port()
        e2kg_command = [
            str(BIN / "e2kg"),
            "serve",
            "--no-load",
            "--store",
            str(store),
            "--port",
            str(e2kg_port),
        ]
        ox_command = [
            str(BIN / "oxigraph"),
            "serve",
            "--location",
            str(ox_store),
            "--bind",
            f"127.0.0.1:{ox_port}",
            "--union-default-graph",
        ]
        with (
            running(
                e2kg_command, f"http://127.0.0.1:{e2kg_port}/sparql", work / "e2kg.log", env
            ) as e2kg_url,
            running(
                ox_command, f"http://127.0.0.1:{ox_port}/query", work / "oxigraph.log"
            ) as ox_url,
        ):
            print(
                f"{options.connections} connections, {options.seconds:g} s per measurement, "
                f"{os.cpu_count()} cores; {sum(1 for _ in nquads.open())} quads"
            )
            print(f"{'query':<26}{'e2kg req/s':>12}{'oxigraph req/s':>16}{'e2kg/oxigraph':>15}")
            for name, query in QUERIES.items():
                ours = load(
                    e2kg_url, query, seconds=options.seconds, connections=options.connections
                )
                theirs = load(
                    ox_url, query, seconds=options.seconds, connections=options.connections
                )
                print(f"{name:<26}{ours:>12.0f}{theirs:>16.0f}{ours / theirs:>15.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
