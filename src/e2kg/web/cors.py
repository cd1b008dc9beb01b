"""CORS for the public read interfaces, so browser clients on other origins (YASGUI ...) can query.

Any origin may read (``Access-Control-Allow-Origin: *``); credentials are never allowed, so a
browser never sends cookies along. Writes need the bearer token, which a page must send itself.
"""

from __future__ import annotations

from flask import Response, request

ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
ALLOWED_HEADERS = "Accept, Authorization, Content-Type"
EXPOSED_HEADERS = "Content-Type, Content-Length, Location"


def allow_cross_origin(response: Response) -> Response:
    """Add the CORS headers to ``response`` (an ``after_request`` hook of the public blueprints)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
