"""Store backends behind one interface, chosen by location (see ``open_store``).

The registry maps a backend name to ``module:Class`` and imports the module only when the backend is
used, like rdflib's plugin registry, so a memory store never imports SPARQLWrapper.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from e2kg.errors import ConfigError
from e2kg.store.base import Dataset, QueryForm, RawResult, SelectResult, Store

BACKENDS: dict[str, str] = {
    "memory": "e2kg.store.memory:MemoryStore",
    "oxigraph": "e2kg.store.oxigraph:OxigraphStore",
    "remote": "e2kg.store.remote:RemoteStore",
}
"""Backend name -> ``module:Class``."""

__all__ = [
    "BACKENDS",
    "Dataset",
    "QueryForm",
    "RawResult",
    "SelectResult",
    "Store",
    "backend_class",
    "backend_name",
    "open_store",
]


def backend_name(location: str) -> str:
    """The backend serving ``location``: ``memory``, ``remote`` (an http(s) URL) or ``oxigraph``."""
    if location == "memory":
        return "memory"
    if location.startswith(("http://", "https://")):
        return "remote"
    if "://" in location:
        raise ConfigError(
            f"store location {location!r}: expected a directory, 'memory' or an http(s) URL"
        )
    return "oxigraph"


def backend_class(name: str) -> type[Store]:
    """The Store class registered as ``name`` (imported on first use)."""
    try:
        module_name, class_name = BACKENDS[name].split(":")
    except KeyError:
        raise ConfigError(f"unknown store backend {name!r}; known: {', '.join(BACKENDS)}") from None
    cls: type[Store] = getattr(importlib.import_module(module_name), class_name)
    return cls


def open_store(
    location: str,
    *,
    update_url: str | None = None,
    username: str | None = None,
    password: str | None = None,
    bearer_token: str | None = None,
    timeout: float = 30.0,
) -> Store:
    """Open the store at ``location``: a directory (embedded Oxigraph), ``memory`` or a URL.

    ``update_url``, the credentials and ``timeout`` apply to a remote store; ``timeout`` also bounds
    queries on the embedded store where the engine allows it.
    """
    name = backend_name(location)
    cls = backend_class(name)
    if name == "memory":
        return cls()
    if name == "remote":
        return cls(  # type: ignore[call-arg]
            location,
            update_url=update_url,
            username=username,
            password=password,
            bearer_token=bearer_token,
            timeout=timeout,
        )
    return cls(Path(location), timeout=timeout)  # type: ignore[call-arg]
