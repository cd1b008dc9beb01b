"""The graph's own prefixes, so queries may use ``schema:``, ``dep:`` ... without declaring them.

The table is collected once at start-up from the ``@prefix``/``PREFIX`` lines of the Turtle sources
(ontology/, shapes/, graph/); the first declaration of a name wins. A query gets declarations only
for the prefixes it uses and does not declare itself (so a declared prefix always wins), all on one
line in front of the query; error positions are shifted back so they point into the user's text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from e2kg.errors import QuerySyntaxError
from e2kg.sources import SOURCE_FOLDERS, turtle_files
from e2kg.store.syntax import tokens

_DECLARATION = re.compile(
    r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^<>\"{}|^`\\\s]*)>", re.IGNORECASE | re.M
)
_POSITION = re.compile(r"(\bat |\bline )(\d+)")
"""A line number in a parser message: Oxigraph's ``at 3:5``, rdflib's ``at line 3``."""


def collect_prefixes(source_dir: Path) -> dict[str, str]:
    """Prefix name -> namespace IRI from every Turtle source under ``source_dir``, sorted by name."""
    found: dict[str, str] = {}
    for folder in SOURCE_FOLDERS:
        for path in turtle_files(source_dir / folder):
            text = path.read_text(encoding="utf-8", errors="replace")
            for name, iri in _DECLARATION.findall(text):
                found.setdefault(name, iri)
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class PrefixedText:
    """A query or update with the graph's prefixes it needed, and how many lines were added."""

    text: str
    added_lines: int

    def restore_position(self, error: QuerySyntaxError) -> QuerySyntaxError:
        """``error`` with its line numbers pointing into the text the client sent."""
        if not self.added_lines:
            return error

        def shift(match: re.Match[str]) -> str:
            line = max(1, int(match.group(2)) - self.added_lines)
            return f"{match.group(1)}{line}"

        message = _POSITION.sub(shift, error.message)
        detail = dict(error.detail)
        if isinstance(detail.get("line"), int):
            detail["line"] = max(1, int(str(detail["line"])) - self.added_lines)
        restored = QuerySyntaxError(message, detail=detail)
        restored.__cause__ = error
        return restored


def declared_prefixes(text: str) -> set[str]:
    """The prefix names ``text`` declares with PREFIX."""
    declared: set[str] = set()
    previous = ""
    for token in tokens(text):
        if previous == "PREFIX" and token.kind == "name" and token.text.endswith(":"):
            declared.add(token.text[:-1])
        previous = token.text.upper() if token.kind == "word" else ""
    return declared


def used_prefixes(text: str) -> set[str]:
    """The prefix names of the prefixed names in ``text`` (not inside strings, IRIs or comments)."""
    return {token.text.split(":", 1)[0] for token in tokens(text) if token.kind == "name"}


def with_prefixes(text: str, prefixes: Mapping[str, str]) -> PrefixedText:
    """``text`` with declarations of the known prefixes it uses but does not declare."""
    if not any(f"{name}:" in text for name in prefixes):  # none used: no need to lex
        return PrefixedText(text, 0)
    missing = sorted((used_prefixes(text) - declared_prefixes(text)) & set(prefixes))
    if not missing:
        return PrefixedText(text, 0)
    line = " ".join(f"PREFIX {name}: <{prefixes[name]}>" for name in missing)
    return PrefixedText(f"{line}\n{text}", 1)
