"""Streaming parse of RDF documents for every backend, with file, line and column on syntax errors.

pyoxigraph's parser is used for all backends: it streams, is fast and reports positions, so a file
that does not parse gives the same ParseError whichever store it was meant for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from e2kg.errors import ParseError
from e2kg.store.media import readable_media_type
from e2kg.store.terms import subject_to_oxigraph, to_oxigraph

_POSITION = re.compile(r"line (\d+) column (\d+)")


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
