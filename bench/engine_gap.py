"""Where e2kg's heavy queries lose to ``oxigraph serve``: the same store, the same queries, from
``oxigraph serve`` over HTTP down to bare pyoxigraph on Python threads, side by side (issue 8).

    .venv/bin/python bench/engine_gap.py --store /tmp/H/store-1m [--seconds 8] [--rounds 3]
        [--concurrency 1 2 4] [--query property-path --query group-by ...]
        [--arms serve pyoxigraph pyoxigraph-jemalloc e2kg-store e2kg-http]

``--store`` is a directory loaded once beforehand (``oxigraph load --location DIR --file
bench/data/1000000-2012.nq``); it is not changed: every arm gets its own RocksDB checkpoint of it
(``Store.backup``, hard links). The arms, all started at once and measured one at a time:

- ``serve``: ``oxigraph serve --union-default-graph`` (the PyPI ``oxigraph`` binary), over HTTP;
- ``pyoxigraph``: pyoxigraph in a plain Python process, no Flask and no e2kg: ``n`` threads each
  run ``Store.query(..., use_default_graph_as_union=True)`` and ``serialize`` the result into a
  buffer in SPARQL JSON, as e2kg does (``store/oxigraph.py``);
- ``pyoxigraph-jemalloc`` / ``pyoxigraph-arena2``: the same process with
  ``LD_PRELOAD=libjemalloc.so.2`` (Debian ``libjemalloc2``) / ``MALLOC_ARENA_MAX=2``;
- ``e2kg-store``: e2kg's ``OxigraphStore.query_raw`` on threads (its locks, streaming), no HTTP;
- ``e2kg-http``: e2kg's app in gunicorn threads (1 worker, 8 threads, ``E2KG_QUERY_WORKERS=0``,
  the harness's admission settings, ``E2KG_WARM_ANSWERS=0``), over HTTP like ``serve``;
  ``e2kg-http-jemalloc`` the same with ``LD_PRELOAD=libjemalloc.so.2``, ``e2kg-http-tcache`` with
  ``GLIBC_TUNABLES=glibc.malloc.tcache_count=2000``.

The measurement starts once every arm is idle (its start-up work, e.g. e2kg's search index, done).

Every round measures each query and concurrency on every arm in turn (the order reversed every
other round); the table gives medians over the rounds: requests per second, CPU milliseconds per
request and cores in use, read from /proc for the arm's process tree (the HTTP load client runs in
this process and is not counted), and each arm's req/s over ``serve``'s. On a shared machine the
absolute figures move with the load; the ratios within one round do not as much.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUERIES = ROOT / "bench" / "queries"
HEAVY = ["count", "group-by", "optional-describe", "property-path", "text-filter"]
JEMALLOC = Path("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2")
TCACHE = "glibc.malloc.tcache_count=2000"
"""glibc's own lever: more freed blocks kept per thread and size (default 7), no extra library."""
TICKS = os.sysconf("SC_CLK_TCK")
ARMS = [
    "serve",
    "pyoxigraph",
    "pyoxigraph-jemalloc",
    "pyoxigraph-arena2",
    "e2kg-store",
    "e2kg-http",
    "e2kg-http-jemalloc",
    "e2kg-http-tcache",
]
DEFAULT_ARMS = ["serve", "pyoxigraph", "e2kg-store", "e2kg-http"]


@dataclass
class Arm:
    """One running arm: how to load it with ``n`` concurrent queries, and its process."""

    name: str
    pid: int
    run: Callable[[str, int, float], tuple[int, float]]
    """(query, concurrency, seconds) -> (requests answered, seconds)"""
    figures: dict[tuple[str, int], list[dict[str, float]]] = field(default_factory=dict)


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of ``pid`` and its descendants (0 for those gone)."""
    total = 0.0
    for member in harness.tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


# -- the in-process arms: a child process that runs queries on threads when asked -----------------


def child(kind: str, location: str) -> None:
    """Answer ``{"query", "threads", "seconds"}`` lines on stdin with ``{"requests", "seconds"}``."""
    run_one = e2kg_runner(location) if kind == "e2kg-store" else pyoxigraph_runner(location)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        order = json.loads(line)
        query, threads, seconds = order["query"], int(order["threads"]), float(order["seconds"])
        run_one(query)  # warm-up, not counted
        requests, elapsed = load(run_one, query, threads, seconds)
        print(json.dumps({"requests": requests, "seconds": elapsed}), flush=True)


def load(
    run_one: Callable[[str], int], query: str, threads: int, seconds: float
) -> tuple[int, float]:
    """``threads`` threads run ``query`` back to back for ``seconds``: (requests, seconds)."""
    done = [0] * threads
    stop_at = time.perf_counter() + seconds

    def work(index: int) -> None:
        while time.perf_counter() < stop_at:
            run_one(query)
            done[index] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done), time.perf_counter() - started


class Sink:
    """A file-like object that keeps what pyoxigraph's ``serialize`` writes (like e2kg's buffer)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: the bytes stay in memory."""


def pyoxigraph_runner(location: str) -> Callable[[str], int]:
    import pyoxigraph as ox

    store = ox.Store(location)
    results_format = ox.QueryResultsFormat.JSON

    def run_one(query: str) -> int:
        result: Any = store.query(query, use_default_graph_as_union=True)
        sink = Sink()
        result.serialize(cast(IO[bytes], sink), format=results_format)
        return len(sink.data)

    return run_one


def e2kg_runner(location: str) -> Callable[[str], int]:
    from e2kg.store.oxigraph import OxigraphStore

    store = OxigraphStore(Path(location))

    def run_one(query: str) -> int:
        result = store.query_raw(query, harness.SPARQL_JSON)
        return sum(len(chunk) for chunk in result.chunks)

    return run_one


def allocator(name: str, env: dict[str, str]) -> dict[str, str]:
    """``env`` with the allocator setting the arm's name asks for."""
    if name.endswith("-jemalloc"):
        if not JEMALLOC.exists():
            raise SystemExit(f"{JEMALLOC} is missing: apt-get install libjemalloc2")
        env["LD_PRELOAD"] = str(JEMALLOC)
    elif name.endswith("-arena2"):
        env["MALLOC_ARENA_MAX"] = "2"
    elif name.endswith("-tcache"):
        env["GLIBC_TUNABLES"] = TCACHE
    return env


@contextmanager
def child_arm(name: str, location: Path, work: Path) -> Iterator[Arm]:
    """An in-process arm: this script as a child process on its own checkpoint."""
    env = allocator(name, dict(os.environ))
    kind = "e2kg-store" if name == "e2kg-store" else "pyoxigraph"
    log = (work / f"{name}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, str(location)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout
    if not stdout.readline():
        raise SystemExit(f"{name} did not start:\n{(work / f'{name}.log').read_text()}")

    def run(query: str, threads: int, seconds: float) -> tuple[int, float]:
        stdin.write(json.dumps({"query": query, "threads": threads, "seconds": seconds}) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise SystemExit(f"{name} stopped:\n{(work / f'{name}.log').read_text()}")
        answer = json.loads(line)
        return int(answer["requests"]), float(answer["seconds"])

    try:
        yield Arm(name, process.pid, run)
    finally:
        stdin.close()
        harness.end_process(process, timeout=60, terminate=False)
        log.close()


# -- the HTTP arms ---------------------------------------------------------------------------------


@contextmanager
def http_arm(name: str, location: Path, work: Path, connections: int) -> Iterator[Arm]:
    """``oxigraph serve`` or e2kg's gunicorn app on ``location``, stopped at the end."""
    port = harness.free_port()
    env = dict(os.environ)
    if name == "serve":
        path = "/query"
        command = [str(BIN / "oxigraph"), "serve", "--location", str(location)]
        command += ["--bind", f"{harness.HOST}:{port}", "--union-default-graph"]
    else:
        path = "/sparql"
        env = {**harness.e2kg_environment(connections), "E2KG_STORE": str(location)}
        env["E2KG_WARM_ANSWERS"] = "0"
        env = allocator(name, env)
        command = [str(BIN / "gunicorn"), "--workers", "1", "--threads", "8"]
        command += ["--bind", f"{harness.HOST}:{port}"]
        command += ["e2kg.web.app:create_app({'E2KG_QUERY_WORKERS': 0})"]
    log = (work / f"{name}.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not answers(port, path):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{name} did not start:\n{(work / f'{name}.log').read_text()}")
            time.sleep(0.3)

        def run(query: str, connections: int, seconds: float) -> tuple[int, float]:
            make = harness.sparql_request(path, query)
            harness.warm_up(port, make, timeout=120)
            result = harness.drive(
                port, make, seconds=seconds, connections=connections, timeout=120
            )
            if result.errors:
                raise SystemExit(f"{name}: {result.errors} errors, first: {result.first_error}")
            return result.requests, result.seconds

        yield Arm(name, process.pid, run)
    finally:
        harness.end_process(process, timeout=30)
        log.close()


def answers(port: int, path: str) -> bool:
    """Whether the server on ``port`` answers a query at ``path``."""
    try:
        url = f"http://{harness.HOST}:{port}{path}?" + urlencode({"query": "ASK {}"})
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


CHECKPOINT = """
import sys
import pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
for target in sys.argv[2:]:
    store.backup(target)
"""


# -- measuring and reporting -----------------------------------------------------------------------


def settle(arms: list[Arm], limit: float = 180.0) -> None:
    """Wait (at most ``limit`` seconds) until no arm uses CPU: their start-up work is done."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = [cpu_seconds(arm.pid) for arm in arms]
        time.sleep(2)
        if all(cpu_seconds(arm.pid) - used < 0.05 for arm, used in zip(arms, before, strict=True)):
            return


def measure(arm: Arm, query: str, concurrency: int, seconds: float) -> dict[str, float]:
    before = cpu_seconds(arm.pid)
    requests, elapsed = arm.run(query, concurrency, seconds)
    used = cpu_seconds(arm.pid) - before
    requests = max(requests, 1)
    return {
        "per_second": requests / elapsed,
        "cpu_ms": used * 1000 / requests,
        "cores": used / elapsed,
    }


def median(rounds: list[dict[str, float]], key: str) -> float:
    return statistics.median(figures[key] for figures in rounds)


def table(arms: list[Arm], queries: list[str], concurrency: list[int]) -> str:
    lines = [
        "| query | clients | arm | req/s | CPU ms/req | cores | / serve |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    reference = next((arm for arm in arms if arm.name == "serve"), None)
    for query in queries:
        for clients in concurrency:
            base = median(reference.figures[(query, clients)], "per_second") if reference else 0
            for arm in arms:
                rounds = arm.figures[(query, clients)]
                rate = median(rounds, "per_second")
                versus = f"{rate / base:.2f}" if base and arm is not reference else ""
                lines.append(
                    f"| {query} | {clients} | {arm.name} | {rate:.2f} | "
                    f"{median(rounds, 'cpu_ms'):.0f} | {median(rounds, 'cores'):.2f} | {versus} |"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a directory loaded with `oxigraph load`")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--query", action="append", choices=HEAVY, help="default: all heavy ones")
    parser.add_argument("--arms", nargs="+", choices=ARMS, default=DEFAULT_ARMS)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        child(*options.child)
        return 0
    if options.store is None or not (options.store / "CURRENT").exists():
        parser.error("--store must be a RocksDB directory written by `oxigraph load`")
    names: list[str] = options.query or HEAVY
    texts = {name: (QUERIES / f"{name}.rq").read_text() for name in names}
    connections = max(options.concurrency)
    with tempfile.TemporaryDirectory(prefix="engine-gap-") as temporary, ExitStack() as stack:
        work = Path(temporary)
        copies = {name: work / f"store-{name}" for name in options.arms}
        subprocess.run(
            [sys.executable, "-c", CHECKPOINT, str(options.store), *map(str, copies.values())],
            check=True,
        )
        arms: list[Arm] = []
        for name in options.arms:
            if name == "serve" or name.startswith("e2kg-http"):
                arm = stack.enter_context(http_arm(name, copies[name], work, connections))
            else:
                arm = stack.enter_context(child_arm(name, copies[name], work))
            arms.append(arm)
        settle(arms)
        print(f"arms: {', '.join(options.arms)}; load average {os.getloadavg()}", flush=True)
        for number in range(options.rounds):
            order = arms if number % 2 == 0 else arms[::-1]
            for name in names:
                for clients in options.concurrency:
                    for arm in order:
                        figures = measure(arm, texts[name], clients, options.seconds)
                        arm.figures.setdefault((name, clients), []).append(figures)
                        print(
                            f"round {number + 1} {name} x{clients} {arm.name}: "
                            f"{figures['per_second']:.2f} req/s, {figures['cpu_ms']:.0f} ms CPU/req"
                            f", {figures['cores']:.2f} cores",
                            flush=True,
                        )
        print()
        print(table(arms, names, options.concurrency))
        print(f"\nload average at the end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
