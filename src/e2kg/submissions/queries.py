"""Reads the SPARQL of submissions (``queries/submissions/*.rq`` and ``*.ru``, package data)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def submission_query(name: str) -> str:
    """The text of ``queries/submissions/<name>`` (``.rq`` unless the name has a suffix)."""
    file_name = name if "." in name else f"{name}.rq"
    return files("e2kg").joinpath("queries", "submissions", file_name).read_text(encoding="utf-8")
