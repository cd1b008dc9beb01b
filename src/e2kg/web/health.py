"""``/healthz``: liveness of the service and whether its store answers."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from e2kg.errors import E2kgError
from e2kg.web.context import get_store, read_web_query

blueprint = Blueprint("health", __name__)


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
    response = jsonify({"status": "ok" if reachable else "unavailable", "store": store_state})
    response.status_code = 200 if reachable else 503
    response.headers["Cache-Control"] = "no-store"
    return response
