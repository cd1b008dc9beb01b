"""Fixtures of the hardening tests: a writable service on its own embedded store, a listening
socket that records every connection (proof that nothing reaches the network), the store's
content as a set of N-Quads (proof that nothing was written), and ``e2kg serve`` under gunicorn
as a subprocess for the tests where crashes, kill -9 and concurrency matter.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg_testing import DATA, PROJECT, free_port, serving

TOKEN = "hardening-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_BODY = 256 * 1024
HOSTILE = DATA / "hostile"
E2KG = Path(sys.executable).parent / "e2kg"


@dataclass
class Service:
    """A running service, its store and the token that lets one write."""

    url: str
    store: Store

    def content(self) -> frozenset[str]:
        """Every quad of the store as an N-Quads line (blank nodes as the store labels them)."""
        dump = b"".join(self.store.dump("application/n-quads")).decode("utf-8")
        return frozenset(line for line in dump.splitlines() if line.strip())


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The app on its own store (embedded Oxigraph, rdflib in memory) with the fixture project,
    writes allowed with TOKEN, bodies up to MAX_BODY."""
    location = (
        "memory"
        if request.param == "memory"
        else str(tmp_path_factory.mktemp("hardening") / "store")
    )
    store = open_store(location)
    load_sources(store, PROJECT, manifest=None)
    settings = Settings(store=location, source_dir=PROJECT, update_token=TOKEN, max_body=MAX_BODY)
    app = create_app(
        {"E2KG_SETTINGS": settings, "E2KG_STORE": store, "E2KG_QUERY_WORKERS": 0, "TESTING": True}
    )
    with serving(app) as url:
        yield Service(url=url, store=store)
    store.close()


@dataclass
class Listener:
    """A TCP socket on 127.0.0.1 that accepts and records every connection made to it."""

    port: int
    connections: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A trap: a test asserts that ``connections`` stays empty."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    trap = Listener(port=server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    trap.connections.append(connection.recv(4096) or b"(connected)")
                except OSError:
                    trap.connections.append(b"(connected)")

    thread = threading.Thread(target=accept, name="trap", daemon=True)
    thread.start()
    try:
        yield trap
    finally:
        time.sleep(0.2)  # a late connection would still be recorded
        stop.set()
        thread.join(timeout=5)
        server.close()


def hostile(name: str, **values: object) -> bytes:
    """A file of tests/data/hostile with ``{name}`` placeholders filled in."""
    text = (HOSTILE / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text.encode("utf-8")


def assert_client_error(response: requests.Response, *statuses: int) -> dict[str, object]:
    """``response`` is one of ``statuses`` (any 4xx when none given) with a JSON message."""
    wanted = statuses or tuple(range(400, 500))
    assert response.status_code in wanted, (response.status_code, response.text[:500])
    body = response.json()
    assert isinstance(body, dict)
    assert body.get("message"), body
    return body


@dataclass
class ServeProcess:
    """``e2kg serve`` under gunicorn as a subprocess."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    store: Path

    def rss_bytes(self) -> int:
        """Resident memory of the gunicorn master, its worker and the query workers."""
        total = 0
        for pid in _process_tree(self.process.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        return total


def _process_tree(root: int) -> list[int]:
    found = [root]
    index = 0
    while index < len(found):
        # children of every thread: the query workers are started from a request thread
        for children in Path(f"/proc/{found[index]}/task").glob("*/children"):
            with suppress(OSError):
                found.extend(int(pid) for pid in children.read_text().split())
        index += 1
    return found


def wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once ``/healthz`` answers; fail with the log when the process exits or is slow."""
    deadline = time.monotonic() + 40
    while True:
        if process.poll() is not None:
            raise AssertionError(f"e2kg serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"e2kg serve did not answer within 40 s:\n{log.read_text()}")
        time.sleep(0.1)


@contextmanager
def serve(
    project: Path, store: Path, log: Path, *, environment: dict[str, str] | None = None
) -> Iterator[ServeProcess]:
    """Run ``e2kg serve`` on ``store`` with the token set; SIGTERM at the end (if still alive)."""
    port = free_port()
    env = {
        **os.environ,
        "E2KG_UPDATE_TOKEN": TOKEN,
        "E2KG_SOURCE_DIR": str(project),
        **(environment or {}),
    }
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(E2KG), "serve", "--port", str(port), "--store", str(store)],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = ServeProcess(url=f"http://127.0.0.1:{port}", process=process, log=log, store=store)
    try:
        wait_until_answering(running.url, process, log)
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def serve_copy(
    folder: Path, *, environment: dict[str, str] | None = None
) -> Iterator[ServeProcess]:
    """``serve`` a fresh copy of the project in ``folder`` (its own store and serve.log)."""
    project = folder / "project"
    shutil.copytree(PROJECT, project)
    with serve(project, folder / "store", folder / "serve.log", environment=environment) as running:
        yield running
