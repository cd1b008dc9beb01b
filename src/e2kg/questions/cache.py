"""An in-process cache of whole answers, keyed by question, parameter values as asked and language,
valid for the store's current dataset version (``e2kg.resources.cache.VersionedCache``), bounded in
bytes (256 MiB of estimated cell text by default).

Every write through the service moves the dataset version (``note_write``), so an answer cached
before a write is never served after it. Writes made by other clients directly at a remote store do
not move the version and are not seen (the same limit as ETags).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from e2kg.questions.answering import Answer, Row
from e2kg.resources.cache import CacheStats, VersionedCache, cache_of
from e2kg.store import Store

DEFAULT_BYTES = 256 * 1024 * 1024
"""The default bound of one store's answer cache (estimated; the largest answer at a million
triples, leading-departments with 19,000 rows, is about 20 MiB)."""

__all__ = [
    "DEFAULT_BYTES",
    "AnswerCache",
    "CacheStats",
    "answer_cache",
    "answer_key",
    "answer_size",
    "chart_cache",
]


class AnswerCache:
    """Whole answers of one store, valid for one dataset version at a time."""

    def __init__(
        self,
        store: Store,
        *,
        max_bytes: int = DEFAULT_BYTES,
        shared: VersionedCache[Answer] | None = None,
    ) -> None:
        self._cache = shared or VersionedCache(store, max_bytes=max_bytes, size=answer_size)

    def get_or_compute(
        self,
        question_id: str,
        values: Mapping[str, str],
        language: str,
        compute: Callable[[], Answer],
    ) -> Answer:
        """The cached answer for this key at the current version, else ``compute()`` (then kept).

        ``values`` are the parameter values as asked (the computed answer names the values used).
        """
        return self._cache.get_or_compute(answer_key(question_id, values, language), compute)

    def stats(self) -> CacheStats:
        """Entries, estimated bytes, hits and misses."""
        return self._cache.stats()

    def clear(self) -> None:
        """Drop every entry."""
        self._cache.clear()


AnswerKey = tuple[str, tuple[tuple[str, str], ...], str]


def answer_key(question_id: str, values: Mapping[str, str], language: str) -> AnswerKey:
    """The key of a whole answer (and of its chart): question, parameter values as asked, language."""
    return (question_id, tuple(sorted(values.items())), language)


def answer_size(answer: Answer) -> int:
    """An estimate of the memory an answer holds: its cell and citation text plus overhead."""
    return sum(_row_size(row) for row in answer.rows) + 256


def _row_size(row: Row) -> int:
    cells = sum(len(name) + len(str(value)) + 16 for name, value in row.values.items())
    citations = sum(len(c.article) + len(c.sentence) + 64 for c in row.citations)
    return cells + citations + 64


def answer_cache(store: Store) -> AnswerCache:
    """The answer cache of ``store`` (made on first use)."""
    shared = cache_of(store, "answers", max_bytes=DEFAULT_BYTES, size=answer_size)
    return AnswerCache(store, shared=shared)


CHART_BYTES = 16 * 1024 * 1024
"""The bound of one store's cache of rendered answer charts (SVG)."""


def chart_cache(store: Store) -> VersionedCache[str | None]:
    """Rendered charts of whole answers of ``store``, keyed like answers (made on first use)."""
    return cache_of(store, "charts", max_bytes=CHART_BYTES, size=lambda svg: 64 + len(svg or ""))
