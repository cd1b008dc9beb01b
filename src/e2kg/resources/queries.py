"""Reads the SPARQL queries of the browser and the search index (``queries/<role>/*.rq``)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def resource_query(name: str) -> str:
    """The text of ``queries/resources/<name>.rq``."""
    return _read("resources", name)


@cache
def search_query(name: str) -> str:
    """The text of ``queries/search/<name>.rq``."""
    return _read("search", name)


def _read(role: str, name: str) -> str:
    return files("e2kg").joinpath("queries", role, f"{name}.rq").read_text(encoding="utf-8")
