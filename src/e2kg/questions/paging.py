"""One page of an answer: which rows, how many in all, and which pages come before and after.

Answers that list rows grow with the data (thousands of findings at a million triples), so the
web layer shows them a page at a time: ``page`` (from 1) and ``page_size`` (``DEFAULT_SIZE``, at
most ``MAX_SIZE``). Pages partition the answer in its query's order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from e2kg.errors import InputError
from e2kg.questions.answering import Answer

DEFAULT_SIZE = 100
MAX_SIZE = 1000


class PagingError(InputError):
    """``page`` or ``page_size`` is not a whole number in range."""

    code = "bad-parameter"

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"parameter {name!r}: {message}", detail={"parameter": name})


@dataclass(frozen=True)
class Page:
    """Rows ``start`` to ``start + len(answer.rows)`` of ``total``; ``answer`` holds only those."""

    answer: Answer
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the whole answer has (at least 1)."""
        return max(1, -(-self.total // self.size))

    @property
    def start(self) -> int:
        """The index of the first row of this page in the whole answer."""
        return (self.number - 1) * self.size

    @property
    def previous(self) -> int | None:
        """The number of the page before, or None on the first."""
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The number of the page after, or None on the last."""
        return self.number + 1 if self.number < self.pages else None


def parse_paging(page: str | None, size: str | None) -> tuple[int, int]:
    """``page`` and ``page_size`` from the query string, defaults when absent."""
    return (
        _whole("page", page, 1, 1, None),
        _whole("page_size", size, DEFAULT_SIZE, 1, MAX_SIZE),
    )


def page_of(answer: Answer, number: int, size: int) -> Page:
    """Page ``number`` (from 1) of ``answer`` with ``size`` rows a page; past the end is an error."""
    total = len(answer.rows)
    last = max(1, -(-total // size))
    if number > last:
        raise PagingError("page", f"the answer has {last} page(s) of {size} rows")
    start = (number - 1) * size
    return Page(replace(answer, rows=answer.rows[start : start + size]), number, size, total)


def _whole(name: str, raw: str | None, default: int, low: int, high: int | None) -> int:
    if raw is None or not raw.strip():
        return default
    try:
        number = int(raw)
    except ValueError:
        raise PagingError(name, f"{raw!r} is not a whole number") from None
    if number < low:
        raise PagingError(name, f"must be at least {low}")
    if high is not None and number > high:
        raise PagingError(name, f"must be at most {high}")
    return number
