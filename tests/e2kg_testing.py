"""Helpers the test modules import by name (conftest.py is not importable unambiguously)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

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
