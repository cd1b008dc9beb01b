"""SPARQL 1.1 Update over the protocol: the token check, the remote-access check, the dataset.

``using-graph-uri`` / ``using-named-graph-uri`` act as ``USING`` / ``USING NAMED`` on every
``DELETE``/``INSERT ... WHERE`` operation of the request; an update that has its own ``USING`` or
``WITH`` and also such parameters is refused (400), as the protocol says.
"""

from __future__ import annotations

from flask import Response, request

from e2kg.errors import InputError, QuerySyntaxError
from e2kg.store.syntax import top_level
from e2kg.store.terms import iri_ntriples
from e2kg.submissions.gate import update_change
from e2kg.web.access import require_write_token
from e2kg.web.context import get_settings, get_store
from e2kg.web.federation import check_remote_access
from e2kg.web.prefixes import PrefixedText
from e2kg.web.protocol import ProtocolRequest
from e2kg.web.write_gate import write_gate


def run_update(
    operation: ProtocolRequest, prefixed: PrefixedText, prefixes: dict[str, str]
) -> Response:
    """Check the token, then run the update; 204 when it succeeded."""
    settings = get_settings()
    require_write_token(settings, request)
    check_remote_access(operation.text, settings.remote_allow, prefixes)
    text = with_using(prefixed.text, operation)
    store = get_store()
    try:
        with write_gate(update_change(text)) as refusal:  # SHACL gate: 422 or dry-run report
            if refusal is not None:
                return refusal
            store.update(text)
    except QuerySyntaxError as error:
        raise prefixed.restore_position(error) from error
    return Response(status=204)


def with_using(text: str, operation: ProtocolRequest) -> str:
    """``text`` with the protocol's USING graphs before each top-level WHERE of a modify operation."""
    if not operation.default_graphs and not operation.named_graphs:
        return text
    clauses = " ".join(
        [f"USING {iri_ntriples(str(g))}" for g in operation.default_graphs]
        + [f"USING NAMED {iri_ntriples(str(g))}" for g in operation.named_graphs]
    )
    insert_at: list[int] = []
    previous = ""
    for depth, token in top_level(text):
        word = token.text.upper() if token.kind == "word" else ""
        if depth == 0 and word in ("USING", "WITH"):
            raise InputError(
                "the update names its dataset with USING or WITH and the request with "
                "using-graph-uri/using-named-graph-uri: use one of the two"
            )
        if depth == 0 and word == "WHERE" and previous != "DELETE":
            insert_at.append(token.start)
        if depth == 0:
            previous = token.text.upper()
    for position in reversed(insert_at):
        text = f"{text[:position]}{clauses} {text[position:]}"
    return text
