"""Background warming of the answer cache: after start-up and after every write, once the data has
been quiet for ``delay`` seconds, a daemon thread computes the default answer (no parameters given)
of every question that needs no parameter, one question at a time, in every language, with its
chart (and, through ``also``, what the web layer derives from it: the first page in HTML and
JSON), so that the first request finds it in the caches (``e2kg.questions.cache``).

Nothing a request does waits for the warmer: it takes no lock of its own that requests take, and
it puts answers only through the caches' ``get_or_compute``, which keeps a value only when the
dataset version did not move while it was computed. The warmer also checks the version before
each computation, so a write during a round abandons it; the next round starts ``delay`` seconds
after the last write. The thread ends with ``stop()``, when the store is closed or gone, and never
keeps the store alive (it holds it weakly between rounds).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from e2kg.errors import InputError, StoreUnavailable
from e2kg.questions.answering import Answer, Solutions, solve_question
from e2kg.questions.cache import answer_cache, answer_key, chart_cache
from e2kg.questions.charts import render_chart
from e2kg.questions.model import LANGUAGES, Question
from e2kg.resources.version import dataset_version
from e2kg.store import Store

logger = logging.getLogger(__name__)

DELAY = 1.0
"""Seconds without a write before a round starts (a burst of writes warms once, after it)."""
POLL = 0.25
"""Seconds between looks at the dataset version."""


class Abandoned(Exception):
    """The data changed (or the warmer was stopped) during a round."""


@dataclass(frozen=True)
class WarmingStats:
    """What the warmer did: finished rounds, answers it computed, the version last warmed."""

    rounds: int
    answers: int
    warmed_version: str | None


def warmable(question: Question) -> bool:
    """Whether ``question`` has a default answer: it needs no parameter."""
    return not any(parameter.required for parameter in question.parameters)


Unchanged = Callable[[], None]
"""Raises ``Abandoned`` when the data changed since the round started (call it inside a compute)."""
AlsoWarm = Callable[[Question, Answer, Unchanged], None]
"""What to warm beside a whole answer (the web layer: its first page bodies)."""


class AnswerWarmer:
    """Keeps the default answers of ``questions`` cached for the current version of ``store``;
    ``also`` is called with each warmed answer (in each language) to warm what derives from it."""

    def __init__(
        self,
        store: Store,
        questions: Iterable[Question],
        *,
        delay: float = DELAY,
        poll: float = POLL,
        also: AlsoWarm | None = None,
    ) -> None:
        self._store = weakref.ref(store)
        self.also = also
        self.questions = tuple(question for question in questions if warmable(question))
        self.delay = delay
        self.poll = poll
        self._stopping = threading.Event()
        self._progress = threading.Condition()
        """Guards the figures below; only the warmer and ``wait_warm`` take it."""
        self._warmed: str | None = None
        self._rounds = 0
        self._answers = 0
        self._thread: threading.Thread | None = None

    def start(self) -> threading.Thread:
        """Start the warming thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="e2kg-answer-warming", daemon=True
            )
            self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = None) -> None:
        """Stop warming (a running query finishes first) and wait up to ``timeout`` seconds."""
        self._stopping.set()
        with self._progress:
            self._progress.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether the warming thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def stats(self) -> WarmingStats:
        """Rounds finished, answers computed, the dataset version last warmed."""
        with self._progress:
            return WarmingStats(self._rounds, self._answers, self._warmed)

    def wait_warm(self, timeout: float) -> bool:
        """Wait until the current dataset version is warmed (True) or ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        with self._progress:
            while True:
                store = self._store()
                if store is None or self._stopping.is_set():
                    return False
                if self._warmed == dataset_version(store).tag:
                    return True
                del store
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._progress.wait(min(left, self.poll))

    def _run(self) -> None:
        seen: str | None = None
        changed = 0.0
        while not self._stopping.wait(self.poll):
            store = self._store()
            if store is None:
                return
            tag = dataset_version(store).tag
            now = time.monotonic()
            if tag != seen:
                seen, changed = tag, now
            if tag != self._warmed and now - changed >= self.delay:
                try:
                    self._round(store, tag)
                except Abandoned:
                    pass  # a write (or stop) came in: the loop sees it and waits for quiet
                except StoreUnavailable:
                    logger.info("answer warming stops: the store is closed or unreachable")
                    return
            del store

    def _round(self, store: Store, tag: str) -> None:
        for question in self.questions:
            try:
                self._warm(store, question, tag)
            except (Abandoned, StoreUnavailable):
                raise
            except InputError as error:  # a default naming nothing in this graph: no default answer
                logger.info("no default answer of %s to warm: %s", question.id, error)
            except Exception:  # a failing question must not stop the others; requests report it
                logger.warning("warming the answer of %s failed", question.id, exc_info=True)
        with self._progress:
            self._warmed = tag
            self._rounds += 1
            self._progress.notify_all()

    def _warm(self, store: Store, question: Question, tag: str) -> None:
        """The default answer of ``question`` in every language, and its chart, into the caches;
        one query for all languages."""
        solved: list[Solutions] = []

        def unchanged() -> None:
            if self._stopping.is_set() or dataset_version(store).tag != tag:
                raise Abandoned

        def compute(language: str) -> Answer:
            unchanged()  # get_or_compute read the version before: it is ``tag`` too
            if not solved:
                solved.append(solve_question(store, question, {}))
                with self._progress:
                    self._answers += 1
            return solved[0].answer(language)

        answers, charts = answer_cache(store), chart_cache(store)
        for language in LANGUAGES:
            whole = answers.get_or_compute(question.id, {}, language, partial(compute, language))
            if question.chart is not None:
                key = answer_key(question.id, {}, language)
                charts.get_or_compute(key, partial(_chart, whole, unchanged))
            if self.also is not None:
                unchanged()
                self.also(question, whole, unchanged)


def _chart(whole: Answer, unchanged: Unchanged) -> str | None:
    unchanged()
    return render_chart(whole)
