"""``/search?q=``: full-text search over labels and texts, with type filters (``type=``, repeatable).

HTML for browsers, JSON for programs (``Accept: application/json`` or ``format=json``). The index
is built in the background from start-up and after writes (``e2kg.search.index``): a search waits
up to ``WAIT`` seconds for a running rebuild, then answers from the previous index (``stale``);
before the first build is done it gets 503 with Retry-After.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState

from e2kg.resources.iris import IriMapper
from e2kg.search import KINDS, SearchIndex
from e2kg.search.index import IndexBuilding
from e2kg.web.context import STORE_KEY, get_settings, get_store
from e2kg.web.errors import error_response
from e2kg.web.resources import request_language

blueprint = Blueprint("search", __name__)

INDEX_KEY = "e2kg.search-index"
PAGE_SIZE = 20
WAIT = 2.0
"""Seconds a search waits for a running rebuild before answering from the previous index."""


@blueprint.record_once
def _build_at_start(state: BlueprintSetupState) -> None:
    """Start building the index when the application starts, so the first search needs no wait."""
    index = SearchIndex(state.app.extensions[STORE_KEY], wait=WAIT)
    state.app.extensions[INDEX_KEY] = index
    index.start_refresh()


def get_index() -> SearchIndex:
    """The search index of the application's store (created on first use)."""
    index: SearchIndex | None = current_app.extensions.get(INDEX_KEY)
    if index is None:
        index = current_app.extensions.setdefault(INDEX_KEY, SearchIndex(get_store(), wait=WAIT))
    return index


@blueprint.get("/search")
def search() -> Response | str:
    """Search results (an empty query shows the form)."""
    query = request.args.get("q", "").strip()
    kinds = [kind for kind in request.args.getlist("type") if kind]
    language = request_language()
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    try:
        results = get_index().search(
            query, kinds=kinds, language=language, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    except IndexBuilding as building:
        response = error_response(503, {"error": building.code, "message": str(building)})
        response.headers["Retry-After"] = "5"
        return response
    mapper = IriMapper(get_settings().base_iri)
    wants_json = request.args.get("format") == "json" or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )
    if wants_json:
        return jsonify(
            {
                "query": query,
                "total": results.total,
                "stale": results.stale,
                "kinds": results.kind_counts,
                "hits": [
                    {
                        "iri": hit.iri,
                        "href": mapper.local_path(hit.iri),
                        "kind": hit.kind,
                        "label": hit.label,
                        "snippet": hit.snippet,
                        "score": hit.score,
                    }
                    for hit in results.hits
                ],
            }
        )
    return render_template(
        "search.html",
        query=query,
        kinds=kinds,
        all_kinds=list(KINDS),
        results=results,
        page=page,
        page_size=PAGE_SIZE,
        language=language,
        href=lambda iri: mapper.local_path(iri) or iri,
    )
