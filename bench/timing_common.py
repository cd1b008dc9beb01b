"""What bench/questions_timing.py and bench/page_timing.py share: picking a sample resource,
one timed GET through the Flask test client, the cold and warm medians of a URL, and waiting for
the search index the app builds in the background.

It imports only what e2kg has had since before the answer warming and the page sections, so both
scripts can still measure an older e2kg (its ``src`` on ``PYTHONPATH``) beside the current one.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from e2kg.resources.version import note_write
from e2kg.store import Store

ID = "https://w3id.org/e2kg/id/"
SCHEMA = "http://schema.org/"

FIRST_OF_KIND = """
SELECT ?resource WHERE {{ ?resource a <{cls}> FILTER STRSTARTS(STR(?resource), "{prefix}") }}
ORDER BY ?resource LIMIT 1
"""
"""Only for picking a sample resource in these benchmarks (not part of the service)."""


def sample(store: Store, cls: str, prefix: str) -> str | None:
    """The path below /id/ of the first resource of ``cls`` whose IRI starts with ``prefix``."""
    rows = store.select(FIRST_OF_KIND.format(cls=cls, prefix=prefix)).rows
    return str(rows[0]["resource"])[len(ID) :] if rows else None


def wait_for_index(index: Any) -> float:
    """Seconds until no background build of the search index runs (an e2kg from before the
    background build has no ``start_refresh``: nothing to wait for)."""
    started = time.perf_counter()
    start_refresh: Callable[[], Any] | None = getattr(index, "start_refresh", None)
    builder = start_refresh() if start_refresh else None
    while builder is not None and start_refresh is not None:
        builder.join()
        builder = start_refresh()
    return time.perf_counter() - started


def timed(client: FlaskClient, url: str) -> tuple[float, int]:
    """Seconds and response bytes of one GET (HTML for pages and search)."""
    started = time.perf_counter()
    response = client.get(url, headers={"Accept": "text/html"})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return elapsed, len(response.get_data())


def cold_and_warm(client: FlaskClient, served: Store, url: str, repeat: int) -> dict[str, float]:
    """Median ms of ``repeat`` GETs each right after ``note_write`` on ``served`` (cold: nothing
    cached) and of ``repeat`` GETs with no write between (warm), and the response's bytes."""
    cold, warm, size = [], [], 0
    for _ in range(repeat):
        note_write(served)
        seconds, size = timed(client, url)
        cold.append(seconds)
    for _ in range(repeat):
        warm.append(timed(client, url)[0])
    return {
        "cold_ms": statistics.median(cold) * 1000,
        "warm_ms": statistics.median(warm) * 1000,
        "bytes": size,
    }
