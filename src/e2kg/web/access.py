"""Who may write: a bearer token equal to ``E2KG_UPDATE_TOKEN``; reads never need one.

No token configured means writes are off for everyone (403). A missing token is 401 with a
``WWW-Authenticate`` challenge, a wrong one 403. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac

from flask import Request

from e2kg.config import Settings
from e2kg.errors import Forbidden, Unauthorized


def require_write_token(settings: Settings, request: Request) -> None:
    """Return when ``request`` carries the update token; raise 401 or 403 otherwise."""
    if settings.update_token is None:
        raise Forbidden(
            "writes are off on this service: no update token is configured (E2KG_UPDATE_TOKEN)"
        )
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized(
            "this operation writes and needs the update token: "
            "send the header 'Authorization: Bearer <token>'"
        )
    if not hmac.compare_digest(
        credentials.strip().encode("utf-8"), settings.update_token.encode("utf-8")
    ):
        raise Forbidden("the bearer token is not the update token of this service")
