"""The media types stores produce and read, and the check that a type fits a query form."""

from __future__ import annotations

from e2kg.errors import NotAcceptable, UnsupportedMediaType
from e2kg.store.base import (
    ASK_MEDIA_TYPES,
    DUMP_MEDIA_TYPES,
    GRAPH_MEDIA_TYPES,
    SELECT_MEDIA_TYPES,
    QueryForm,
)

RDFLIB_GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
"""rdflib serialiser names by media type."""

RDFLIB_RESULT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
}
"""rdflib result serialiser names by media type (TSV is written by ``e2kg.store.results``)."""

READABLE_MEDIA_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/ld+json",
    "application/rdf+xml",
)
"""Media types ``Store.load`` and ``Store.replace_graph`` read."""


def essence(media_type: str) -> str:
    """``media_type`` in lower case without parameters (``text/turtle; charset=utf-8``)."""
    return media_type.split(";", 1)[0].strip().lower()


def media_types_for(form: QueryForm) -> tuple[str, ...]:
    """The media types a result of ``form`` can be serialised in."""
    if form is QueryForm.SELECT:
        return SELECT_MEDIA_TYPES
    if form is QueryForm.ASK:
        return ASK_MEDIA_TYPES
    return GRAPH_MEDIA_TYPES


def result_media_type(form: QueryForm, media_type: str) -> str:
    """The canonical ``media_type`` for a result of ``form``; NotAcceptable when it does not fit."""
    wanted = essence(media_type)
    offered = media_types_for(form)
    if wanted not in offered:
        raise NotAcceptable(
            f"a {form.value} result cannot be given as {wanted}; available: {', '.join(offered)}"
        )
    return wanted


def dump_media_type(media_type: str) -> str:
    """The canonical ``media_type`` of a dump; NotAcceptable when it is not a dataset format."""
    wanted = essence(media_type)
    if wanted not in DUMP_MEDIA_TYPES:
        raise NotAcceptable(
            f"a dump cannot be given as {wanted}; available: {', '.join(DUMP_MEDIA_TYPES)}"
        )
    return wanted


def readable_media_type(media_type: str) -> str:
    """The canonical ``media_type`` of an input document; UnsupportedMediaType when unknown."""
    wanted = essence(media_type)
    if wanted not in READABLE_MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"cannot read {wanted}; readable: {', '.join(READABLE_MEDIA_TYPES)}"
        )
    return wanted
