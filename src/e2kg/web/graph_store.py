"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol with indirect graph identification.

``?graph=IRI`` names a graph, ``?default`` the default graph (the union of all named graphs, so it is
read-only here), neither the whole dataset (N-Quads or TriG). GET and HEAD are for everyone; PUT
(replace), POST (add) and DELETE need the update token.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from rdflib import URIRef

from e2kg.errors import InputError, MethodNotAllowed, NotAcceptable, NotFound
from e2kg.store.base import DUMP_MEDIA_TYPES
from e2kg.store.media import readable_media_type
from e2kg.store.terms import is_absolute_iri
from e2kg.submissions.gate import graph_change
from e2kg.web.access import require_write_token
from e2kg.web.context import get_settings, get_store, read_web_query
from e2kg.web.cors import allow_cross_origin
from e2kg.web.negotiation import (
    ALIASES,
    GRAPH_MEDIA_TYPES,
    STORE_MEDIA_TYPE,
    best_match,
    with_charset,
)
from e2kg.web.results import get_runner, started
from e2kg.web.write_gate import write_gate

blueprint = Blueprint("graph_store", __name__)
blueprint.after_request(allow_cross_origin)

SINGLE_GRAPH_TYPES = GRAPH_MEDIA_TYPES[:4]
"""A graph is answered as Turtle, N-Triples, JSON-LD or RDF/XML."""


@blueprint.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    """Dispatch on the method and the graph the request names."""
    graph = requested_graph()
    if request.method in ("GET", "HEAD"):
        response = read_graph(graph) if graph != "dataset" else read_dataset()
        if request.method == "HEAD":
            response.response = []
        return response
    require_write_token(get_settings(), request)
    if not isinstance(graph, URIRef):
        raise MethodNotAllowed(
            "the default graph of this service is the union of all named graphs and the "
            "dataset is the sum of them: write to a named graph with ?graph=IRI",
            allowed=["GET", "HEAD"],
        )
    store = get_store()
    existed = graph in store.graphs()
    if request.method == "DELETE":
        if not existed:
            raise NotFound(f"there is no graph {graph}")
        with write_gate(graph_change(graph, body=None, media_type="", replace=True)) as refusal:
            if refusal is not None:
                return refusal
            store.drop_graph(graph)
        get_runner().store_changed()
        return Response(status=204)
    media_type = readable_media_type(request.content_type or "")
    body = request.get_data()
    change = graph_change(graph, body=body, media_type=media_type, replace=request.method == "PUT")
    with write_gate(change) as refusal:  # SHACL gate: 422 or the dry-run report
        if refusal is not None:
            return refusal
        if request.method == "PUT":
            store.replace_graph(graph, body, media_type=media_type)
        else:
            store.load(body, media_type=media_type, graph=graph)
    get_runner().store_changed()
    return Response(status=204 if existed else 201)


def requested_graph() -> URIRef | str:
    """The named graph IRI, ``"default"`` or ``"dataset"`` (neither parameter)."""
    names = request.args.getlist("graph")
    if names and "default" in request.args:
        raise InputError("name either ?graph=IRI or ?default, not both")
    if len(names) > 1:
        raise InputError("exactly one 'graph' parameter is allowed")
    if names:
        iri = names[0].strip()
        if not is_absolute_iri(iri):
            raise InputError(f"graph must be an absolute IRI, not {iri!r}")
        return URIRef(iri)
    return "default" if "default" in request.args else "dataset"


def read_graph(graph: URIRef | str) -> Response:
    """One graph (a named one or the default graph) in the negotiated RDF type."""
    media_type = best_match(
        request.accept_mimetypes,
        SINGLE_GRAPH_TYPES,
        {k: v for k, v in ALIASES["graph"].items() if v in SINGLE_GRAPH_TYPES},
    )
    if media_type is None:
        raise NotAcceptable(
            f"a graph is available as {', '.join(SINGLE_GRAPH_TYPES)}",
            detail={"supported": list(SINGLE_GRAPH_TYPES)},
        )
    store = get_store()
    if isinstance(graph, URIRef):
        if graph not in store.graphs():
            raise NotFound(f"there is no graph {graph}")
        result = store.query_raw(
            read_web_query("graph-triples.rq"),
            STORE_MEDIA_TYPE.get(media_type, media_type),
            bindings={"graph": graph},
        )
    else:
        result = store.query_raw(read_web_query("default-graph-triples.rq"), media_type)
    response = Response(started(result.chunks), content_type=with_charset(media_type))
    response.headers["Vary"] = "Accept"
    return response


def read_dataset() -> Response:
    """Every named graph with its name, as N-Quads or TriG."""
    media_type = best_match(request.accept_mimetypes, DUMP_MEDIA_TYPES)
    if media_type is None:
        raise NotAcceptable(
            f"the dataset is available as {', '.join(DUMP_MEDIA_TYPES)}; "
            "name one graph with ?graph=IRI for the triple formats",
            detail={"supported": list(DUMP_MEDIA_TYPES)},
        )
    chunks = get_store().dump(media_type)
    response = Response(started(chunks), content_type=with_charset(media_type))
    response.headers["Vary"] = "Accept"
    return response
