"""Sections of a resource page that grow with the data (the findings of a business function, what
points to a role), shown a page at a time: which page, how many rows in all, and the neighbours.

The rows of a section come in the store's index order, which is the same for every request of
one dataset version (and the page cache is keyed by that version), so the pages of a section
partition it. Sorting thousands of IRIs first would cost more than the whole page should.
"""

from __future__ import annotations

from dataclasses import dataclass

from e2kg.errors import InputError

FIRST_ROWS = 20
"""Rows of each group of "what points here" on the resource page itself."""
INCOMING_PAGE_SIZE = 200
"""Rows per page of one group of "what points here" (``?via=<predicate>&page=N``)."""
FINDINGS_PAGE_SIZE = 50
"""Findings per page on a business function's page (``?findings=N``)."""


class SectionPageError(InputError):
    """A page number of a section that is not a whole number from 1 to the last page."""

    code = "bad-parameter"

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"parameter {name!r}: {message}", detail={"parameter": name})


@dataclass(frozen=True)
class SectionPage:
    """Page ``number`` (from 1) of a section of ``total`` rows, ``size`` rows a page."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the section has (at least 1)."""
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        """The index of this page's first row in the whole section."""
        return (self.number - 1) * self.size

    @property
    def previous(self) -> int | None:
        """The number of the page before, or None on the first."""
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The number of the page after, or None on the last."""
        return self.number + 1 if self.number < self.pages else None


def page_number(name: str, raw: str | None) -> int:
    """The page number in query parameter ``name`` (1 when absent); 400 unless a whole number >= 1."""
    if raw is None or not raw.strip():
        return 1
    try:
        number = int(raw)
    except ValueError:
        raise SectionPageError(name, f"{raw!r} is not a whole number") from None
    if number < 1:
        raise SectionPageError(name, "must be at least 1")
    return number


def section_page(name: str, number: int, size: int, total: int) -> SectionPage:
    """Page ``number`` of a section of ``total`` rows; a page past the last is a 400."""
    page = SectionPage(number, size, total)
    if number > page.pages:
        raise SectionPageError(name, f"the section has {page.pages} page(s) of {size} rows")
    return page
