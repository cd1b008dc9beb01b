"""What the query worker processes cost: the same app with its /sparql queries in worker processes
and in the gunicorn threads, side by side on the same store, alternating, with CPU per request.

    .venv/bin/python bench/worker_overhead.py --store /tmp/W/store-1m [--seconds 10]
        [--connections 4] [--rounds 3] [--query lookup --query count ...]
        [--before-src /path/to/an/older/src]

``--store`` is an e2kg store directory loaded once beforehand (``e2kg load`` or
``bench/harness.py --load-e2kg DIR FILE``); it is not changed: each server gets its own RocksDB
checkpoint of it (hard links). The servers are the same gunicorn command (1 worker, 8 threads,
``e2kg.web.app:create_app``) with the harness's environment (E2KG_MAX_QUERIES = connections + 1):
``workers`` runs queries in the query worker processes, ``inprocess`` with
``E2KG_QUERY_WORKERS=0`` in the gunicorn threads, and with ``--before-src`` ``before`` is the
worker server on an older source tree (``PYTHONPATH``), so a change shows as a ratio in one run.
All servers run at once but are measured one at a time; every round measures each query on every
server in turn (the order reversed every other round), and the table gives the medians of the
rounds. CPU per request is read from /proc: the service process (the gunicorn worker) and the
rest of its process tree (forkserver and query workers) separately.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

ROOT = Path(__file__).resolve().parents[1]
FINDINGS = """
SELECT ?finding WHERE { ?finding a <http://purl.org/linked-data/cube#Observation> } LIMIT 5000
"""
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """One gunicorn server of the comparison and its figures per query (one entry per round)."""

    name: str
    port: int
    master: int
    figures: dict[str, list[dict[str, float]]] = field(default_factory=dict)


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of ``pid`` (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children() -> dict[int, list[int]]:
    """Every process's children, from /proc."""
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        found.setdefault(parent, []).append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    tree = children()
    pending, found = list(tree.get(pid, [])), []
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(tree.get(child, []))
    return found


def cpu_split(master: int) -> tuple[float, float]:
    """CPU seconds of the service process (gunicorn's worker) and of the rest below it."""
    workers = children().get(master, [])
    service = sum(cpu_seconds(pid) for pid in workers)
    rest = sum(cpu_seconds(pid) for worker in workers for pid in descendants(worker))
    return service, rest


@contextmanager
def serving(
    name: str, store: Path, work: Path, env: dict[str, str], factory: str
) -> Iterator[Server]:
    """A gunicorn server of e2kg on a checkpoint of ``store``; stopped at the end."""
    copy = work / f"store-{name}"
    subprocess.run(
        [sys.executable, "-c", CHECKPOINT, str(store), str(copy)], check=True, env=env, cwd=ROOT
    )
    port = harness.free_port()
    log = (work / f"{name}.log").open("w")
    process = subprocess.Popen(
        harness.gunicorn_command(port, factory),
        cwd=ROOT,
        env={**env, "E2KG_STORE": str(copy)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while not answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{name} did not start:\n{(work / f'{name}.log').read_text()}")
            time.sleep(0.3)
        yield Server(name, port, process.pid)
    finally:
        harness.end_process(process, timeout=30)
        log.close()


CHECKPOINT = """
import sys
from pathlib import Path
from e2kg.store.oxigraph import OxigraphStore
from e2kg.store.snapshots import checkpoint
checkpoint(OxigraphStore(Path(sys.argv[1])), Path(sys.argv[2]))
"""


def answers(port: int) -> bool:
    """Whether the server on ``port`` answers a query."""
    try:
        with urllib.request.urlopen(
            f"http://{harness.HOST}:{port}/sparql?" + urlencode({"query": "ASK {}"}), timeout=5
        ) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def findings(port: int) -> list[str]:
    """Finding IRIs of the store, for lookups of a different resource on every request."""
    url = f"http://{harness.HOST}:{port}/sparql?" + urlencode({"query": FINDINGS})
    request = urllib.request.Request(url, headers={"Accept": harness.SPARQL_JSON})
    with urllib.request.urlopen(request, timeout=120) as response:
        rows = json.loads(response.read())["results"]["bindings"]
    return [row["finding"]["value"] for row in rows]


def measure(
    server: Server, name: str, query: str, resources: list[str] | None, options: argparse.Namespace
) -> dict[str, float]:
    make = harness.sparql_request("/sparql", query, resources)
    harness.warm_up(server.port, make, timeout=options.timeout)
    service_before, rest_before = cpu_split(server.master)
    result = harness.drive(
        server.port,
        make,
        seconds=options.seconds,
        connections=options.connections,
        timeout=options.timeout,
        check=harness.has_rows,
    )
    service_after, rest_after = cpu_split(server.master)
    if result.errors:
        print(f"  {server.name} {name}: {result.errors} errors, first: {result.first_error}")
    requests = max(result.requests, 1)
    return {
        "per_second": result.per_second,
        "p50_ms": result.percentile(0.5),
        "service_cpu_ms": (service_after - service_before) * 1000 / requests,
        "workers_cpu_ms": max(rest_after - rest_before, 0.0) * 1000 / requests,
        "errors": float(result.errors),
    }


def median(rounds: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rounds)


def table(servers: list[Server], queries: list[str]) -> str:
    lines = [
        "| query | server | req/s | p50 ms | service CPU ms/req | workers CPU ms/req | "
        "req/s vs inprocess |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    reference = next((s for s in servers if s.name == "inprocess"), None)
    for query in queries:
        for server in servers:
            rounds = server.figures[query]
            rate = median(rounds, "per_second")
            if reference is not None:
                ratios = [
                    ours["per_second"] / theirs["per_second"]
                    for ours, theirs in zip(rounds, reference.figures[query], strict=True)
                    if theirs["per_second"]
                ]
                versus = f"{statistics.median(ratios):.2f}" if ratios else "-"
            else:
                versus = "-"
            lines.append(
                f"| {query} | {server.name} | {rate:.1f} | {median(rounds, 'p50_ms'):.1f} | "
                f"{median(rounds, 'service_cpu_ms'):.2f} | {median(rounds, 'workers_cpu_ms'):.2f} "
                f"| {versus} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a loaded e2kg store directory")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument(
        "--query", action="append", help="a query of bench/queries/ by name (default: all)"
    )
    parser.add_argument("--before-src", type=Path, help="an older src/ for a 'before' server")
    parser.add_argument(
        "--only", action="append", help="servers to run (workers, inprocess, before)"
    )
    options = parser.parse_args(argv)
    if not (options.store / "CURRENT").exists():
        parser.error(f"{options.store} is not a loaded store directory")
    texts = {p.stem: p.read_text() for p in sorted((ROOT / "bench" / "queries").glob("*.rq"))}
    queries = options.query or list(texts)
    unknown = [q for q in queries if q not in texts]
    if unknown:
        parser.error(f"no such query in bench/queries/: {', '.join(unknown)}")
    env = harness.e2kg_environment(options.connections)
    plan = [
        ("workers", env, "e2kg.web.app:create_app()"),
        ("inprocess", env, "e2kg.web.app:create_app({'E2KG_QUERY_WORKERS': 0})"),
    ]
    if options.before_src:
        older = {**env, "PYTHONPATH": str(options.before_src.resolve())}
        plan.insert(1, ("before", older, "e2kg.web.app:create_app()"))
    if options.only:
        plan = [item for item in plan if item[0] in options.only]
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="worker-overhead-")))
        servers = [
            stack.enter_context(serving(name, options.store, work, server_env, factory))
            for name, server_env, factory in plan
        ]
        resources = findings(servers[0].port) if "lookup" in queries else None
        for number in range(options.rounds):
            order = servers if number % 2 == 0 else list(reversed(servers))
            for query in queries:
                for server in order:
                    figures = measure(
                        server,
                        query,
                        texts[query],
                        resources if query == "lookup" else None,
                        options,
                    )
                    server.figures.setdefault(query, []).append(figures)
                    print(
                        f"round {number + 1} {query} {server.name}: "
                        f"{figures['per_second']:.1f} req/s, service "
                        f"{figures['service_cpu_ms']:.2f} ms, workers "
                        f"{figures['workers_cpu_ms']:.2f} ms CPU/req",
                        flush=True,
                    )
    print(
        f"\n{options.store}, {options.connections} connections, {options.seconds:g} s per "
        f"measurement, medians of {options.rounds} rounds; load: {os.getloadavg()[0]:.2f}\n"
    )
    print(table(servers, queries))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
