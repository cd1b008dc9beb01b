"""Constants and helpers the submission tests import by name (conftest.py is not importable
unambiguously: other test folders have one too)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUBMISSION_TOKEN = "submission token for tests"
SMALL_LIMIT = 4000
"""E2KG_MAX_BODY of ``small_limit_server``: larger than a valid entry, smaller than two."""
