"""Admission of SPARQL queries to the query workers: how many run, how many wait, for how long.

Modelled on what public endpoints do: a fixed number of queries run at once (Blazegraph's query
thread pool, Virtuoso's server threads), a short bounded wait queue, and beyond it an immediate
503 with ``Retry-After``; one client (address and User-Agent, as the Wikidata Query Service
buckets its throttling) that already holds ``client_queries`` places gets 429.

When a slot frees, the waiting query whose client holds the fewest running slots goes first (then
the oldest): a client with many queries running cannot crowd out one with none.

Every query starts as a *short* query. Of the ``running`` slots, at most ``long_running`` may be
held by queries that ran past the short-query time, so at least one worker always serves short
queries while long ones fill the rest: a flood of slow queries cannot starve simple ones.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass, field

from e2kg.errors import Overloaded, TooManyQueries

CURRENT_CLIENT: ContextVar[str | None] = ContextVar("e2kg_query_client", default=None)
"""Who sends the query being admitted; set by the web layer per request, None elsewhere."""


@dataclass(frozen=True)
class QueryLimits:
    """The admission limits (see ``Settings``: E2KG_MAX_QUERIES, E2KG_QUERY_QUEUE, ...)."""

    running: int = 3
    queue: int = 8
    short_time: float = 1.0
    per_client: int = 4
    timeout: float = 30.0
    queue_wait: float = 2.0
    """Longest a query waits for a slot before 503; well below the timeout, so waiting requests
    hold the server's threads briefly."""

    @property
    def long_running(self) -> int:
        """Slots for queries past the short-query time: all but one (at least one)."""
        return max(1, self.running - 1)

    @property
    def retry_after(self) -> int:
        """Seconds a refused client should wait: until a long query ends at the latest."""
        return max(1, math.ceil(min(self.timeout, 10.0)))


@dataclass(eq=False)
class Ticket:
    """One admitted query: its client and whether it holds a long-query slot."""

    client: str | None
    running: bool = False
    long: bool = False
    left: bool = False
    wants_long: bool = False
    arrived: float = field(default_factory=time.monotonic)


class Admission:
    """Thread-safe counters of running and waiting queries, per lane and per client."""

    def __init__(self, limits: QueryLimits) -> None:
        self.limits = limits
        self._condition = threading.Condition()
        self._running = 0
        self._long = 0
        self._waiting: list[Ticket] = []
        self._clients: dict[str, int] = {}
        """Places (running or waiting) per client."""
        self._client_running: dict[str, int] = {}
        self.refused = 0
        """Queries refused so far (503 or 429), for /healthz and tests."""

    def enter(self, client: str | None, *, long: bool = False) -> Ticket:
        """A running slot (and a long one when ``long``) for a new query, after a bounded wait;
        Overloaded or TooManyQueries."""
        limits = self.limits
        with self._condition:
            if client is not None and self._clients.get(client, 0) >= limits.per_client:
                self.refused += 1
                raise TooManyQueries(
                    f"this client already has {limits.per_client} queries running or waiting "
                    "(E2KG_CLIENT_QUERIES); wait for one to finish",
                    retry_after=limits.retry_after,
                )
            ticket = Ticket(client)
            if client is not None:
                self._clients[client] = self._clients.get(client, 0) + 1
            try:
                self._wait_for(ticket, long=long)
            except Overloaded:
                self._forget_client(ticket)
                raise
            return ticket

    def check(self, client: str | None) -> None:
        """Refuse at once, without taking a place, what ``enter`` would refuse at once: a client
        over its places, or every slot busy and the queue full (cheap, before any parsing)."""
        with self._condition:
            limits = self.limits
            if client is not None and self._clients.get(client, 0) >= limits.per_client:
                self.refused += 1
                raise TooManyQueries(
                    f"this client already has {limits.per_client} queries running or waiting "
                    "(E2KG_CLIENT_QUERIES); wait for one to finish",
                    retry_after=limits.retry_after,
                )
            if not self._free(False) and len(self._waiting) >= limits.queue:
                self.refused += 1
                raise Overloaded(self._full_message(), retry_after=limits.retry_after)

    def go_long(self, ticket: Ticket) -> bool:
        """Let a running query go on past the short-query time if a long slot is free."""
        with self._condition:
            if ticket.long:
                return True
            if self._long >= self.limits.long_running:
                return False
            self._long += 1
            ticket.long = True
            return True

    def readmit_long(self, ticket: Ticket) -> None:
        """Wait (bounded) for a running and a long slot for a query that was stopped at the
        short-query time because every long slot was busy; Overloaded when none frees."""
        with self._condition:
            self._release_slots(ticket)
            try:
                self._wait_for(ticket, long=True)
            except Overloaded:
                self._forget_client(ticket)
                ticket.left = True
                raise

    def leave(self, ticket: Ticket) -> None:
        """The query is over (answered, failed, or stopped): free its slots."""
        with self._condition:
            if ticket.left:
                return
            ticket.left = True
            self._release_slots(ticket)
            self._forget_client(ticket)

    def state(self) -> dict[str, int]:
        """Running, long and waiting queries now, and the limits (for /healthz)."""
        with self._condition:
            return {
                "running": self._running,
                "long": self._long,
                "waiting": len(self._waiting),
                "refused": self.refused,
                "max_running": self.limits.running,
                "max_long": self.limits.long_running,
                "max_waiting": self.limits.queue,
            }

    # -- under the condition's lock ----------------------------------------------------------------

    def _free(self, long: bool) -> bool:
        if self._running >= self.limits.running:
            return False
        return not long or self._long < self.limits.long_running

    def _turn_of(self, ticket: Ticket) -> bool:
        """Whether ``ticket`` is the waiting query that gets the free slot now: of those whose
        slot is free, the one whose client runs the fewest queries, then the oldest."""
        ready = [t for t in self._waiting if self._free(t.wants_long)]
        if ticket not in ready:
            return False
        best = min(ready, key=lambda t: (self._client_running.get(t.client or "", 0), t.arrived))
        return best is ticket

    def _wait_for(self, ticket: Ticket, *, long: bool) -> None:
        limits = self.limits
        ticket.wants_long = long
        ready = any(self._free(t.wants_long) for t in self._waiting)
        if not self._free(long) or ready:
            if not self._free(long) and len(self._waiting) >= limits.queue:
                self.refused += 1
                raise Overloaded(self._full_message(), retry_after=limits.retry_after)
            deadline = time.monotonic() + limits.queue_wait
            ticket.arrived = time.monotonic()
            self._waiting.append(ticket)
            try:
                while not self._turn_of(ticket):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        self.refused += 1
                        raise Overloaded(self._busy_message(long), retry_after=limits.retry_after)
                    self._condition.wait(remaining)
            finally:
                self._waiting.remove(ticket)
                self._condition.notify_all()  # the next in line may be able to go now
        self._running += 1
        ticket.running = True
        if ticket.client is not None:
            self._client_running[ticket.client] = self._client_running.get(ticket.client, 0) + 1
        if long:
            self._long += 1
            ticket.long = True

    def _full_message(self) -> str:
        return (
            f"the service is running its limit of {self.limits.running} queries "
            f"(E2KG_MAX_QUERIES) and {self.limits.queue} more are waiting (E2KG_QUERY_QUEUE); "
            "try again later"
        )

    def _busy_message(self, long: bool) -> str:
        limits = self.limits
        if long:
            return (
                f"the query ran longer than E2KG_SHORT_QUERY_TIME ({limits.short_time:g} s) and "
                f"all {limits.long_running} slots for longer queries stayed busy for "
                f"{limits.queue_wait:g} s (E2KG_MAX_QUERIES - 1); try again later"
            )
        return (
            f"all {limits.running} query slots (E2KG_MAX_QUERIES) stayed busy for "
            f"{limits.queue_wait:g} s; try again later"
        )

    def _release_slots(self, ticket: Ticket) -> None:
        if ticket.running:
            self._running -= 1
            ticket.running = False
            if ticket.client is not None:
                count = self._client_running.get(ticket.client, 0) - 1
                if count > 0:
                    self._client_running[ticket.client] = count
                else:
                    self._client_running.pop(ticket.client, None)
        if ticket.long:
            self._long -= 1
            ticket.long = False
        self._condition.notify_all()

    def _forget_client(self, ticket: Ticket) -> None:
        if ticket.client is None:
            return
        count = self._clients.get(ticket.client, 0) - 1
        if count > 0:
            self._clients[ticket.client] = count
        else:
            self._clients.pop(ticket.client, None)


_STRING = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
)
_VARIABLE = re.compile(r"[?$]\w+")
_NUMBER = re.compile(r"(?<![\w:/#.-])[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w-])")
_SPACE = re.compile(r"\s+")


def query_shape(query: str) -> str:
    """The query with variables, strings and numbers blanked out: queries that differ only there
    (a flood of variants of one slow query) share a shape. A digest, so the memory is bounded."""
    text = _STRING.sub('"s"', query)
    text = _VARIABLE.sub("?v", text)
    text = _NUMBER.sub("0", text)
    text = _SPACE.sub(" ", text).strip()
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class SlowShapes:
    """Shapes of queries that recently ran past the short-query time (bounded, expiring).

    A query of a known slow shape skips the short-query worker and waits for a long slot at once,
    so variants of a slow query cannot keep that worker busy: a learned cost, where Virtuoso
    estimates one before running.
    """

    def __init__(self, *, size: int = 4096, seconds: float = 600.0) -> None:
        self.size = size
        self.seconds = seconds
        self._until: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._until)

    def known(self, shape: str) -> bool:
        """Whether ``shape`` ran long within the last ``seconds``."""
        with self._lock:
            until = self._until.get(shape)
            if until is None:
                return False
            if until < time.monotonic():
                del self._until[shape]
                return False
            return True

    def note_slow(self, shape: str) -> None:
        with self._lock:
            self._until[shape] = time.monotonic() + self.seconds
            self._until.move_to_end(shape)
            while len(self._until) > self.size:
                self._until.popitem(last=False)

    def note_fast(self, shape: str) -> None:
        with self._lock:
            self._until.pop(shape, None)
