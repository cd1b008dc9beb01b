"""Helpers the test modules import by name (conftest.py is not importable unambiguously)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from e2kg.store import Store

DATA = Path(__file__).resolve().parent / "data"
PROJECT = DATA / "project"
ENTRIES = DATA / "entries"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    """A running web application: its base URL and the store behind it."""

    url: str
    store: Store


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` served over real HTTP by a threaded Werkzeug server on 127.0.0.1; yields its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
