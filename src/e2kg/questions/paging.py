"""One page of an answer: which rows, how many in all, and which pages come before and after.

Answers that list rows grow with the data (thousands of findings at a million triples), so the
web layer shows them a page at a time: ``page`` (from 1) and ``page_size`` (``DEFAULT_SIZE``, at
most ``MAX_SIZE``). Pages partition the answer in its query's order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from e2kg.page_window import PageWindow, whole_number, window
from e2kg.questions.answering import Answer

DEFAULT_SIZE = 100
MAX_SIZE = 1000


@dataclass(frozen=True)
class Page(PageWindow):
    """Rows ``start`` to ``start + len(answer.rows)`` of ``total``; ``answer`` holds only those."""

    answer: Answer

    @property
    def start(self) -> int:
        """The index of the first row of this page in the whole answer."""
        return self.offset


def parse_paging(page: str | None, size: str | None) -> tuple[int, int]:
    """``page`` and ``page_size`` from the query string, defaults when absent."""
    return (
        whole_number("page", page, 1, 1, None),
        whole_number("page_size", size, DEFAULT_SIZE, 1, MAX_SIZE),
    )


def page_of(answer: Answer, number: int, size: int) -> Page:
    """Page ``number`` (from 1) of ``answer`` with ``size`` rows a page; past the end is an error."""
    total = len(answer.rows)
    start = window("page", number, size, total, "the answer").offset
    rows = answer.rows[start : start + size]
    return Page(number=number, size=size, total=total, answer=replace(answer, rows=rows))
