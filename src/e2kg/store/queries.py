"""Reads the store's own SPARQL queries from ``e2kg/queries/store/*.rq`` (package data)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def store_query(name: str) -> str:
    """The text of ``queries/store/<name>.rq``."""
    return files("e2kg").joinpath("queries", "store", f"{name}.rq").read_text(encoding="utf-8")
