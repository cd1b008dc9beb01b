"""One handler for every error: JSON for programs, an HTML page for browsers, chosen by ``Accept``.

E2kgError carries its own status and code; Werkzeug's HTTP errors (404, 405, 413) are answered in
the same shape; anything else is a 500 that does not leak internals.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from e2kg.errors import E2kgError
from e2kg.web.negotiation import prefers_html

LOGGER = logging.getLogger(__name__)

HTTP_ERROR_CODES = {
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
}


def init_app(app: Flask) -> None:
    """Register the handlers on ``app``."""
    app.register_error_handler(E2kgError, handle_e2kg_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected_error)


def handle_e2kg_error(error: E2kgError) -> Response:
    """An error e2kg raised on purpose, with its status, machine-readable code and headers."""
    response = error_response(error.status, error.to_dict())
    response.headers.update(error.headers)
    return response


def handle_http_exception(error: HTTPException) -> Response:
    """Werkzeug's HTTP errors in the same shape as e2kg's."""
    status = error.code or 500
    body: dict[str, object] = {
        "error": HTTP_ERROR_CODES.get(status, "http-error"),
        "message": error.description or error.name,
    }
    response = error_response(status, body)
    if status == 405 and error.get_response().headers.get("Allow"):
        response.headers["Allow"] = error.get_response().headers["Allow"]
    return response


def handle_unexpected_error(error: Exception) -> Response:
    """A fault of the server: logged in full, answered without internals."""
    if isinstance(error, HTTPException):  # pragma: no cover - routed to its own handler
        return handle_http_exception(error)
    LOGGER.exception("unexpected error while answering %s %s", request.method, request.path)
    return error_response(500, {"error": "internal-error", "message": "internal server error"})


def error_response(status: int, body: dict[str, object]) -> Response:
    """``body`` as JSON, or as an HTML page when the client prefers HTML."""
    if wants_html():
        html = render_template("error.html", status=status, error=body)
        return Response(html, status=status, mimetype="text/html")
    response = jsonify(body)
    response.status_code = status
    return response


def wants_html() -> bool:
    """Whether the client asked for HTML rather than JSON (a browser does)."""
    return prefers_html(request.headers.get("Accept"))
