"""Requests per second at /sparql: e2kg (gunicorn) beside ``oxigraph serve``, same data, same run.

    .venv/bin/python bench/endpoint_load.py [--seconds 10] [--connections 8]
        [--data bench/data/100000-2012.nq] [--before-src /path/to/an/older/src]

The seed graph (ontology/, shapes/, graph/ of this repository) is loaded into a fresh embedded store
by ``e2kg load``, exported with ``e2kg export --format nquads`` and loaded into a fresh Oxigraph
directory by ``oxigraph load``; with ``--data`` that N-Quads file is loaded into both instead, and
the lookup (bench/queries/lookup.rq) names a different finding on every request, as in the harness.
With ``--before-src`` a second e2kg (the same command, ``PYTHONPATH`` on that source tree, a copy of
the store) is measured in the same run, so a change can be given as a ratio against the code before
it. The servers run on 127.0.0.1 (Oxigraph with ``--union-default-graph``, as e2kg's default graph
is the union of the named graphs). A bounded load client (``--connections`` threads, each with its
own keep-alive ``requests`` session, for ``--seconds``) sends the queries round robin, GET with
``Accept: application/sparql-results+json``; every answer must be 200 with the rows the first
answer to that query had. Servers are measured one after the other, never at the same time. Two
queries: a one-resource lookup and a GROUP BY (resources per class over the whole graph).
"""

from __future__ import annotations

import argparse
import os
import shutil
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
OBSERVATION = "http://purl.org/linked-data/cube#Observation"
LOAD_FILE = """
import sys
from pathlib import Path
from rdflib import URIRef
from e2kg.store import open_store
with open_store(sys.argv[1]) as store:
    store.load(Path(sys.argv[2]), media_type="application/n-quads",
               graph=URIRef("https://w3id.org/e2kg/source/graph/benchmark-default.nq"))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running(
    command: list[str], url: str, log: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Start ``command``, wait until ``url`` answers a query, stop it afterwards; its process id
    is kept in ``SERVER_PIDS[url]`` meanwhile."""
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
        SERVER_PIDS[url] = process.pid
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


SERVER_PIDS: dict[str, int] = {}
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by process ``root`` and its descendants."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        # utime, stime, and cutime, cstime: children that ended and were waited for
        times[pid] = sum(int(value) for value in fields[11:15]) / _TICKS
    total, family = 0.0, {root}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                changed = True
    for pid in family:
        total += times.get(pid, 0.0)
    return total


def settle(root: int, *, idle: float = 0.05, longest: float = 120.0) -> None:
    """Wait until the server is idle (start-up work such as a search index done): under ``idle``
    CPU seconds in one second, or ``longest`` seconds have passed."""
    deadline = time.monotonic() + longest
    before = cpu_seconds(root)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu_seconds(root)
        if now - before < idle:
            return
        before = now


def rows(url: str, query: str) -> int:
    response = requests.get(url, params={"query": query}, headers=ACCEPT, timeout=30)
    response.raise_for_status()
    return len(response.json()["results"]["bindings"])


def load(url: str, queries: list[str], *, seconds: float, connections: int) -> tuple[float, float]:
    """Requests per second that ``connections`` closed-loop clients get in ``seconds``, and the
    server's CPU milliseconds per request (all its processes); each client goes round
    ``queries``, and every answer must have the rows the first one had."""
    expected = {query: rows(url, query) for query in queries[:200]}
    assert all(expected.values()), f"a query returns no rows at {url}"
    for query in queries[:20]:  # warm-up (worker processes, caches)
        rows(url, query)
    done = [0] * connections
    failures: list[str] = []
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        with requests.Session() as session:
            turn = index
            while time.monotonic() < stop:
                query = queries[turn % len(queries)]
                turn += connections
                response = session.get(url, params={"query": query}, headers=ACCEPT, timeout=30)
                if response.status_code != 200 or (
                    query in expected
                    and len(response.json()["results"]["bindings"]) != expected[query]
                ):
                    failures.append(f"{response.status_code}: {response.text[:200]}")
                    return
                done[index] += 1

    settle(SERVER_PIDS[url])
    cpu_before = cpu_seconds(SERVER_PIDS[url])
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(SERVER_PIDS[url]) - cpu_before
    if failures:
        raise SystemExit(f"wrong answers from {url}: {failures[0]}")
    return sum(done) / elapsed, cpu * 1000 / max(sum(done), 1)


def lookups(ox_url: str, count: int) -> list[str]:
    """bench/queries/lookup.rq bound to ``count`` different findings (as the harness does)."""
    text = (ROOT / "bench" / "queries" / "lookup.rq").read_text()
    found = requests.get(
        ox_url,
        params={"query": f"SELECT ?f WHERE {{ ?f a <{OBSERVATION}> }} LIMIT {count}"},
        headers=ACCEPT,
        timeout=60,
    ).json()["results"]["bindings"]
    findings = [row["f"]["value"] for row in found]
    assert findings, "the data has no findings (qb:Observation)"
    return [text.replace("WHERE {", f"WHERE {{ VALUES ?resource {{ <{f}> }}", 1) for f in findings]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--data", type=Path, help="an N-Quads file instead of the seed graph")
    parser.add_argument("--before-src", type=Path, help="also measure e2kg from this src folder")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="serve as the harness's e2kg-inprocess does: gunicorn, 8 threads, no query workers",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        store, nquads, ox_store = work / "store", work / "data.nq", work / "oxigraph"
        env = {k: v for k, v in os.environ.items() if not k.startswith("E2KG_")}
        env["E2KG_SOURCE_DIR"] = str(ROOT)
        if options.data:
            nquads = options.data.resolve()
            subprocess.run(
                [sys.executable, "-c", LOAD_FILE, str(store), str(nquads)], cwd=ROOT, check=True
            )
        else:
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
        ox_port = free_port()
        ox_command = [
            str(BIN / "oxigraph"),
            "serve",
            "--location",
            str(ox_store),
            "--bind",
            f"127.0.0.1:{ox_port}",
            "--union-default-graph",
        ]
        servers: dict[str, tuple[Path, dict[str, str]]] = {"e2kg": (store, env)}
        if options.before_src:
            before = work / "store-before"
            shutil.copytree(store, before)
            servers["e2kg before"] = (
                before,
                {**env, "PYTHONPATH": str(options.before_src.resolve())},
            )
        with running(
            ox_command, f"http://127.0.0.1:{ox_port}/query", work / "oxigraph.log"
        ) as ox_url:
            queries = dict(QUERIES)
            if options.data:
                queries = {"lookup.rq (per finding)": lookups(ox_url, 2000), "GROUP BY": GROUP_BY}
            lists = {name: q if isinstance(q, list) else [q] for name, q in queries.items()}
            print(
                f"{options.connections} connections, {options.seconds:g} s per measurement, "
                f"{os.cpu_count()} cores; {sum(1 for _ in nquads.open())} quads"
            )
            figures: dict[str, dict[str, tuple[float, float]]] = {name: {} for name in lists}
            for server, (location, server_env) in servers.items():
                port = free_port()
                command = [
                    str(BIN / "e2kg"), "serve", "--no-load", "--store", str(location),
                    "--port", str(port),
                ]  # fmt: skip
                if options.in_process:
                    command = [
                        str(BIN / "gunicorn"), "--workers", "1", "--threads", "8",
                        "--bind", f"127.0.0.1:{port}",
                        "e2kg.web.app:create_app({'E2KG_QUERY_WORKERS': 0})",
                    ]  # fmt: skip
                    server_env = {**server_env, "E2KG_STORE": str(location)}
                url = f"http://127.0.0.1:{port}/sparql"
                with running(command, url, work / f"{port}.log", server_env) as e2kg_url:
                    for name, texts in lists.items():
                        figures[name][server] = load(
                            e2kg_url, texts, seconds=options.seconds,
                            connections=options.connections,
                        )  # fmt: skip
            for name, texts in lists.items():
                figures[name]["oxigraph"] = load(
                    ox_url, texts, seconds=options.seconds, connections=options.connections
                )
        columns = [*servers, "oxigraph"]
        print("req/s (server CPU ms per request); ratios of req/s to oxigraph")
        print(f"{'query':<26}" + "".join(f"{c:>24}" for c in columns), end="")
        print("".join(f"{c + '/oxigraph':>22}" for c in servers))
        for name, figure in figures.items():
            cells = [f"{figure[c][0]:.0f} ({figure[c][1]:.2f} ms)" for c in columns]
            print(f"{name:<26}" + "".join(f"{cell:>24}" for cell in cells), end="")
            ratios = [figure[c][0] / figure["oxigraph"][0] for c in servers]
            print("".join(f"{ratio:>22.2f}" for ratio in ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
