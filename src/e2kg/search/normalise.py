"""German-aware text normalisation shared by the index and the queries.

Both sides are folded the same way, so spelling variants meet: lower case, ß -> ss, accents
dropped (ä -> a), and the transliterations ae/oe/ue -> a/o/u. "Zuständigkeiten",
"Zustaendigkeiten" and "Zustandigkeiten" all become "zustandigkeiten". Folding ae -> a also merges
a few unrelated words (Feuer/Feur); for search recall that is the right trade.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")


class _WithoutCombining(dict[int, int | None]):
    """A ``str.translate`` table that drops combining characters (accents after NFKD): each
    character is looked up in ``unicodedata`` once, then in this dict at C speed (a Python loop
    over every character was a quarter of a search index build)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_COMBINING = _WithoutCombining()


def normalise(text: str) -> str:
    """``text`` folded for matching: lower-case ASCII words separated by single spaces."""
    folded = text.lower().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", folded)
    ascii_text = decomposed.translate(_DROP_COMBINING)
    ascii_text = ascii_text.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return _NOT_WORD.sub(" ", ascii_text).strip()


def terms(query: str) -> list[str]:
    """The normalised words of a query, without duplicates, in order."""
    seen: list[str] = []
    for word in normalise(query).split():
        if word not in seen:
            seen.append(word)
    return seen
