"""Overload against ``e2kg serve`` (gunicorn, embedded Oxigraph, query workers, short limits): a
thousand concurrent slow queries are each answered 200, 503 or 429 (never another status, never a
hang) while /healthz and simple queries keep being answered, and the process tree stays under
MEMORY_BOUND; a burst of writes interleaved with reads: every read answered and sees the write
made before it.

The flood is raw sockets on one selector (a thousand client threads would starve the two cores);
each socket sends one query with ``Connection: close`` and a new one is opened when it is answered,
so FLOOD concurrent queries are in flight for FLOOD_SECONDS.
"""

from __future__ import annotations

import selectors
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import requests

from conftest import AUTH, ServeProcess, serve_copy

TIMEOUT_SECONDS = 3
SHORT_QUERY_SECONDS = 0.5
MAX_QUERIES = 3
QUERY_QUEUE = 8
CLIENT_QUERIES = 4
MEMORY_BOUND = 2 * 1024**3
"""Resident memory of gunicorn, its worker, the forkserver and the query workers (docs/security.md)."""
FLOOD = 1000
FLOOD_SECONDS = 15
HANG_SECONDS = 60
"""A flood request not answered this long after the flood ended counts as a hang."""
SIMPLE = "SELECT ?s WHERE { ?s a <http://schema.org/Report> }"
CODES = ("overloaded", "too-many-queries", "query-timeout")
SIMPLE_ANSWER = ["https://w3id.org/e2kg/id/study/example-2012"]


def slow_query(index: int) -> str:
    """A runaway cross product, its text different for every index (no cache can help)."""
    return (
        "SELECT (COUNT(*) AS ?n) WHERE "
        f"{{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?p{index} }}"
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """``e2kg serve`` with a 3 s timeout, 3 query workers (one for short queries), 8 waiting."""
    with serve_copy(
        tmp_path_factory.mktemp("overload"),
        environment={
            "E2KG_QUERY_TIMEOUT": str(TIMEOUT_SECONDS),
            "E2KG_SHORT_QUERY_TIME": str(SHORT_QUERY_SECONDS),
            "E2KG_MAX_QUERIES": str(MAX_QUERIES),
            "E2KG_QUERY_QUEUE": str(QUERY_QUEUE),
            "E2KG_CLIENT_QUERIES": str(CLIENT_QUERIES),
        },
    ) as running:
        yield running


def ask(server: ServeProcess, query: str, agent: str = "simple-client") -> requests.Response:
    return requests.post(
        server.url + "/sparql",
        data=query.encode("utf-8"),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
            "User-Agent": agent,
        },
        timeout=60,
    )


@dataclass
class FloodOutcome:
    """Statuses of the flood's requests, the Retry-After seen on refusals, requests left open."""

    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    refusals_without_retry_after: int = 0
    unanswered: int = 0


def flood(server: ServeProcess, agent: Callable[[int], str], stop: threading.Event) -> FloodOutcome:
    """Keep FLOOD slow queries in flight until ``stop``; then collect every answer (bounded)."""
    address = urlsplit(server.url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    outcome = FloodOutcome()
    selector = selectors.DefaultSelector()
    opened = 0

    def open_one() -> None:
        nonlocal opened
        body = slow_query(opened).encode()
        request = (
            f"POST /sparql HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
            f"User-Agent: {agent(opened)}\r\nAccept: application/sparql-results+json\r\n"
            f"Content-Type: application/sparql-query\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        opened += 1
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex((host, port))
        selector.register(sock, selectors.EVENT_WRITE, [request, bytearray()])

    def finish(sock: socket.socket, received: bytes) -> None:
        selector.unregister(sock)
        sock.close()
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        outcome.statuses[status] += 1
        refused = b'"overloaded"' in body or b'"too-many-queries"' in body
        outcome.codes[next((c for c in CODES if f'"{c}"'.encode() in body), str(status))] += 1
        if refused and not any(line.lower().startswith("retry-after:") for line in lines[1:]):
            outcome.refusals_without_retry_after += 1

    for _ in range(FLOOD):
        open_one()
    give_up = float("inf")
    while selector.get_map():
        if stop.is_set() and give_up == float("inf"):
            give_up = time.monotonic() + HANG_SECONDS
        if time.monotonic() > give_up:
            break
        for key, events in selector.select(timeout=0.5):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            request, received = key.data
            try:
                if events & selectors.EVENT_WRITE:
                    sent = sock.send(request)
                    if sent < len(request):
                        key.data[0] = request[sent:]
                        continue
                    selector.modify(sock, selectors.EVENT_READ, [b"", received])
                    continue
                chunk = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""  # reset: recorded as status 0 unless a status line came
            if chunk:
                received.extend(chunk)
                continue
            finish(sock, bytes(received))
            if not stop.is_set():
                open_one()
    outcome.unanswered = len(selector.get_map())
    for key in list(selector.get_map().values()):
        assert isinstance(key.fileobj, socket.socket)
        key.fileobj.close()
    selector.close()
    return outcome


@dataclass
class Probe:
    """/healthz and a simple query, asked in a loop during the flood."""

    health: list[tuple[int, float]] = field(default_factory=list)
    simple: list[tuple[int, float]] = field(default_factory=list)
    wrong_answers: int = 0
    peak_rss: int = 0


def probe(server: ServeProcess, stop: threading.Event, into: Probe) -> None:
    while not stop.is_set():
        into.peak_rss = max(into.peak_rss, server.rss_bytes())
        started = time.monotonic()
        try:
            status = requests.get(server.url + "/healthz", timeout=60).status_code
        except requests.RequestException:
            status = 0
        into.health.append((status, time.monotonic() - started))
        started = time.monotonic()
        try:
            answer = ask(server, SIMPLE)
            status = answer.status_code
            if status == 200:
                rows = answer.json()["results"]["bindings"]
                into.wrong_answers += [row["s"]["value"] for row in rows] != SIMPLE_ANSWER
        except requests.RequestException:
            status = 0
        into.simple.append((status, time.monotonic() - started))
        time.sleep(0.2)


def run_flood(
    server: ServeProcess, agent: Callable[[int], str]
) -> tuple[FloodOutcome, Probe, float]:
    stop = threading.Event()
    probed = Probe(peak_rss=server.rss_bytes())
    watcher = threading.Thread(target=probe, args=(server, stop, probed))
    result: list[FloodOutcome] = []
    flooder = threading.Thread(target=lambda: result.append(flood(server, agent, stop)))
    started = time.monotonic()
    flooder.start()
    time.sleep(2)  # the flood is in full swing before the first probe
    watcher.start()
    time.sleep(FLOOD_SECONDS)
    stop.set()
    watcher.join(timeout=HANG_SECONDS + 60)
    flooder.join(timeout=HANG_SECONDS + 60)
    assert not flooder.is_alive() and not watcher.is_alive()
    return result[0], probed, time.monotonic() - started


def report(name: str, outcome: FloodOutcome, probed: Probe, seconds: float) -> None:
    health_times = [t for _, t in probed.health]
    simple_times = [t for _, t in probed.simple]
    print(
        f"\n{name}: {sum(outcome.statuses.values())} slow queries in {seconds:.0f} s "
        f"({FLOOD} in flight): {dict(sorted(outcome.statuses.items()))} "
        f"{dict(sorted(outcome.codes.items()))}, "
        f"unanswered {outcome.unanswered}; /healthz {Counter(s for s, _ in probed.health)} "
        f"median {statistics.median(health_times):.3f} s max {max(health_times):.2f} s; "
        f"simple query {Counter(s for s, _ in probed.simple)} "
        f"median {statistics.median(simple_times):.3f} s max {max(simple_times):.2f} s; "
        f"peak RSS {probed.peak_rss / 1024**2:.0f} MiB"
    )


@pytest.mark.timeout(240)
def test_a_thousand_slow_queries_from_one_client(server: ServeProcess) -> None:
    """One client (one address, one User-Agent) floods: it keeps CLIENT_QUERIES places and gets
    429 for the rest; other clients' simple queries and /healthz are all answered 200."""
    outcome, probed, seconds = run_flood(server, lambda _: "flooding-client")
    report("one client", outcome, probed, seconds)
    assert outcome.unanswered == 0
    assert set(outcome.statuses) <= {200, 503, 429}, outcome.statuses
    assert outcome.statuses[429] > 0
    assert outcome.refusals_without_retry_after == 0
    assert probed.health and {s for s, _ in probed.health} == {200}, probed.health
    assert probed.simple and {s for s, _ in probed.simple} == {200}, probed.simple
    assert probed.wrong_answers == 0
    assert probed.peak_rss < MEMORY_BOUND
    assert ask(server, SIMPLE).status_code == 200


@pytest.mark.timeout(240)
def test_a_thousand_slow_queries_from_a_thousand_clients(server: ServeProcess) -> None:
    """A thousand clients each send a variant of a slow query: the limits refuse what does not
    fit (503 with Retry-After); the variants share a shape that ran long, so they wait for a long
    slot and leave the short-query worker free: /healthz and a simple query are answered 200."""
    outcome, probed, seconds = run_flood(server, lambda index: f"client-{index % FLOOD}")
    report("a thousand clients", outcome, probed, seconds)
    assert outcome.unanswered == 0
    assert set(outcome.statuses) <= {200, 503, 429}, outcome.statuses
    assert outcome.refusals_without_retry_after == 0
    assert probed.health and {s for s, _ in probed.health} == {200}, probed.health
    assert probed.simple and {s for s, _ in probed.simple} == {200}, probed.simple
    assert probed.wrong_answers == 0
    assert probed.peak_rss < MEMORY_BOUND
    assert ask(server, SIMPLE).status_code == 200


@pytest.mark.timeout(60)
def test_a_refusal_names_the_limit_and_says_when_to_retry(server: ServeProcess) -> None:
    """CLIENT_QUERIES slow queries of one client hold its places; the next one is 429 at once."""
    agent = "greedy-client"
    results: list[requests.Response] = []

    def slow(index: int) -> None:
        results.append(ask(server, slow_query(10_000 + index), agent=agent))

    threads = [threading.Thread(target=slow, args=(i,)) for i in range(CLIENT_QUERIES)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # until the four hold their places (running or waiting)
        queries = requests.get(server.url + "/healthz", timeout=30).json()["queries"]
        if queries["running"] + queries["waiting"] >= CLIENT_QUERIES:
            break
        time.sleep(0.02)
    refused = ask(server, SIMPLE, agent=agent)
    for thread in threads:
        thread.join(timeout=TIMEOUT_SECONDS * 4 + 10)
    assert refused.status_code == 429, refused.text
    body = refused.json()
    assert body["error"] == "too-many-queries"
    assert "E2KG_CLIENT_QUERIES" in body["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert {r.status_code for r in results} <= {503}, [r.text for r in results]
    assert ask(server, SIMPLE, agent=agent).status_code == 200  # its places are free again


@pytest.mark.timeout(180)
def test_a_burst_of_writes_does_not_starve_readers(server: ServeProcess) -> None:
    """WRITES updates back to back while readers query: every read is answered 200, and a read
    sent after a write returned sees that write (read-your-writes through the service)."""
    writes = 100
    written: list[int] = []
    reads: list[tuple[int, float]] = []
    stale: list[int] = []
    done = threading.Event()

    def writer() -> None:
        for index in range(writes):
            update = (
                f"INSERT DATA {{ GRAPH <urn:overload:g{index}> "
                f"{{ <urn:overload:s> <urn:overload:p> {index} }} }}"
            )
            answer = requests.post(
                server.url + "/sparql", data={"update": update}, headers=AUTH, timeout=60
            )
            assert answer.status_code == 204, answer.text
            written.append(index)
        done.set()

    def reader(agent: str) -> None:
        while not done.is_set():
            last = written[-1] if written else -1
            started = time.monotonic()
            answer = ask(
                server,
                f"ASK {{ GRAPH ?g {{ <urn:overload:s> <urn:overload:p> {max(last, 0)} }} }}",
                agent=agent,
            )
            reads.append((answer.status_code, time.monotonic() - started))
            if answer.status_code == 200 and last >= 0 and answer.json()["boolean"] is not True:
                stale.append(last)

    assert ask(server, SIMPLE).status_code == 200  # the workers are up
    readers = [threading.Thread(target=reader, args=(f"reader-{i}",)) for i in range(3)]
    for thread in readers:
        thread.start()
    writer()
    for thread in readers:
        thread.join(timeout=60)
    times = [t for _, t in reads]
    print(
        f"\n{writes} writes, {len(reads)} reads meanwhile: {Counter(s for s, _ in reads)}, "
        f"median {statistics.median(times):.3f} s, max {max(times):.2f} s"
    )
    assert len(written) == writes
    assert reads and {s for s, _ in reads} == {200}, Counter(s for s, _ in reads)
    assert stale == []
