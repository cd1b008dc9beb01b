"""``/sparql``: the SPARQL 1.1 Protocol endpoint -- query, update, service description, query page.

A request is read by ``protocol``, prefixes are added by ``prefixes``, queries are answered by
``results`` (negotiated by ``negotiation``), updates by ``update``; a GET without a query gets the
service description (RDF clients) or the query page (browsers).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from e2kg.errors import InputError
from e2kg.web.cors import allow_cross_origin
from e2kg.web.description import rdf_response, service_description
from e2kg.web.negotiation import ALIASES, RDF_DOCUMENT_TYPES, best_match
from e2kg.web.prefixes import with_prefixes
from e2kg.web.protocol import Operation, read_request
from e2kg.web.query_page import page_response, wants_page
from e2kg.web.results import answer_query, get_prefixes, get_runner
from e2kg.web.update import run_update

blueprint = Blueprint("sparql", __name__)
blueprint.after_request(allow_cross_origin)


@blueprint.route("/sparql", methods=["GET", "HEAD", "POST"])
def endpoint() -> Response:
    """Answer one query or update; without one, describe the service or show the query page."""
    operation = read_request(request)
    if operation is None:
        described_as = description_type()
        if described_as is not None:
            return rdf_response(service_description(), described_as)
        if wants_page():
            return page_response(None)
        raise InputError(
            "missing the 'query' parameter (GET /sparql?query=..., or POST it); "
            "ask with Accept: text/turtle for the service description"
        )
    prefixes = get_prefixes()
    prefixed = with_prefixes(operation.text, prefixes)
    if operation.operation is Operation.UPDATE:
        response = run_update(operation, prefixed, prefixes)
        get_runner().store_changed()
        return response
    if wants_page():
        return page_response(operation)
    return answer_query(operation, prefixed)


def description_type() -> str | None:
    """The RDF type of the service description when the client names one it prefers over HTML."""
    accept = request.accept_mimetypes
    named = {value for value, quality in accept if quality > 0 and "*" not in value}
    graph_aliases = {k: v for k, v in ALIASES["graph"].items() if v in RDF_DOCUMENT_TYPES}
    if not named & {*RDF_DOCUMENT_TYPES, *graph_aliases}:
        return None
    best = best_match(accept, (*RDF_DOCUMENT_TYPES, "text/html"), graph_aliases)
    return None if best in (None, "text/html") else best
