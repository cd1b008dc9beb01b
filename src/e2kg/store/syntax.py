"""A small SPARQL lexer: the form of a query, whether it names its dataset, and bindings as VALUES.

Only enough of SPARQL to find keywords and the WHERE group outside strings, IRIs and comments; the
engine parses the query for real. Bound values enter the text only in their N-Triples spelling.
A request asks several questions of the same text (prefixes, SERVICE, form, FROM): the tokens of the
last few texts are remembered, so each text is scanned once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from e2kg.errors import InputError, QuerySyntaxError
from e2kg.store.base import Bindings, QueryForm
from e2kg.store.terms import to_ntriples

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<punct>[{}()])
  | (?P<variable>[?$][A-Za-z0-9_]+)
  | (?P<name>[A-Za-z_][\w.-]*:[\w.:%-]*|:[\w.:%-]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FROM = re.compile("from", re.IGNORECASE)
_BY = re.compile("by", re.IGNORECASE)
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FORMS = {form.value: form for form in QueryForm}


_REMEMBERED_TEXTS = 64
"""Texts whose tokens are remembered (``tokens``), each at most ``_REMEMBERED_CHARACTERS`` long."""
_REMEMBERED_CHARACTERS = 1 << 16


class Token(NamedTuple):
    """A lexical token with its kind, text and offsets in the query."""

    kind: str
    text: str
    start: int
    end: int


_token = Token._make


def tokens(query: str) -> Iterator[Token]:
    """The tokens of ``query`` that matter here (no spaces, no comments)."""
    if len(query) > _REMEMBERED_CHARACTERS:
        return _scan(query)
    return iter(_remembered_tokens(query))


@lru_cache(maxsize=_REMEMBERED_TEXTS)
def _remembered_tokens(query: str) -> tuple[Token, ...]:
    return tuple(_scan(query))


def _scan(query: str) -> Iterator[Token]:
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield _token((kind, match.group(), match.start(), match.end()))


def top_level(query: str) -> Iterator[tuple[int, Token]]:
    """Each token with the nesting depth of braces and parentheses it stands at."""
    return _top_level(tokens(query))


def _top_level(found: Iterator[Token]) -> Iterator[tuple[int, Token]]:
    depth = 0
    for token in found:
        if token.text in ("}", ")"):
            depth -= 1
        yield depth, token
        if token.text in ("{", "("):
            depth += 1


def query_form(query: str) -> QueryForm:
    """The form keyword of ``query``; QuerySyntaxError when there is none."""
    for depth, token in _top_level(_scan(query)):  # lazily: the keyword comes early
        if depth == 0 and token.kind == "word" and token.text.upper() in _FORMS:
            return _FORMS[token.text.upper()]
        if depth == 0 and token.text == "{":
            break
    raise QuerySyntaxError(
        "query syntax error: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue"
    )


SMALL_LIMIT = 1000
"""A top-level LIMIT up to this many rows makes a query's result small enough to try in one piece."""


def sorts_or_groups(query: str) -> bool:
    """Whether ``query`` has ORDER BY or GROUP BY (at any depth) and no top-level LIMIT up to
    ``SMALL_LIMIT``: the engine may then do all its work before the first row, and a result that
    turns out big should not be evaluated twice (see ``streaming.serialize_small``)."""
    if not _BY.search(query):  # not even in a string or an IRI: no need to lex
        return False
    previous: Token | None = None
    found = False
    for depth, token in top_level(query):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "BY" and previous is not None and previous.text.upper() in ("ORDER", "GROUP"):
            found = True
        elif (
            depth == 0
            and previous is not None
            and previous.text.upper() == "LIMIT"
            and token.text.isdigit()
            and int(token.text) <= SMALL_LIMIT
        ):
            return False
        previous = token
    return found


def has_dataset_clause(query: str) -> bool:
    """Whether ``query`` has a FROM or FROM NAMED clause of its own."""
    if not _FROM.search(query):  # not even in a string or an IRI: no need to lex
        return False
    return any(
        depth == 0 and token.kind == "word" and token.text.upper() == "FROM"
        for depth, token in top_level(query)
    )


def dataset_clause(query: str) -> tuple[list[str], list[str]]:
    """The IRIs of the query's own FROM and FROM NAMED clauses (prefixed names are not resolved)."""
    default: list[str] = []
    named: list[str] = []
    state = ""
    for depth, token in top_level(query):
        if depth != 0:
            continue
        word = token.text.upper() if token.kind == "word" else ""
        if word == "FROM":
            state = "from"
        elif state == "from" and word == "NAMED":
            state = "named"
        elif state and token.kind == "iri":
            (named if state == "named" else default).append(token.text[1:-1])
            state = ""
        else:
            state = ""
    return default, named


def values_block(bindings: Bindings) -> str:
    """``VALUES (?a ?b) { (<x> "y") }`` for ``bindings``; InputError for bad names, blank nodes."""
    names = list(bindings)
    for name in names:
        if not _VARIABLE_NAME.match(name):
            raise InputError(f"not a SPARQL variable name: {name!r}")
    cells = []
    for name in names:
        term = bindings[name]
        if to_ntriples(term).startswith("_:"):
            raise InputError(f"?{name}: a blank node cannot be bound on a remote store")
        cells.append(to_ntriples(term))
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(cells)}) }}"


def _groups(query: str) -> list[tuple[Token, Token]]:
    """The brace groups at depth 0 as (opening, closing) tokens."""
    groups: list[tuple[Token, Token]] = []
    opening: Token | None = None
    for depth, token in top_level(query):
        if depth == 0 and token.text == "{":
            opening = token
        elif depth == 0 and token.text == "}" and opening is not None:
            groups.append((opening, token))
            opening = None
    return groups


def with_values(query: str, bindings: Bindings | None) -> str:
    """``query`` with ``bindings`` as a VALUES block at the start of its WHERE group.

    At the start of the group the values join the pattern before any FILTER, OPTIONAL, GROUP BY or
    aggregate sees it, which is what binding a variable in advance means.
    """
    if not bindings:
        return query
    block = values_block(bindings)
    form = query_form(query)
    groups = _groups(query)
    if form is QueryForm.CONSTRUCT:
        where = _short_construct_where(query)
        if where is not None and groups:
            # CONSTRUCT WHERE { T } means CONSTRUCT { T } WHERE { T }; VALUES fits only the latter.
            opening, closing = groups[0]
            template = query[opening.start : closing.end]
            body = query[opening.end : closing.start]
            return (
                f"{query[: where.start]}{template} WHERE {{ {block} {body} }}{query[closing.end :]}"
            )
        groups = groups[1:]
    if not groups:
        return f"{query} WHERE {{ {block} }}"
    opening, closing = groups[0]
    inner = list(tokens(query[opening.end : closing.start]))
    if inner and inner[0].kind == "word" and inner[0].text.upper() == "SELECT":
        return (
            f"{query[: opening.end]} {block} {{ {query[opening.end : closing.start]} }}"
            f"{query[closing.start :]}"
        )
    return f"{query[: opening.end]} {block} {query[opening.end :]}"


def _short_construct_where(query: str) -> Token | None:
    """The WHERE token of ``CONSTRUCT [FROM ...] WHERE { ... }`` (no template), else None."""
    seen_construct = False
    for depth, token in top_level(query):
        if depth != 0:
            continue
        if token.kind == "word" and token.text.upper() == "CONSTRUCT":
            seen_construct = True
        elif seen_construct and token.kind == "word" and token.text.upper() == "WHERE":
            return token
        elif seen_construct and token.text == "{":
            return None
    return None


_AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})


def with_projection(query: str, names: list[str]) -> tuple[str, list[str]] | None:
    """The SELECT ``query`` with those of ``names`` it does not project added to its projection (and
    to its GROUP BY, if any), and the names added.

    Oxigraph substitutes projected variables only, and a substituted variable reaches the query
    planner as a constant, where a VALUES block is joined late. A bound variable has one value, so
    projecting it, and grouping by it as well, changes no solution but adds that column. None when
    the query cannot take the extra column unchanged: not a SELECT, ``SELECT *`` (the variable is
    then out of scope), or aggregates over the implicit single group (grouping by the variable would
    give no row instead of one when nothing matches).
    """
    for name in names:
        if not _VARIABLE_NAME.match(name):
            raise InputError(f"not a SPARQL variable name: {name!r}")
    if query_form(query) is not QueryForm.SELECT:
        return None
    state = "prologue"  # then: projection, where, tail
    projection_end: int | None = None
    group_by: int | None = None
    aggregate = False
    projected: set[str] = set()
    previous: Token | None = None
    for depth, token in top_level(query):
        word = token.text.upper() if token.kind == "word" else ""
        if state == "prologue":
            if depth == 0 and word == "SELECT":
                state = "projection"
        elif state == "projection":
            if depth == 0 and (word in ("WHERE", "FROM") or token.text == "{"):
                projection_end = token.start
                state = "where"
            elif depth == 0 and token.text == "*":
                return None
            elif word in _AGGREGATES:
                aggregate = True
            elif token.kind == "variable" and (
                depth == 0 or (previous is not None and previous.text.upper() == "AS")
            ):
                projected.add(token.text[1:])
        if state == "where" and depth == 0 and token.text == "}":
            state = "tail"
        elif state == "tail":
            if depth == 0 and word == "BY" and previous is not None:
                if previous.kind == "word" and previous.text.upper() == "GROUP":
                    group_by = token.end
            elif word in _AGGREGATES or (depth == 0 and word == "HAVING"):
                aggregate = True
        previous = token
    if projection_end is None or state != "tail":
        return None
    if aggregate and group_by is None:
        return None
    added = [name for name in names if name not in projected]
    if not added:
        return None
    extra = " ".join("?" + name for name in added)
    if group_by is not None:
        query = f"{query[:group_by]} {extra} {query[group_by:]}"
    return f"{query[:projection_end]}{extra} {query[projection_end:]}", added
