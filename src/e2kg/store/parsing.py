"""Streaming parse of RDF documents for every backend, with file, line and column on syntax errors.

pyoxigraph's parser is used for all backends: it streams, is fast and reports positions, so a file
that does not parse gives the same ParseError whichever store it was meant for.

Documents that come over the network (``bytes``) are checked first by ``refuse_unsafe_document``:
RDF/XML with a DTD (external entities, entity expansion bombs) and JSON-LD naming a remote
``@context`` are refused before the parser sees them, so no upload path fetches anything or
expands entities without bound.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from e2kg.errors import InputError, ParseError
from e2kg.store.media import readable_media_type
from e2kg.store.terms import subject_to_oxigraph, to_oxigraph

_POSITION = re.compile(r"line (\d+) column (\d+)")
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def source_name(source: Path | bytes | Graph) -> str:
    """How to name ``source`` in a message."""
    return str(source) if isinstance(source, Path) else "<request body>"


def parse_quads(
    source: Path | bytes | Graph, *, media_type: str, graph: URIRef
) -> Iterator[ox.Quad]:
    """The quads of ``source``; triples land in ``graph``. Raises ParseError while iterating."""
    graph_name = ox.NamedNode(str(graph))
    if isinstance(source, Graph):
        for s, p, o in source:
            yield ox.Quad(subject_to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph_name)  # type: ignore[arg-type]
        return
    rdf_format = ox.RdfFormat.from_media_type(readable_media_type(media_type))
    if isinstance(source, bytes):
        refuse_unsafe_document(source, media_type)
    try:
        if isinstance(source, Path):
            quads = ox.parse(path=source, format=rdf_format)
        else:
            quads = ox.parse(input=source, format=rdf_format)
        for quad in quads:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, graph_name)
            else:
                yield quad
    except SyntaxError as e:
        raise parse_error(e, source_name(source)) from e
    except OSError as e:
        raise ParseError(f"{source_name(source)}: {e}", source=source_name(source)) from e


def parse_error(error: SyntaxError, name: str) -> ParseError:
    """A ParseError naming the file, line and column of a pyoxigraph syntax error."""
    message = error.msg or str(error)
    line, column = error.lineno, error.offset
    if line is None:
        match = _POSITION.search(message)
        if match:
            line, column = int(match.group(1)), int(match.group(2))
    where = f"{name}:{line}:{column}" if line is not None else name
    return ParseError(f"{where}: {message}", source=name, line=line, column=column)


def refuse_unsafe_document(body: bytes, media_type: str) -> None:
    """InputError for an RDF/XML body with a DTD or a JSON-LD body naming a remote ``@context``.

    pyoxigraph fetches neither, but it expands internal entities (a billion-laughs document
    grows to gigabytes) and its error for a remote context does not say what to do instead.
    """
    readable = readable_media_type(media_type)
    if readable == "application/rdf+xml" and _DTD.search(body):
        raise InputError(
            "RDF/XML with a DTD (<!DOCTYPE or <!ENTITY) is refused: entities, external ones "
            "above all, are not resolved here",
            detail={"reason": "xml-dtd"},
        )
    if readable == "application/ld+json":
        _refuse_remote_contexts(body)


def _refuse_remote_contexts(body: bytes) -> None:
    """InputError when a JSON-LD ``@context`` (anywhere) is or names a remote document."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        line = getattr(error, "lineno", None)
        column = getattr(error, "colno", None)
        where = f"line {line}, column {column}: " if line is not None else ""
        raise ParseError(
            f"<request body>:{line}:{column}: JSON syntax error: {where}{error}"
            if line is not None
            else f"<request body>: not JSON: {error}",
            source="<request body>",
            line=line,
            column=column,
        ) from error
    except RecursionError as error:
        raise InputError("the JSON-LD document is nested too deeply") from error
    for context in _contexts(document):
        raise InputError(
            f"JSON-LD remote contexts are not fetched: @context {context!r} names a document "
            "elsewhere; put the context inline",
            detail={"reason": "remote-context", "context": context},
        )


def _contexts(node: object) -> Iterator[str]:
    """Every string (a reference to a remote context) used as or in an ``@context``/``@import``."""
    stack = [node]  # iterative: a deeply nested document must not exhaust the Python stack
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if key in ("@context", "@import"):
                    values = value if isinstance(value, list) else [value]
                    yield from (item for item in values if isinstance(item, str))
                    stack.extend(item for item in values if isinstance(item, dict | list))
                else:
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
