"""``/healthz``: liveness of the service, whether its store answers, and the query admission state.

It never waits behind SPARQL queries: the trivial ``ASK {}`` runs on the service's own store in the
request's thread, not on a query worker, and the admission limits keep gunicorn's threads from all
being held by waiting queries (docs/security.md, "Limits").
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from e2kg.errors import E2kgError
from e2kg.web.admission import remember_client
from e2kg.web.context import get_store, read_web_query
from e2kg.web.results import get_runner

blueprint = Blueprint("health", __name__)
blueprint.before_app_request(remember_client)  # app-wide: every query is admitted per client


@blueprint.get("/healthz")
def healthz() -> Response:
    """200 with ``store.reachable: true`` when a trivial query succeeds, else 503."""
    store = get_store()
    try:
        store.ask(read_web_query("store-reachable.rq"))
        reachable, problem = True, None
    except E2kgError as error:
        reachable, problem = False, error.message
    store_state: dict[str, object] = {
        "backend": store.name,
        "reachable": reachable,
        "writable": store.writable,
    }
    if problem is not None:
        store_state["problem"] = problem
    document: dict[str, object] = {
        "status": "ok" if reachable else "unavailable",
        "store": store_state,
    }
    queries = get_runner().state()
    if queries is not None:
        document["queries"] = queries
    response = jsonify(document)
    response.status_code = 200 if reachable else 503
    response.headers["Cache-Control"] = "no-store"
    return response
