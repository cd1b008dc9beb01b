"""Which remote IRIs a request may make the service fetch: ``SERVICE`` in queries, ``LOAD`` in updates.

Both are off unless ``E2KG_REMOTE_ALLOW`` lists IRI prefixes they may reach (``*`` = any). The
check runs on the lexical tokens of the text, so a keyword inside a comment, a string or an IRI
never counts, and a prefixed name is expanded before it is compared. A target that cannot be known
before the query runs (``SERVICE ?endpoint``) is allowed only by ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from e2kg.errors import OperationRefused
from e2kg.store.syntax import Token, tokens

REMOTE_KEYWORDS = ("SERVICE", "LOAD")
_REMOTE_WORD = re.compile("|".join(REMOTE_KEYWORDS), re.IGNORECASE)


def check_remote_access(
    text: str, allowed: Sequence[str], prefixes: Mapping[str, str] | None = None
) -> None:
    """Raise OperationRefused when ``text`` uses SERVICE or LOAD with a target not in ``allowed``."""
    if not _REMOTE_WORD.search(text):  # not even in a string or a comment: no need to lex
        return
    found = list(tokens(text))
    declared = dict(prefixes or {})
    declared.update(_declarations(found))
    for index, token in enumerate(found):
        if token.kind != "word" or token.text.upper() not in REMOTE_KEYWORDS:
            continue
        keyword = token.text.upper()
        target = _target(found, index + 1)
        iri = _expand(target, declared)
        if "*" in allowed or (iri is not None and iri.startswith(tuple(allowed))):
            continue
        shown = iri or (target.text if target is not None else "(nothing)")
        setting = "E2KG_REMOTE_ALLOW"
        raise OperationRefused(
            f"{keyword} {shown} is refused: this service does not fetch remote data unless "
            f"{setting} lists the IRI prefix"
            + (f" (allowed now: {' '.join(allowed)})" if allowed else " (it is empty)"),
            detail={"keyword": keyword, "target": shown},
        )


def _target(found: list[Token], index: int) -> Token | None:
    """The token after ``SERVICE``/``LOAD`` and an optional ``SILENT``."""
    if index < len(found) and found[index].kind == "word" and found[index].text.upper() == "SILENT":
        index += 1
    return found[index] if index < len(found) else None


def _expand(token: Token | None, prefixes: Mapping[str, str]) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "name":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def _declarations(found: list[Token]) -> dict[str, str]:
    declared: dict[str, str] = {}
    for first, second, third in zip(found, found[1:], found[2:], strict=False):
        if (
            first.kind == "word"
            and first.text.upper() == "PREFIX"
            and second.kind == "name"
            and third.kind == "iri"
        ):
            declared[second.text[:-1]] = third.text[1:-1]
    return declared
