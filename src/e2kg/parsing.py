"""Read Turtle files into rdflib graphs; a syntax error becomes a ParseError with line and column.

rdflib's Turtle parser reports the line of a syntax error and the character offset where it stopped;
the column is found from that offset so an editor can jump to the spot.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from e2kg.errors import ParseError


def new_graph() -> Graph:
    """An empty graph that binds only the core prefixes, so a file's own prefixes keep their names.

    (rdflib's default also binds ``schema:`` to https://schema.org/, which would rename the
    project's ``schema:`` for http://schema.org/ to ``schema1:``.)
    """
    return Graph(bind_namespaces="core")


def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse the Turtle file at ``path`` into ``into`` (a new graph when None) and return it.

    Raises ParseError naming the file, line and column when the file is not readable Turtle.
    """
    graph = new_graph() if into is None else into
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ParseError(f"{source}: cannot read: {error.strerror}", source=source) from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position(data[: error.start].decode("utf-8", "replace"))
        raise ParseError(
            f"{source}:{line}:{column}: not UTF-8 text", source=source, line=line, column=column
        ) from error
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as error:
        line, column = _syntax_error_position(error, text)
        reason = _reason(error)
        raise ParseError(
            f"{source}:{line}:{column}: Turtle syntax error: {reason}",
            source=source,
            line=line,
            column=column,
        ) from error
    except Exception as error:  # rdflib raises plain exceptions for some bad terms
        raise ParseError(f"{source}: Turtle error: {error}", source=source) from error
    return graph


def _syntax_error_position(error: BadSyntax, text: str) -> tuple[int, int]:
    """1-based line and column of a BadSyntax error within ``text``."""
    offset = getattr(error, "_i", None)
    if isinstance(offset, int) and 0 <= offset <= len(text):
        return _position(text[:offset])
    return int(error.lines) + 1, 1


def _position(before: str) -> tuple[int, int]:
    """1-based line and column of the character that follows ``before``."""
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return line, column


def _reason(error: BadSyntax) -> str:
    """The parser's explanation without the quoted context rdflib puts around it."""
    why = getattr(error, "_why", None)
    return str(why) if why else str(error)
