"""One error hierarchy for the whole package: each error has a machine-readable code and an HTTP status.

Backends translate native errors into these (``raise ... from e``); the web layer answers them as JSON or
HTML, the CLI as a message and an exit code.
"""

from __future__ import annotations


class E2kgError(Exception):
    """Base of every error e2kg raises on purpose."""

    code = "error"
    status = 500

    def __init__(self, message: str, *, detail: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or {}
        self.headers: dict[str, str] = {}
        """HTTP headers the answer must carry (``Allow``, ``WWW-Authenticate``)."""

    def to_dict(self) -> dict[str, object]:
        """The error as a JSON-ready mapping."""
        return {"error": self.code, "message": self.message, **self.detail}


class ConfigError(E2kgError):
    """A setting is missing or wrong; raised at start-up, never at request time."""

    code = "config-error"
    status = 500


class InputError(E2kgError):
    """The client sent something unusable (bad parameter, unparsable document)."""

    code = "bad-input"
    status = 400


class ParseError(InputError):
    """An RDF document did not parse; carries the source, line and column where known."""

    code = "parse-error"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        detail: dict[str, object] = {}
        if source is not None:
            detail["source"] = source
        if line is not None:
            detail["line"] = line
        if column is not None:
            detail["column"] = column
        super().__init__(message, detail=detail)
        self.source = source
        self.line = line
        self.column = column


class QuerySyntaxError(InputError):
    """A SPARQL query or update does not parse."""

    code = "query-syntax"


class UnsupportedMediaType(E2kgError):
    """The request body has a media type e2kg does not read."""

    code = "unsupported-media-type"
    status = 415


class NotAcceptable(E2kgError):
    """None of the media types the client accepts can be produced."""

    code = "not-acceptable"
    status = 406


class NotFound(E2kgError):
    """The named resource, graph or question does not exist."""

    code = "not-found"
    status = 404


class PayloadTooLarge(E2kgError):
    """The request body is over the configured limit."""

    code = "payload-too-large"
    status = 413


class MethodNotAllowed(E2kgError):
    """The HTTP method is not allowed for this operation; ``allowed`` lists the ones that are."""

    code = "method-not-allowed"
    status = 405

    def __init__(self, message: str, *, allowed: list[str]) -> None:
        super().__init__(message, detail={"allowed": allowed})
        self.headers["Allow"] = ", ".join(allowed)


class Unauthorized(E2kgError):
    """A write was attempted without credentials."""

    code = "unauthorized"
    status = 401

    def __init__(self, message: str, *, detail: dict[str, object] | None = None) -> None:
        super().__init__(message, detail=detail)
        self.headers["WWW-Authenticate"] = 'Bearer realm="e2kg"'


class Forbidden(E2kgError):
    """A write was attempted with wrong credentials, or writes are off."""

    code = "forbidden"
    status = 403


class ReadOnlyStore(Forbidden):
    """The configured store accepts no writes."""

    code = "read-only-store"


class QueryTimeout(E2kgError):
    """A query ran longer than the configured timeout and was abandoned."""

    code = "query-timeout"
    status = 503


class Overloaded(E2kgError):
    """Every query slot is busy and the wait queue is full (or the wait ran out); try again later."""

    code = "overloaded"
    status = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, detail={"retry_after": retry_after})
        self.headers["Retry-After"] = str(retry_after)


class TooManyQueries(E2kgError):
    """One client already has as many queries running or waiting as one client may have."""

    code = "too-many-queries"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, detail={"retry_after": retry_after})
        self.headers["Retry-After"] = str(retry_after)


class OperationRefused(E2kgError):
    """A SPARQL operation the service does not run (``SERVICE`` or ``LOAD`` outside the allow-list)."""

    code = "operation-refused"
    status = 403


class StoreUnavailable(E2kgError):
    """The store cannot be reached (remote endpoint down, directory locked)."""

    code = "store-unavailable"
    status = 503


class StoreError(E2kgError):
    """The store failed for a reason that is not the client's fault."""

    code = "store-error"
    status = 500
