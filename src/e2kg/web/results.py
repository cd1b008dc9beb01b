"""Answering a SPARQL query over HTTP: the remote-access check, negotiation, the streamed result.

The first chunk is produced before the response starts, so an error that happens before any output
(syntax, timeout, store down) still gets its proper status. The result is never truncated.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, current_app, request

from e2kg.errors import NotAcceptable, QuerySyntaxError
from e2kg.query_runner import QueryRunner
from e2kg.store import QueryForm, RawResult
from e2kg.store.syntax import query_form as lexical_form
from e2kg.web.context import get_settings
from e2kg.web.federation import check_remote_access
from e2kg.web.negotiation import negotiate_header
from e2kg.web.prefixes import PrefixedText
from e2kg.web.protocol import ProtocolRequest

RUNNER_KEY = "e2kg.query_runner"
PREFIXES_KEY = "e2kg.prefixes"


def get_runner() -> QueryRunner:
    """The query runner of the current application."""
    runner: QueryRunner = current_app.extensions[RUNNER_KEY]
    return runner


def get_prefixes() -> dict[str, str]:
    """The graph's own prefixes, collected at start-up."""
    prefixes: dict[str, str] = current_app.extensions[PREFIXES_KEY]
    return prefixes


def query_form(operation: ProtocolRequest, prefixed: PrefixedText) -> QueryForm:
    """The form of the query; a syntax error points into the client's text.

    The remote-access check comes first: finding the form may evaluate the query on an empty
    store, and a SERVICE call must not happen even there. With worker processes the form is read
    by the lexer only (``QueryRunner.form_of``): an ASK evaluated on an empty store can still run
    for ever, and in this process nothing could stop it; the worker's parser reports syntax.
    """
    check_remote_access(operation.text, get_settings().remote_allow, get_prefixes())
    try:
        return get_runner().form_of(prefixed.text)
    except QuerySyntaxError as error:
        raise prefixed.restore_position(error) from error


def execute(operation: ProtocolRequest, prefixed: PrefixedText, media_type: str) -> RawResult:
    """Run the query (after the remote-access check) and return the raw result."""
    check_remote_access(operation.text, get_settings().remote_allow, get_prefixes())
    return _run(operation, prefixed, media_type)


def _run(operation: ProtocolRequest, prefixed: PrefixedText, media_type: str) -> RawResult:
    try:
        return get_runner().run(prefixed.text, media_type, dataset=operation.dataset)
    except QuerySyntaxError as error:
        raise prefixed.restore_position(error) from error


def answer_query(operation: ProtocolRequest, prefixed: PrefixedText) -> Response:
    """The query's result in the negotiated media type, streamed.

    The form for negotiation comes from the lexer; the engine parses the query once, when it runs
    (a syntax error is then a 400 as before). Only when negotiation fails is the query parsed
    first, so that a syntax error still wins over 406.
    """
    check_remote_access(operation.text, get_settings().remote_allow, get_prefixes())
    try:
        form = lexical_form(prefixed.text)
    except QuerySyntaxError as error:
        raise prefixed.restore_position(error) from error
    try:
        choice = negotiate_header(form, request.headers.get("Accept"), request.values.get("format"))
    except NotAcceptable:
        query_form(operation, prefixed)  # a syntax error comes first
        raise
    result = _run(operation, prefixed, choice.store_media_type)
    response = Response(started(result.chunks), content_type=choice.content_type)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-store"
    if request.method == "HEAD":
        response.response = []
    return response


def started(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks with the first one already produced, so errors before any output get a status."""
    first = next(chunks, None)

    def stream() -> Iterator[bytes]:
        try:
            if first is not None:
                yield first
            yield from chunks
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    return stream()
