"""Reading a SPARQL 1.1 Protocol request: which operation, its text and its dataset.

The rules of the W3C protocol, section 2: a query by GET (``query=``), by POST form-encoded or by
POST ``application/sparql-query``; an update only by POST (form ``update=`` or
``application/sparql-update``); exactly one operation per request; the body of a direct POST is
UTF-8. Violations are client errors: 400, 405 (update by GET) or 415 (any other body type).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from flask import Request
from rdflib import URIRef

from e2kg.errors import InputError, MethodNotAllowed, UnsupportedMediaType
from e2kg.store import Dataset
from e2kg.store.terms import is_absolute_iri

QUERY_CONTENT_TYPE = "application/sparql-query"
UPDATE_CONTENT_TYPE = "application/sparql-update"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class Operation(Enum):
    """What a protocol request asks for."""

    QUERY = "query"
    UPDATE = "update"


@dataclass(frozen=True)
class ProtocolRequest:
    """One operation with its text and the graphs the protocol parameters name."""

    operation: Operation
    text: str
    default_graphs: list[URIRef] = field(default_factory=list)
    named_graphs: list[URIRef] = field(default_factory=list)

    @property
    def dataset(self) -> Dataset | None:
        """The protocol dataset of a query; None for the service default (union of all graphs)."""
        if self.default_graphs or self.named_graphs:
            return Dataset(default=self.default_graphs, named=self.named_graphs)
        return None


def read_request(request: Request) -> ProtocolRequest | None:
    """The operation ``request`` carries; None for a GET without ``query`` (page or description)."""
    if request.method in ("GET", "HEAD"):
        if "update" in request.args:
            raise MethodNotAllowed(
                "SPARQL Update is accepted by POST only (form 'update=' or "
                f"{UPDATE_CONTENT_TYPE}), never by GET",
                allowed=["POST"],
            )
        text = _single(request.args.getlist("query"), "query")
        if text is None:
            return None
        return _with_dataset(Operation.QUERY, text, request.args.getlist, "query")
    content_type = request.mimetype
    if content_type == FORM_CONTENT_TYPE:
        form = request.form
        queries, updates = form.getlist("query"), form.getlist("update")
        if queries and updates:
            raise InputError("a request carries either 'query' or 'update', not both")
        if updates:
            text = _single(updates, "update")
            assert text is not None
            return _with_dataset(Operation.UPDATE, text, form.getlist, "update")
        text = _single(queries, "query")
        if text is None:
            raise InputError("missing the 'query' or 'update' parameter in the form")
        return _with_dataset(Operation.QUERY, text, form.getlist, "query")
    if content_type in (QUERY_CONTENT_TYPE, UPDATE_CONTENT_TYPE):
        operation = Operation.QUERY if content_type == QUERY_CONTENT_TYPE else Operation.UPDATE
        for name in ("query", "update"):
            if name in request.args:
                raise InputError(
                    f"a {content_type} request carries its {operation.value} in the body; "
                    f"the URL must not carry '{name}' as well"
                )
        return _with_dataset(operation, _utf8_body(request), request.args.getlist, operation.value)
    raise UnsupportedMediaType(
        "a SPARQL request is sent as "
        f"{FORM_CONTENT_TYPE}, {QUERY_CONTENT_TYPE} or {UPDATE_CONTENT_TYPE}, "
        + (f"not {content_type!r}" if content_type else "and this one has no Content-Type"),
        detail={"supported": [FORM_CONTENT_TYPE, QUERY_CONTENT_TYPE, UPDATE_CONTENT_TYPE]},
    )


def _with_dataset(
    operation: Operation, text: str, values: Callable[[str], list[str]], name: str
) -> ProtocolRequest:
    if operation is Operation.QUERY:
        default, named = values("default-graph-uri"), values("named-graph-uri")
    else:
        default, named = values("using-graph-uri"), values("using-named-graph-uri")
    return ProtocolRequest(
        operation,
        text,
        default_graphs=[_iri(value, name) for value in default],
        named_graphs=[_iri(value, name) for value in named],
    )


def _iri(value: str, name: str) -> URIRef:
    value = value.strip()
    if not is_absolute_iri(value):
        raise InputError(f"a graph IRI of this {name} request is not an absolute IRI: {value!r}")
    return URIRef(value)


def _single(values: list[str], name: str) -> str | None:
    if not values:
        return None
    if len(values) > 1:
        raise InputError(f"exactly one '{name}' parameter is allowed, got {len(values)}")
    return values[0]


def _utf8_body(request: Request) -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(
            f"the body must be UTF-8 (the SPARQL 1.1 Protocol), not charset={charset}"
        )
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"the body is not valid UTF-8 (byte {e.start})") from e
