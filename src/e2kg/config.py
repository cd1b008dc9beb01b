"""Typed settings of e2kg, read once from the environment and checked at start-up.

A wrong value fails fast with a ConfigError that names the variable, never later at request time.
Command-line flags override the environment through ``Settings.with_overrides``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from e2kg.errors import ConfigError

DEFAULT_BASE_IRI = "https://w3id.org/e2kg/"
DEFAULT_STORE = "var/store"
DEFAULT_MAX_BODY = 5 * 1024 * 1024
DEFAULT_MAX_QUERIES = max(2, os.cpu_count() or 2) + 1
"""One query worker per core (at least two) plus the one kept for short queries."""
DEFAULT_QUERY_QUEUE = 8
DEFAULT_SHORT_QUERY_TIME = 1.0
DEFAULT_CLIENT_QUERIES = 4


@dataclass(frozen=True)
class Settings:
    """Everything configurable about e2kg; see the settings table in the README."""

    store: str = DEFAULT_STORE
    """A directory (embedded Oxigraph), ``memory``, or the http(s) URL of a query endpoint."""
    update_url: str | None = None
    base_iri: str = DEFAULT_BASE_IRI
    host: str = "127.0.0.1"
    port: int = 8000
    update_token: str | None = None
    query_timeout: float = 30.0
    max_body: int = DEFAULT_MAX_BODY
    source_dir: Path = Path(".")
    """The project root holding ontology/, shapes/ and graph/."""
    remote_allow: tuple[str, ...] = ()
    """IRI prefixes SPARQL ``SERVICE`` and ``LOAD`` may reach (``*`` = any); empty = both off."""
    max_queries: int = DEFAULT_MAX_QUERIES
    """SPARQL queries running at once (query worker processes); one is kept for short queries."""
    query_queue: int = DEFAULT_QUERY_QUEUE
    """Queries that may wait for a free worker; beyond it a query is refused at once (503)."""
    short_query_time: float = DEFAULT_SHORT_QUERY_TIME
    """Seconds a query may run before it needs one of the ``max_queries - 1`` long-query slots."""
    client_queries: int = DEFAULT_CLIENT_QUERIES
    """Queries one client (address and User-Agent) may have running or waiting (429 beyond)."""
    warm_answers: bool = True
    """Compute the ready-made questions' default answers in the background after start and writes."""

    def __post_init__(self) -> None:
        _check_settings(self)

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``E2KG_*`` variables (``os.environ`` unless given), defaults elsewhere."""
        env = os.environ if environment is None else environment

        def text(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() else None

        source_dir = Path(text("E2KG_SOURCE_DIR") or ".").resolve()
        store = text("E2KG_STORE") or DEFAULT_STORE
        return cls(
            store=resolve_store_location(store, source_dir),
            update_url=text("E2KG_UPDATE_URL"),
            base_iri=text("E2KG_BASE_IRI") or DEFAULT_BASE_IRI,
            host=text("E2KG_HOST") or "127.0.0.1",
            port=_parse_int("E2KG_PORT", text("E2KG_PORT"), 8000),
            update_token=text("E2KG_UPDATE_TOKEN"),
            query_timeout=_parse_float("E2KG_QUERY_TIMEOUT", text("E2KG_QUERY_TIMEOUT"), 30.0),
            max_body=_parse_size("E2KG_MAX_BODY", text("E2KG_MAX_BODY"), DEFAULT_MAX_BODY),
            source_dir=source_dir,
            remote_allow=tuple((text("E2KG_REMOTE_ALLOW") or "").replace(",", " ").split()),
            max_queries=_parse_int(
                "E2KG_MAX_QUERIES", text("E2KG_MAX_QUERIES"), DEFAULT_MAX_QUERIES
            ),
            query_queue=_parse_int(
                "E2KG_QUERY_QUEUE", text("E2KG_QUERY_QUEUE"), DEFAULT_QUERY_QUEUE
            ),
            short_query_time=_parse_float(
                "E2KG_SHORT_QUERY_TIME", text("E2KG_SHORT_QUERY_TIME"), DEFAULT_SHORT_QUERY_TIME
            ),
            client_queries=_parse_int(
                "E2KG_CLIENT_QUERIES", text("E2KG_CLIENT_QUERIES"), DEFAULT_CLIENT_QUERIES
            ),
            warm_answers=_parse_switch("E2KG_WARM_ANSWERS", text("E2KG_WARM_ANSWERS"), True),
        )

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced (``None`` values are ignored); checked again."""
        given = {name: value for name, value in changes.items() if value is not None}
        if "store" in given:
            source_dir = Path(str(given.get("source_dir", self.source_dir)))
            given["store"] = resolve_store_location(str(given["store"]), source_dir)
        return dataclasses.replace(self, **given)  # type: ignore[arg-type]

    @property
    def store_is_embedded(self) -> bool:
        """Whether the store is an Oxigraph directory on this machine."""
        return self.store != "memory" and not is_url(self.store)


def is_url(location: str) -> bool:
    """Whether a store location names a remote endpoint."""
    return location.startswith(("http://", "https://"))


def resolve_store_location(location: str, source_dir: Path) -> str:
    """A store directory relative to the project root; ``memory`` and URLs unchanged."""
    if location == "memory" or is_url(location):
        return location
    path = Path(location).expanduser()
    return str(path if path.is_absolute() else (source_dir / path).resolve())


def _parse_int(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def _parse_float(name: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {value!r}") from None


_SWITCHES = {"1": True, "on": True, "true": True, "yes": True}
_SWITCHES |= {"0": False, "off": False, "false": False, "no": False}


def _parse_switch(name: str, value: str | None, default: bool) -> bool:
    """On or off: ``1``/``on``/``true``/``yes`` or ``0``/``off``/``false``/``no``."""
    if value is None:
        return default
    try:
        return _SWITCHES[value.lower()]
    except KeyError:
        raise ConfigError(f"{name} must be 1 or 0 (on or off), not {value!r}") from None


_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3}


def _parse_size(name: str, value: str | None, default: int) -> int:
    """A byte count, optionally with a unit: ``5242880``, ``512k``, ``5MB``."""
    if value is None:
        return default
    lowered = value.lower().replace(" ", "")
    number = lowered.rstrip("kmgb")
    unit = lowered[len(number) :]
    try:
        return int(float(number) * _SIZE_UNITS[unit])
    except (ValueError, KeyError):
        raise ConfigError(
            f"{name} must be a size in bytes such as 5242880 or 5MB, not {value!r}"
        ) from None


def _check_settings(settings: Settings) -> None:
    if not 0 < settings.port < 65536:
        raise ConfigError(f"E2KG_PORT must be between 1 and 65535, not {settings.port}")
    if settings.query_timeout <= 0:
        raise ConfigError(f"E2KG_QUERY_TIMEOUT must be positive, not {settings.query_timeout}")
    if settings.max_body <= 0:
        raise ConfigError(f"E2KG_MAX_BODY must be positive, not {settings.max_body}")
    if not is_url(settings.base_iri) or not settings.base_iri.endswith(("/", "#")):
        raise ConfigError(
            f"E2KG_BASE_IRI must be an http(s) IRI ending in / or #, not {settings.base_iri!r}"
        )
    if settings.update_url is not None and not is_url(settings.update_url):
        raise ConfigError(f"E2KG_UPDATE_URL must be an http(s) URL, not {settings.update_url!r}")
    if not settings.store:
        raise ConfigError("E2KG_STORE must not be empty")
    _check_query_limits(settings)


def _check_query_limits(settings: Settings) -> None:
    if not 1 <= settings.max_queries <= 256:
        raise ConfigError(f"E2KG_MAX_QUERIES must be between 1 and 256, not {settings.max_queries}")
    if not 0 <= settings.query_queue <= 10_000:
        raise ConfigError(
            f"E2KG_QUERY_QUEUE must be between 0 and 10000, not {settings.query_queue}"
        )
    if settings.short_query_time <= 0:
        raise ConfigError(
            f"E2KG_SHORT_QUERY_TIME must be positive, not {settings.short_query_time}"
        )
    if settings.client_queries < 1:
        raise ConfigError(f"E2KG_CLIENT_QUERIES must be at least 1, not {settings.client_queries}")
