"""The SHACL gate of the SPARQL Update and Graph Store write paths, as a block around the write.

``write_gate`` checks a change (``submissions.gate``) under ``WRITE_LOCK`` and yields either a
response to send instead of writing (422 with the report of the violations the write would
introduce, or the report of a ``dry-run``) or None: then the caller writes inside the block and
the validation context follows the write (``after_write``) once the block ends without an error.
Parsing the request body happens before, in ``graph_change`` / ``update_change``, outside the lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response

from e2kg.submissions.gate import WRITE_LOCK, Change, after_write, check_write
from e2kg.web.context import get_store
from e2kg.web.validate import (
    dry_run_requested,
    get_validation_context,
    report_language,
    report_response,
)


@contextmanager
def write_gate(change: Change) -> Iterator[Response | None]:
    """Check ``change`` with SHACL before the caller applies it (see the module docstring)."""
    with WRITE_LOCK:
        context = get_validation_context()
        language = report_language()
        outcome = check_write(get_store(), context, change, language=language)
        extra: dict[str, object] = {"changes": outcome.changes}
        if not outcome.report.conforms:
            extra["message"] = "the write would leave study entries non-conforming: nothing changed"
            yield report_response(outcome.report, status=422, extra=extra, language=language)
            return
        if dry_run_requested():
            extra["dryRun"] = True
            yield report_response(outcome.report, extra=extra, language=language)
            return
        try:
            yield None
        except BaseException:
            context.invalidate()  # the write may have been applied in part or not at all
            raise
        after_write(context, outcome)
