"""What the gate found about a write (``GateOutcome``), and the report reduced to the violations
the write introduces: a result already present before the write does not block it."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from e2kg.sources import Profile
from e2kg.submissions.change import Delta
from e2kg.submissions.context import ValidationContext
from e2kg.validation import ValidationReport, ValidationResult


@dataclass(frozen=True)
class GateOutcome:
    """What the gate found: the report on the touched nodes and how many quads the write changes."""

    report: ValidationReport
    changes: int
    delta: Delta | None = None
    """The change found cheaply (None: found on a full copy; the context is fetched again)."""
    reads: int = field(default=0)
    """Quads read from the store to find the change and the nodes it touches (0 on the slow
    path, which reads every quad twice)."""
    fetched: int = field(default=0)
    """Triples fetched as the validation neighbourhood of the touched nodes."""


def conforming() -> ValidationReport:
    """The report of a write that touches no study entry."""
    return ValidationReport(profile=Profile.STUDY_ENTRY, results=[])


def new_results(
    context: ValidationContext, report: ValidationReport, before: Graph, focus: list[URIRef]
) -> ValidationReport:
    """``report`` without the results already there before the write (``before``: that state)."""
    known = [node for node in focus if (node, None, None) in before]
    earlier = (
        {_key(result) for result in context.validate_nodes(before, known).results}
        if known
        else set()
    )
    return ValidationReport(
        profile=report.profile,
        results=[result for result in report.results if _key(result) not in earlier],
        prefixes=report.prefixes,
    )


def _key(result: ValidationResult) -> tuple[str, str, str, str]:
    """A result's identity across two validations: node, shape, path and value."""
    return (
        str(result.focus_node),
        str(result.source_shape),
        str(result.path),
        str(result.value),
    )
