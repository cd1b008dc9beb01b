"""Fixtures for the store suite: a store of each backend, and a real ``oxigraph serve`` process."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from e2kg.loading import load_sources
from e2kg.store import Store, open_store
from e2kg_testing import PROJECT

OXIGRAPH_SERVER = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "oxigraph"
BACKENDS = ("memory", "oxigraph", "remote")


@dataclass(frozen=True)
class OxigraphServer:
    """A running ``oxigraph serve``: its base URL and SPARQL endpoints."""

    base: str

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    """Poll ``url`` until the server answers; fail with its output if it exits or takes too long."""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"oxigraph serve exited with {process.returncode}: {output}")
        try:
            requests.get(url, params={"query": "ASK {}"}, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    pytest.fail(f"oxigraph serve did not answer at {url}")


@pytest.fixture
def unused_url() -> str:
    """A SPARQL endpoint URL on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/query"


def run_oxigraph_server(location: Path, *, read_only: bool = False) -> Iterator[OxigraphServer]:
    """Run ``oxigraph serve`` (or ``serve-read-only``) on ``location`` until the generator ends."""
    if not OXIGRAPH_SERVER.exists():
        pytest.fail(f"{OXIGRAPH_SERVER} missing: install the dev extra (pip install -e '.[dev]')")
    port = free_port()
    command = "serve-read-only" if read_only else "serve"
    process = subprocess.Popen(
        [
            str(OXIGRAPH_SERVER),
            command,
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = OxigraphServer(base=f"http://127.0.0.1:{port}")
    try:
        wait_until_up(server.query_url, process, time.monotonic() + 20)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real ``oxigraph serve`` on a free 127.0.0.1 port (union default graph), stopped after."""
    yield from run_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server"))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty, writable store of each backend."""
    backend: str = request.param
    if backend == "memory":
        opened = open_store("memory")
    elif backend == "oxigraph":
        opened = open_store(str(tmp_path / "store"))
    else:
        server: OxigraphServer = request.getfixturevalue("oxigraph_server")
        opened = open_store(server.query_url, update_url=server.update_url, timeout=10)
        opened.update("DROP ALL")
    with opened:
        yield opened


@pytest.fixture
def read_only_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """``oxigraph serve-read-only`` on a directory holding the fixture project's sources."""
    location = tmp_path / "read-only"
    with open_store(str(location)) as store:
        load_sources(store, PROJECT, manifest=None)
    yield from run_oxigraph_server(location, read_only=True)
