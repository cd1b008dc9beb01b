"""The study-entry cases of tests/data/entries, read once: each invalid file and what it breaks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import SH, Graph, Literal, URIRef

from e2kg.sources import Profile
from e2kg.validation import load_shapes

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = ROOT / "tests" / "data" / "entries"
VALID = sorted((ENTRIES / "valid").glob("*.ttl"))
INVALID = sorted((ENTRIES / "invalid").glob("*.ttl"))
EXPECT = re.compile(r"^# expect: <([^>]+)>", re.MULTILINE)


@dataclass(frozen=True)
class BrokenEntry:
    """One invalid entry and the shape it breaks, with what the shapes file says about it."""

    path: Path
    shape: URIRef
    severity: URIRef
    field: URIRef | None
    """The shape's sh:path (the field at fault) when it is a property shape."""
    messages: dict[str, str]
    """The shape's declared message per language (templates may hold ``{?value}``)."""

    @property
    def name(self) -> str:
        """The file name without suffix."""
        return self.path.stem


@cache
def study_entry_shapes() -> Graph:
    """The shapes of the study-entry profile, as the service reads them."""
    return load_shapes(ROOT, Profile.STUDY_ENTRY)


def broken_entries() -> list[BrokenEntry]:
    """Every invalid case with its expected shape; fails when there are none."""
    shapes = study_entry_shapes()
    cases = []
    for path in INVALID:
        match = EXPECT.search(path.read_text(encoding="utf-8"))
        assert match, f"{path} has no '# expect:' line"
        shape = URIRef(match.group(1))
        declared = list(shapes.objects(shape, SH.message))
        for constraint in shapes.objects(shape, SH.sparql):
            declared.extend(shapes.objects(constraint, SH.message))
        messages = {
            value.language: str(value)
            for value in declared
            if isinstance(value, Literal) and value.language
        }
        path_node = shapes.value(shape, SH.path)
        cases.append(
            BrokenEntry(
                path=path,
                shape=shape,
                severity=URIRef(str(shapes.value(shape, SH.severity) or SH.Violation)),
                field=path_node if isinstance(path_node, URIRef) else None,
                messages=messages,
            )
        )
    assert len(cases) >= 10, "expected at least ten broken-entry cases"
    return cases


def message_matches(message: str, template: str) -> bool:
    """Whether ``message`` is ``template`` with its ``{?var}``/``{$var}`` placeholders filled in."""
    parts = [re.escape(part) for part in re.split(r"\{[?$]\w+\}", template)]
    return re.fullmatch(".*?".join(parts), message, re.DOTALL) is not None


def violation_entries() -> list[BrokenEntry]:
    """The invalid cases whose shape is a Violation (an entry that must not be published)."""
    cases = [case for case in broken_entries() if case.severity == SH.Violation]
    assert len(cases) >= 10, "expected at least ten kinds of violation"
    return cases
