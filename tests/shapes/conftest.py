"""Fixtures for the shape cases: the real project's shapes, validated against the real graph/."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from e2kg.sources import Profile
from e2kg.validation import load_shapes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def study_entry_shapes() -> Graph:
    """Every shape of the study-entry profile (all of shapes/*.ttl)."""
    return load_shapes(ROOT, Profile.STUDY_ENTRY)
