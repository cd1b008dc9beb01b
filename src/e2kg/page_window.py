"""Page arithmetic shared by paged answers (``questions.paging``) and paged sections of resource
pages (``resources.sections``): a page number read from the query string, the window of rows it
covers, its neighbours, and a 400 naming the parameter when the number is not a page."""

from __future__ import annotations

from dataclasses import dataclass

from e2kg.errors import InputError


class PageParameterError(InputError):
    """A page parameter that is not a whole number in range."""

    code = "bad-parameter"

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"parameter {name!r}: {message}", detail={"parameter": name})


@dataclass(frozen=True)
class PageWindow:
    """Page ``number`` (from 1) of ``total`` rows, ``size`` rows a page."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the rows make (at least 1)."""
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        """The index of this page's first row among all rows."""
        return (self.number - 1) * self.size

    @property
    def previous(self) -> int | None:
        """The number of the page before, or None on the first."""
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The number of the page after, or None on the last."""
        return self.number + 1 if self.number < self.pages else None


def whole_number(name: str, raw: str | None, default: int, low: int, high: int | None) -> int:
    """Query parameter ``name`` as a whole number from ``low`` to ``high`` (``default`` when
    absent or blank); otherwise a PageParameterError naming it."""
    if raw is None or not raw.strip():
        return default
    try:
        number = int(raw)
    except ValueError:
        raise PageParameterError(name, f"{raw!r} is not a whole number") from None
    if number < low:
        raise PageParameterError(name, f"must be at least {low}")
    if high is not None and number > high:
        raise PageParameterError(name, f"must be at most {high}")
    return number


def window(name: str, number: int, size: int, total: int, whole: str) -> PageWindow:
    """Page ``number`` of ``total`` rows; a page past the last is a PageParameterError naming
    parameter ``name`` and saying how many pages ``whole`` (e.g. "the answer") has."""
    page = PageWindow(number, size, total)
    if number > page.pages:
        raise PageParameterError(name, f"{whole} has {page.pages} page(s) of {size} rows")
    return page
