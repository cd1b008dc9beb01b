"""e2kg beside ``oxigraph serve`` and rdflib-endpoint: same generated file, same run, same machine.

    make bench                                    # 10k and 100k triples, 5 s per measurement
    .venv/bin/python bench/harness.py --sizes 10000 100000 1000000 --seconds 5 --connections 4

For each size the generator (bench/generator.py) writes one N-Quads file (cached under bench/data/)
and every server gets exactly that file:

- ``e2kg``: loaded into a fresh embedded store by ``Store.load`` (the bulk path ``e2kg load`` takes
  for large files), then ``e2kg serve --no-load`` (gunicorn, one worker, threads; query worker
  processes as configured by default);
- ``flask-pyoxigraph``: bench/bare_app.py, the least a Python endpoint can be (Flask and pyoxigraph
  under gunicorn, one process, 8 threads, no checks): what Python's HTTP layer alone costs;
- ``oxigraph-disk``: ``oxigraph load --location`` then ``oxigraph serve --location``;
- ``oxigraph-memory``: ``oxigraph serve`` without a location, the file POSTed to ``/store``;
- ``rdflib-endpoint-oxigraph`` and ``rdflib-endpoint-rdflib``: ``rdflib-endpoint serve --store
  Oxigraph|default FILE`` from its own venv (bench/.venv-rdflib-endpoint, made by ``make bench``);
  the plain rdflib mode is skipped above ``--rdflib-max`` triples (its load takes minutes there).

Every server runs on 127.0.0.1 (Oxigraph servers with ``--union-default-graph``, like e2kg's
default graph). They are loaded one after the other, then all stay up and each query is measured on
one server after the other (never two at a time), so the figures compared are taken minutes apart
at most on a machine whose background load drifts. A bounded closed-loop client drives them:
``--connections`` threads, each with one keep-alive ``http.client`` connection, for ``--seconds``
per query; every answer must be 200 and non-empty (the first one must have at least one row). The
query mix is bench/queries/*.rq; ``lookup.rq`` gets a different finding on every request. For e2kg
only: every ready-made question (``/questions/<id>?format=json``), resource pages
(``/id/study/<slug>``), ``/search`` and ``POST /validate`` of a new study entry of about 70
triples, for ``--extra-seconds`` each, after one warm-up request that does not count (the
validation context is built on first use); then, for each of them, the time of one request sent right
after a write (an ``INSERT DATA`` of one triple through ``/sparql``): the cold figure, since every
write drops e2kg's answer and page caches. Load time (until the server answers) and peak memory (the sum
of VmHWM of the server's process tree, read from /proc before it stops; for a separate load step its
peak too) are recorded per server.

Prints one table (req/s, p50, p99 per query and server; e2kg/server = e2kg's req/s over the
server's) and writes the raw figures to bench/results/<timestamp>-<size>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generator

from e2kg.allocator import preload_environment

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENDPOINT_VENV = ROOT / "bench" / ".venv-rdflib-endpoint"
QUERIES = ROOT / "bench" / "queries"
BARE_APP = ROOT / "bench" / "bare_app.py"
RESULTS = ROOT / "bench" / "results"
SPARQL_JSON = "application/sparql-results+json"
HOST = "127.0.0.1"
UPDATE_TOKEN = "bench-harness-writes"
"""e2kg's update token in the harness: the cold rows write one triple before their request."""

Request = tuple[str, str, bytes | None, dict[str, str]]
"""method, path with query string, body, headers"""


@dataclass
class Measurement:
    """What one bounded load run gave."""

    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    first_error: str | None = None
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    first_answer: str | None = None
    single_request: bool = False
    """The first request took longer than the whole duration: one sample only."""

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.per_second, 2),
            "p50_ms": round(self.percentile(0.5), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else None,
            "errors": self.errors,
            "first_error": self.first_error,
            "single_request": self.single_request,
            "first_answer": self.first_answer,
        }


def drive(
    port: int,
    make_request: Callable[[int], Request],
    *,
    seconds: float,
    connections: int,
    timeout: float,
    check: Callable[[bytes], str | None] | None = None,
) -> Measurement:
    """Closed loop: ``connections`` threads send requests for ``seconds``; latencies per request.

    The first request is sent alone and checked with ``check`` (an error message or None); when it
    alone takes longer than ``seconds`` the measurement is that one request.
    """
    result = Measurement()

    def send(connection: http.client.HTTPConnection, number: int) -> tuple[int, bytes]:
        method, path, body, headers = make_request(number)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()

    probe = http.client.HTTPConnection(HOST, port, timeout=timeout)
    started = time.perf_counter()
    try:
        status, body = send(probe, 0)
    except (OSError, http.client.HTTPException) as error:
        result.errors, result.first_error = 1, f"{type(error).__name__}: {error}"
        return result
    finally:
        probe.close()
    elapsed = time.perf_counter() - started
    problem = f"{status}: {body[:300]!r}" if status != 200 or not body else None
    if problem is None and check is not None:
        problem = check(body)
    result.first_answer = body[:200].decode("utf-8", "replace")
    if problem:
        result.errors, result.first_error = 1, problem
        return result
    if elapsed > seconds:
        result.requests, result.seconds, result.single_request = 1, elapsed, True
        result.latencies_ms.append(elapsed * 1000)
        return result

    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        number = index * 1_000_003 + 1
        latencies: list[float] = []
        try:
            while time.perf_counter() < deadline:
                begun = time.perf_counter()
                try:
                    status, body = send(connection, number)
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        result.errors += 1
                        result.first_error = (
                            result.first_error or f"{type(error).__name__}: {error}"
                        )
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
                    continue
                latencies.append((time.perf_counter() - begun) * 1000)
                number += 1
                if status != 200 or not body:
                    with lock:
                        result.errors += 1
                        result.first_error = result.first_error or f"{status}: {body[:300]!r}"
        finally:
            connection.close()
            with lock:
                result.latencies_ms.extend(latencies)

    begun = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - begun
    result.requests = len(result.latencies_ms)
    return result


def warm_up(port: int, make_request: Callable[[int], Request], *, timeout: float) -> None:
    """One request whose answer and time do not count (caches, lazily built state)."""
    method, path, body, headers = make_request(0)
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    with contextlib.suppress(OSError, http.client.HTTPException):
        connection.request(method, path, body=body, headers=headers)
        connection.getresponse().read()
    connection.close()


def first_after_write(
    port: int, make_request: Callable[[int], Request], number: int, *, timeout: float
) -> float | str:
    """Milliseconds of one request sent right after a write through e2kg's /sparql (so no answer,
    page or body is cached and no background warming has run yet), or what went wrong."""
    update = (
        "INSERT DATA { GRAPH <urn:e2kg:bench:writes> "
        f'{{ <urn:e2kg:bench:write> <http://www.w3.org/2000/01/rdf-schema#comment> "{number}" }} }}'
    )
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(
            "POST",
            "/sparql",
            body=update.encode("utf-8"),
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {UPDATE_TOKEN}",
            },
        )
        written = connection.getresponse()
        answer = written.read()
        if written.status not in (200, 204):
            return f"write refused: {written.status} {answer[:120]!r}"
        method, path, body, headers = make_request(number)
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
    except (OSError, http.client.HTTPException) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        connection.close()
    return elapsed if response.status == 200 else f"status {response.status}"


def has_rows(body: bytes) -> str | None:
    """None when ``body`` is SPARQL JSON results with at least one row, else what is wrong."""
    try:
        rows = json.loads(body)["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as error:
        return f"not SPARQL JSON results ({error}): {body[:200]!r}"
    return None if rows else f"no rows: {body[:200]!r}"


def sparql_request(
    path: str, query: str, resources: list[str] | None = None
) -> Callable[[int], Request]:
    """GET ``path?query=…`` with Accept SPARQL JSON; ``?resource`` bound per request if given."""
    if not resources:
        url = f"{path}?{urlencode({'query': query})}"
        return lambda _number: ("GET", url, None, {"Accept": SPARQL_JSON})

    def make(number: int) -> Request:
        resource = resources[number * 7919 % len(resources)]
        bound = query.replace("WHERE {", f"WHERE {{ VALUES ?resource {{ <{resource}> }}", 1)
        return "GET", f"{path}?{urlencode({'query': bound})}", None, {"Accept": SPARQL_JSON}

    return make


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    found, index = [pid], 0
    while index < len(found):
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{found[index]}/task").iterdir():
                children = (task / "children").read_text().split()
                found.extend(int(child) for child in children)
        index += 1
    return found


def peak_memory_mib(pid: int) -> float:
    """Sum of VmHWM (peak resident set) over the process tree of ``pid``, in MiB."""
    total = 0
    for member in tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total / 1024


def end_process(process: subprocess.Popen[Any], *, timeout: float, terminate: bool = True) -> None:
    """Stop ``process`` (SIGTERM, or with ``terminate=False`` let it end by itself) and reap it;
    killed when it outlives ``timeout`` seconds."""
    if terminate:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def timed_run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``command`` to its end: (seconds, peak resident set in MiB from wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        assert process.stderr is not None
        raise SystemExit(f"{command[0]} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


@dataclass
class Server:
    """How to bring one server up on a port with the file loaded."""

    name: str
    query_path: str
    prepare: Callable[[Path, Path], tuple[float, float]] | None
    """(file, work directory) -> (load seconds, load peak MiB): a load step before the server."""
    command: Callable[[Path, Path, int], list[str]]
    """(file, work directory, port) -> the server's command line"""
    after_start: Callable[[Path, int], None] | None = None
    """(file, port): loads into the running server (timed as part of its load)."""
    env: dict[str, str] | None = None


@contextlib.contextmanager
def serving(server: Server, data: Path, work: Path, port: int) -> Iterator[dict[str, Any]]:
    """Load, start and wait for ``server``; yields its figures (load time, pid); stops it after."""
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    if server.prepare is not None:
        figures["load_step_seconds"], figures["load_step_peak_mib"] = server.prepare(data, work)
    log = (work / f"{server.name}.log").open("w")
    begun = time.perf_counter()
    process = subprocess.Popen(
        server.command(data, work, port),
        stdout=log,
        stderr=subprocess.STDOUT,
        env={k: v.replace("{work}", str(work)) for k, v in server.env.items()}
        if server.env
        else None,
        start_new_session=True,
    )
    try:
        ask = f"{server.query_path}?{urlencode({'query': 'ASK {}'})}"
        while True:
            if process.poll() is not None:
                raise SystemExit(
                    f"{server.name} exited:\n{(work / f'{server.name}.log').read_text()}"
                )
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection(HOST, port, timeout=5)
                connection.request("GET", ask, headers={"Accept": SPARQL_JSON})
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    break
                if status == 404:
                    raise SystemExit(f"{server.name}: no SPARQL endpoint at {server.query_path}")
            if time.perf_counter() - begun > 1800:
                raise SystemExit(f"{server.name} did not answer within 30 minutes")
            time.sleep(0.1)
        figures["start_seconds"] = time.perf_counter() - begun
        if server.after_start is not None:
            posted = time.perf_counter()
            server.after_start(data, port)
            figures["post_seconds"] = time.perf_counter() - posted
        figures["load_seconds"] = time.perf_counter() - started
        figures["pid"] = process.pid
        yield figures
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def post_file(data: Path, port: int) -> None:
    """POST the N-Quads file to Oxigraph's Graph Store endpoint (the whole dataset)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=3600)
    with data.open("rb") as body:
        connection.request(
            "POST",
            "/store",
            body=body,
            headers={
                "Content-Type": "application/n-quads",
                "Content-Length": str(data.stat().st_size),
            },
        )
    response = connection.getresponse()
    answer = response.read()
    if response.status not in (200, 201, 204):
        raise SystemExit(f"oxigraph refused the file: {response.status} {answer[:300]!r}")


def e2kg_environment(connections: int = 4) -> dict[str, str]:
    """The environment of e2kg's processes: no E2KG_* setting of the caller's, the project root,
    and admission limits sized for the load client (as an operator sizes them for the expected
    clients): every connection gets a long-query slot and the one client may use them all, so
    e2kg is measured on its queries, not on refusals (the defaults admit 2 long queries at once
    and refuse a query that waits more than 2 s for a slot, see docs/security.md)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("E2KG_")}
    env["E2KG_SOURCE_DIR"] = str(ROOT)
    env["E2KG_MAX_QUERIES"] = str(connections + 1)
    env["E2KG_CLIENT_QUERIES"] = str(connections)
    env["E2KG_UPDATE_TOKEN"] = UPDATE_TOKEN
    return env


def gunicorn_command(port: int, app: str, *options: str) -> list[str]:
    """gunicorn serving ``app`` on ``port`` as e2kg serve does: one process, 8 threads."""
    return [str(BIN / "gunicorn"), "--workers", "1", "--threads", "8", "--bind", f"{HOST}:{port}",
            *options, app]  # fmt: skip


def servers(include_rdflib: bool, connections: int) -> list[Server]:
    """The servers in the order they are measured."""
    endpoint = str(ENDPOINT_VENV / "bin" / "rdflib-endpoint")

    def load_e2kg_store(data: Path, work: Path) -> tuple[float, float]:
        """Both e2kg servers read the same store, loaded by e2kg's own bulk path (timed)."""
        return timed_run(
            [sys.executable, __file__, "--load-e2kg", str(work / "e2kg-store"), str(data)],
            env=e2kg_environment(connections),
        )

    found = [
        Server(
            "e2kg",
            "/sparql",
            prepare=load_e2kg_store,
            command=lambda _data, work, port: [
                str(BIN / "e2kg"),
                "serve",
                "--no-load",
                "--store",
                str(work / "e2kg-store"),
                "--host",
                HOST,
                "--port",
                str(port),
            ],
            env=e2kg_environment(connections),
        ),
        Server(
            "e2kg-inprocess",
            "/sparql",
            prepare=load_e2kg_store,
            command=lambda _data, _work, port: gunicorn_command(
                port, "e2kg.web.app:create_app({'E2KG_QUERY_WORKERS': 0})"
            ),
            # gunicorn started directly: the allocator `e2kg serve` would preload (e2kg.allocator)
            env={
                **e2kg_environment(connections),
                **preload_environment(e2kg_environment(connections)),
                "E2KG_STORE": "{work}/e2kg-store",
            },
        ),
        Server(
            "flask-pyoxigraph",
            "/sparql",
            prepare=lambda data, work: timed_run(
                [sys.executable, str(BARE_APP), "--load", str(work / "bare-store"), str(data)]
            ),
            command=lambda _data, work, port: gunicorn_command(
                port,
                f"bare_app:create_app({str(work / 'bare-store')!r})",
                "--pythonpath",
                str(ROOT / "bench"),
            ),
        ),
        Server(
            "oxigraph-disk",
            "/query",
            prepare=lambda data, work: timed_run(
                [str(BIN / "oxigraph"), "load", "--location", str(work / "ox"), "--file", str(data)]
            ),
            command=lambda _data, work, port: [
                str(BIN / "oxigraph"),
                "serve",
                "--location",
                str(work / "ox"),
                "--bind",
                f"{HOST}:{port}",
                "--union-default-graph",
            ],
        ),
        Server(
            "oxigraph-memory",
            "/query",
            prepare=None,
            command=lambda _data, _work, port: [
                str(BIN / "oxigraph"),
                "serve",
                "--bind",
                f"{HOST}:{port}",
                "--union-default-graph",
            ],
            after_start=post_file,
        ),
        Server(
            "rdflib-endpoint-oxigraph",
            "/",
            prepare=None,
            command=lambda data, _work, port: [
                endpoint,
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--store",
                "Oxigraph",
                str(data),
            ],
        ),
    ]
    if include_rdflib:
        found.append(
            Server(
                "rdflib-endpoint-rdflib",
                "/",
                prepare=None,
                command=lambda data, _work, port: [
                    endpoint,
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                    str(data),
                ],
            )
        )
    return found


def load_e2kg(store_dir: str, data: str) -> None:
    """The e2kg load step (run in its own process so its time and peak memory are its own)."""
    from rdflib import URIRef

    from e2kg.store import open_store

    with open_store(store_dir) as store:
        store.load(
            Path(data),
            media_type="application/n-quads",
            graph=URIRef("https://w3id.org/e2kg/source/graph/benchmark-default.nq"),
        )


def e2kg_extras(names: generator.Names) -> dict[str, Callable[[int], Request]]:
    """Requests only e2kg answers: questions, resource pages, search, validation of an entry."""
    from e2kg.questions import default_catalogue

    extras: dict[str, Callable[[int], Request]] = {}
    questions: dict[str, Callable[[int], Request]] = {}
    study = names.studies[0].rsplit("/", 1)[1]
    generated = {  # the examples name resources of graph/; these are their generated counterparts
        "https://w3id.org/e2kg/id/study/": study,
        "https://w3id.org/e2kg/id/": "organization/gen-company-00000",
    }
    for question in default_catalogue():
        resources = [p for p in question.parameters if p.type == "resource"]
        if any(p.base not in generated for p in resources):
            continue  # about a resource kind the generator does not make (the barcamp session)
        values = {
            p.name: generated.get(p.base or "", p.example)
            for p in question.parameters
            if p.required and p.example
        }
        url = f"/questions/{question.id}?{urlencode({**values, 'format': 'json'})}"
        questions[f"question {question.id}"] = lambda _n, url=url: ("GET", url, None, {})
    studies = [study.rsplit("/", 1)[1] for study in names.studies]
    extras["resource page /id/study/…"] = lambda n: (
        "GET", f"/id/study/{quote(studies[n * 7919 % len(studies)])}", None, {"Accept": "text/html"},
    )  # fmt: skip
    extras["search ?q=Personalabteilung"] = lambda _n: (
        "GET", "/search?q=Personalabteilung", None, {"Accept": "text/html"},
    )  # fmt: skip
    article = names.studies[0].replace("/id/study/", "/id/article/")
    entry = generator.new_entry(article).encode("utf-8")
    extras["POST /validate (new study, ~70 triples)"] = lambda _n: (
        "POST", "/validate", entry, {"Content-Type": "text/turtle", "Accept": "application/json"},
    )  # fmt: skip
    return {**extras, **questions}  # questions last: a runaway one keeps running server-side


def versions() -> dict[str, str]:
    """Versions of every server and of the machine."""

    def run(command: list[str]) -> str:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            return subprocess.run(
                command, capture_output=True, text=True, timeout=30
            ).stdout.strip()
        return "?"

    def packages(python: Path, names: tuple[str, ...]) -> str:
        script = (
            "import importlib.metadata as m, sys;"
            "print(' '.join(f'{p} {m.version(p)}' for p in sys.argv[1:]))"
        )
        return run([str(python), "-c", script, *names])

    own = packages(Path(sys.executable), ("e2kg", "flask", "gunicorn", "pyoxigraph", "rdflib"))
    endpoint = packages(
        ENDPOINT_VENV / "bin" / "python",
        ("rdflib-endpoint", "rdflib", "oxrdflib", "pyoxigraph", "fastapi", "uvicorn"),
    )
    return {
        "e2kg stack": own,
        "oxigraph": run([str(BIN / "oxigraph"), "--version"]),
        "rdflib-endpoint stack": endpoint,
        "python": platform.python_version(),
        "cores": str(os.cpu_count()),
        "machine": f"{platform.system()} {platform.machine()}",
        "memory": run(["sh", "-c", "grep MemTotal /proc/meminfo"]),
    }


def run_size(triples: int, options: argparse.Namespace) -> dict[str, Any]:
    data = ROOT / "bench" / "data" / f"{triples}-{options.seed}.nq"
    names = generator.generate(data, triples, options.seed)
    queries = {path.stem: path.read_text() for path in sorted(QUERIES.glob("*.rq"))}
    report: dict[str, Any] = {
        "size": triples,
        "quads": names.triples,
        "file": str(data.relative_to(ROOT)),
        "seconds": options.seconds,
        "extra_seconds": options.extra_seconds,
        "connections": options.connections,
        "versions": versions(),
        "servers": {},
    }
    print(f"\n== {names.triples} quads ({data.name}), {options.connections} connections, "
          f"{options.seconds:g} s per query, {os.cpu_count()} cores ==", flush=True)  # fmt: skip
    available = servers(triples <= options.rdflib_max, options.connections)
    chosen = [s for s in available if s.name in options.servers]
    report["skipped"] = {}
    if triples > options.rdflib_max:
        report["skipped"]["rdflib-endpoint-rdflib"] = (
            f"plain rdflib load above {options.rdflib_max} triples"
        )
    with contextlib.ExitStack() as stack:
        running: dict[str, tuple[Server, int, dict[str, Any]]] = {}
        for server in chosen:  # loaded one after the other, each alone on the machine
            folder = stack.enter_context(
                tempfile.TemporaryDirectory(prefix=f"bench-{server.name}-")
            )
            port = free_port()
            print(f"{server.name}: loading …", end=" ", flush=True)
            figures = stack.enter_context(serving(server, data, Path(folder), port))
            print(f"{figures['load_seconds']:.1f} s", flush=True)
            running[server.name] = (server, port, figures)
            report["servers"][server.name] = {"queries": {}}
        # Each query is measured on every server in turn, so a server's figure and e2kg's are
        # minutes apart at most: on a shared machine the background load drifts.
        for name, query in queries.items():
            resources = names.findings if name == "lookup" else None
            for server, port, _figures in running.values():
                measured = drive(
                    port,
                    sparql_request(server.query_path, query, resources),
                    seconds=options.seconds,
                    connections=options.connections,
                    timeout=options.timeout,
                    check=has_rows,
                )
                report["servers"][server.name]["queries"][name] = measured.summary()
                print(
                    f"  {name:<20}{server.name:<28}{measured.per_second:>10.1f} req/s", flush=True
                )
        if "e2kg" in running:
            _server, port, _figures = running["e2kg"]
            for name, make in e2kg_extras(names).items():
                if name in options.skip or name.removeprefix("question ") in options.skip:
                    report["skipped"][name] = "--skip"
                    continue
                warm_up(port, make, timeout=options.timeout)  # e.g. /validate builds its context
                measured = drive(
                    port,
                    make,
                    seconds=options.extra_seconds,
                    connections=options.connections,
                    timeout=options.timeout,
                )
                report["servers"]["e2kg"]["queries"][name] = measured.summary()
                print(f"  {name:<48}{measured.per_second:>10.1f} req/s", flush=True)
            # Cold: the first request after a write, after every warm row (a write starts the
            # search index rebuild and the answer warming, which would weigh on warm rows).
            report["e2kg_first_after_write_ms"] = cold = {}
            for number, (name, make) in enumerate(e2kg_extras(names).items(), start=1):
                if name in report["skipped"]:
                    continue
                figure = first_after_write(port, make, number, timeout=options.timeout)
                cold[name] = round(figure, 1) if isinstance(figure, float) else figure
                print(f"  cold {name:<43}{cold[name]!s:>10} ms", flush=True)
        for server_name, (_server, _port, figures) in running.items():
            figures["peak_mib"] = peak_memory_mib(figures["pid"])
            report["servers"][server_name].update(
                {k: round(v, 2) for k, v in figures.items() if k != "pid"}
            )
    return report


def ratio(ours: dict[str, Any] | None, theirs: dict[str, Any] | None) -> str:
    if not ours or not theirs or not theirs["per_second"] or ours["errors"] or theirs["errors"]:
        return "-"
    return f"{ours['per_second'] / theirs['per_second']:.2f}"


def table(report: dict[str, Any]) -> str:
    """One Markdown table: per query and server req/s, p50, p99 and e2kg's req/s over the server's."""
    servers_ = report["servers"]
    ours = servers_.get("e2kg", {}).get("queries", {})
    lines = [
        f"{report['quads']} quads, {report['connections']} connections, "
        f"{report['seconds']:g} s per query ({report['extra_seconds']:g} s for e2kg-only rows), "
        f"{report['versions']['cores']} cores",
        "",
        "| query | server | req/s | p50 ms | p99 ms | e2kg / server |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    names = list(dict.fromkeys(q for entry in servers_.values() for q in entry["queries"]))
    for query in names:
        for server, entry in servers_.items():
            figures = entry["queries"].get(query)
            if figures is None:
                continue
            if figures["errors"] and not figures["requests"]:
                cells = f"failed: {figures['first_error'][:60]} | | "
            else:
                flag = " (1 request)" if figures["single_request"] else ""
                errors = f" ({figures['errors']} errors)" if figures["errors"] else ""
                cells = (
                    f"{figures['per_second']:.1f}{flag}{errors} | {figures['p50_ms']:.1f} | "
                    f"{figures['p99_ms']:.1f}"
                )
            share = "" if server == "e2kg" else ratio(ours.get(query), figures)
            lines.append(f"| {query} | {server} | {cells} | {share} |")
    lines += ["", "| server | load s | peak RSS MiB (server) | load step peak MiB | COUNT(*) |",
              "| --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for server, entry in servers_.items():
        count = entry["queries"].get("count", {}).get("first_answer") or ""
        number = count.split('"value"')[-1].split('"')[1] if '"value"' in count else "?"
        lines.append(
            f"| {server} | {entry.get('load_seconds', float('nan')):.1f} | "
            f"{entry.get('peak_mib', float('nan')):.0f} | {entry.get('load_step_peak_mib', '-')} | {number} |"
        )
    cold = report.get("e2kg_first_after_write_ms", {})
    if cold:
        lines += ["", "e2kg, first request right after a write (nothing cached, no warming yet):", "",
                  "| request | ms |", "| --- | ---: |"]  # fmt: skip
        lines += [f"| {name} | {figure} |" for name, figure in cold.items()]
    skipped = report.get("skipped", {})
    if skipped:
        lines += ["", "Skipped: " + "; ".join(f"{name} ({why})" for name, why in skipped.items())]
    return "\n".join(lines)


def stop(signum: int, _frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=5.0, help="per query and server")
    parser.add_argument("--extra-seconds", type=float, default=3.0, help="per e2kg-only request")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=300.0, help="per request")
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument(
        "--rdflib-max", type=int, default=200_000, help="largest size for plain rdflib"
    )
    parser.add_argument(
        "--servers",
        nargs="+",
        default=["e2kg", "e2kg-inprocess", "flask-pyoxigraph", "oxigraph-disk", "oxigraph-memory",
                 "rdflib-endpoint-oxigraph", "rdflib-endpoint-rdflib"],
    )  # fmt: skip
    parser.add_argument("--skip", nargs="*", default=[], help="e2kg-only rows to leave out")
    parser.add_argument("--load-e2kg", nargs=2, metavar=("STORE", "FILE"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, stop)  # so that the servers started are stopped too
    if options.load_e2kg:
        load_e2kg(*options.load_e2kg)
        return 0
    if not (ENDPOINT_VENV / "bin" / "rdflib-endpoint").exists():
        raise SystemExit(f"{ENDPOINT_VENV} is missing: run `make bench` (it creates it)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for triples in options.sizes:
        report = run_size(triples, options)
        output = RESULTS / f"{stamp}-{triples}.json"
        output.write_text(json.dumps(report, indent=2) + "\n")
        print()
        print(table(report))
        print(f"\nraw figures: {output.relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
