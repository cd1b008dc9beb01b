"""``/sparql``: the SPARQL 1.1 Protocol query endpoint (GET, POST form, POST direct).

Results come from the store already serialised (``Store.query_raw``) and are streamed through; the
media type is negotiated from ``Accept`` (or chosen with ``format=``) over a table per query form.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, render_template, request
from rdflib import URIRef

from e2kg.errors import Forbidden, InputError, NotAcceptable, UnsupportedMediaType
from e2kg.store import Dataset, QueryForm
from e2kg.store.base import ASK_MEDIA_TYPES, GRAPH_MEDIA_TYPES, SELECT_MEDIA_TYPES
from e2kg.web.context import get_store
from e2kg.web.errors import wants_html

blueprint = Blueprint("sparql", __name__)

MEDIA_TYPES: dict[QueryForm, tuple[str, ...]] = {
    QueryForm.SELECT: SELECT_MEDIA_TYPES,
    QueryForm.ASK: ASK_MEDIA_TYPES,
    QueryForm.CONSTRUCT: GRAPH_MEDIA_TYPES,
    QueryForm.DESCRIBE: GRAPH_MEDIA_TYPES,
}
"""Result media types by query form, the preferred one first."""

ALIASES: dict[str, dict[str, str]] = {
    "results": {
        "application/json": "application/sparql-results+json",
        "application/xml": "application/sparql-results+xml",
        "text/xml": "application/sparql-results+xml",
    },
    "graph": {
        "application/x-turtle": "text/turtle",
        "text/plain": "application/n-triples",
        "application/json": "application/ld+json",
    },
}
"""Media types clients commonly send that stand for one of the table's."""

FORMAT_NAMES: dict[str, dict[str, str]] = {
    "results": {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    },
    "graph": {
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "ntriples": "application/n-triples",
        "nt": "application/n-triples",
        "jsonld": "application/ld+json",
        "json": "application/ld+json",
        "xml": "application/rdf+xml",
        "rdfxml": "application/rdf+xml",
    },
}
"""Values of the ``format`` parameter."""

QUERY_CONTENT_TYPE = "application/sparql-query"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | str:
    """Answer one query; a browser without a query gets the query form."""
    query = read_query()
    if query is None:
        if wants_html():
            return render_template("sparql.html")
        raise InputError("missing the 'query' parameter")
    store = get_store()
    form = store.query_form(query)
    media_type = negotiate(form)
    result = store.query_raw(query, media_type, dataset=requested_dataset())
    body = _started(result.chunks)
    content_type = result.media_type
    if content_type.startswith("text/") or content_type.endswith("json"):
        content_type += "; charset=utf-8"
    response = Response(body, content_type=content_type)
    response.headers["Vary"] = "Accept"
    return response


def read_query() -> str | None:
    """The query of the request per the SPARQL 1.1 Protocol; None when there is none."""
    if request.method == "GET":
        return _single(request.args.getlist("query"))
    content_type = request.mimetype
    if content_type == QUERY_CONTENT_TYPE:
        return request.get_data(as_text=True)
    if content_type == FORM_CONTENT_TYPE:
        if "update" in request.form:
            raise Forbidden("SPARQL Update is not accepted at this endpoint")
        return _single(request.form.getlist("query"))
    if content_type == "application/sparql-update":
        raise Forbidden("SPARQL Update is not accepted at this endpoint")
    raise UnsupportedMediaType(
        f"a query is sent as {QUERY_CONTENT_TYPE} or {FORM_CONTENT_TYPE}, not {content_type!r}"
    )


def negotiate(form: QueryForm) -> str:
    """The result media type for ``form``: ``format=`` if given, else the best match of Accept."""
    offered = MEDIA_TYPES[form]
    family = "results" if form in (QueryForm.SELECT, QueryForm.ASK) else "graph"
    requested_format = request.values.get("format")
    if requested_format:
        media_type = FORMAT_NAMES[family].get(requested_format.lower(), requested_format.lower())
        if media_type in offered:
            return media_type
        raise NotAcceptable(
            f"format {requested_format!r} is not available for {form.value} results; "
            f"available: {', '.join(offered)}",
            detail={"supported": list(offered)},
        )
    accepted = request.accept_mimetypes
    if not accepted:
        return offered[0]
    aliases = ALIASES[family]
    candidates = [*offered, *(alias for alias, target in aliases.items() if target in offered)]
    best = accepted.best_match(candidates)
    if best is None:
        raise NotAcceptable(
            f"none of the accepted media types fits {form.value} results; "
            f"available: {', '.join(offered)}",
            detail={"supported": list(offered)},
        )
    return aliases.get(best, best)


def requested_dataset() -> Dataset | None:
    """The dataset of ``default-graph-uri``/``named-graph-uri``; None for the service default."""
    default = [URIRef(iri) for iri in request.values.getlist("default-graph-uri")]
    named = [URIRef(iri) for iri in request.values.getlist("named-graph-uri")]
    return Dataset(default=default, named=named) if default or named else None


def _single(values: list[str]) -> str | None:
    if not values:
        return None
    if len(values) > 1:
        raise InputError("exactly one 'query' parameter is allowed")
    return values[0]


def _started(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks with the first one already produced, so errors before any output get a status."""
    first = next(chunks, None)

    def stream() -> Iterator[bytes]:
        if first is not None:
            yield first
        yield from chunks

    return stream()
