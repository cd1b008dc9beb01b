"""Sections of a resource page that grow with the data (the findings of a business function, what
points to a role), shown a page at a time: which page, how many rows in all, and the neighbours.

The rows of a section come in the store's index order, which is the same for every request of
one dataset version (and the page cache is keyed by that version), so the pages of a section
partition it. Sorting thousands of IRIs first would cost more than the whole page should.
"""

from __future__ import annotations

from e2kg.page_window import PageWindow, whole_number, window

FIRST_ROWS = 20
"""Rows of each group of "what points here" on the resource page itself."""
INCOMING_PAGE_SIZE = 200
"""Rows per page of one group of "what points here" (``?via=<predicate>&page=N``)."""
FINDINGS_PAGE_SIZE = 50
"""Findings per page on a business function's page (``?findings=N``)."""


SectionPage = PageWindow


def page_number(name: str, raw: str | None) -> int:
    """The page number in query parameter ``name`` (1 when absent); 400 unless a whole number >= 1."""
    return whole_number(name, raw, 1, 1, None)


def section_page(name: str, number: int, size: int, total: int) -> SectionPage:
    """Page ``number`` of a section of ``total`` rows; a page past the last is a 400."""
    return window(name, number, size, total, "the section")
