"""Turns query-string values into typed RDF terms for a question's query, or says what is wrong.

A bad value is an InputError (400) naming the parameter; values are never formatted into the
query text, they are bound through the store's ``bindings``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from e2kg.errors import InputError
from e2kg.questions.model import Parameter, Question
from e2kg.store import Store

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*$")
WORD = re.compile(r"\w[\w-]*")
MAX_TEXT = 200


class ParameterError(InputError):
    """A parameter value is missing, malformed or names nothing the graph knows."""

    code = "bad-parameter"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"parameter {parameter!r}: {message}", detail={"parameter": parameter})
        self.parameter = parameter


@cache
def check_query(name: str) -> str:
    """The text of ``queries/questions/<name>.rq``."""
    path = files("e2kg").joinpath("queries", "questions", f"{name}.rq")
    return path.read_text(encoding="utf-8")


def bind_parameters(
    question: Question, values: Mapping[str, str], store: Store | None = None
) -> tuple[dict[str, Node], dict[str, str]]:
    """The bindings for ``values`` (query-string name -> text) and the values used, defaults included.

    Unknown names and bad values raise ParameterError; with a ``store``, concepts and resources are
    checked to exist. An optional parameter without value and default stays unbound (matches all).
    """
    for name in values:
        if question.parameter(name) is None:
            known = ", ".join(parameter.name for parameter in question.parameters) or "none"
            raise ParameterError(
                name, f"question {question.id!r} has no such parameter (known: {known})"
            )
    bindings: dict[str, Node] = {}
    used: dict[str, str] = {}
    for parameter in question.parameters:
        raw = values.get(parameter.name)
        if raw is not None:
            raw = raw.strip()
        if not raw:
            if parameter.required:
                example = f", e.g. {parameter.example!r}" if parameter.example else ""
                raise ParameterError(parameter.name, f"a value is required{example}")
            raw = parameter.default
        if raw is None:
            continue
        used[parameter.name] = raw
        bindings.update(bind_one(parameter, raw, store))
    return bindings, used


def bind_one(parameter: Parameter, raw: str, store: Store | None) -> dict[str, Node]:
    """The variables ``parameter`` binds for the value ``raw``."""
    if parameter.type in ("concept", "resource"):
        term = _iri(parameter, raw)
        if store is not None:
            if parameter.type == "concept":
                assert parameter.scheme is not None
                known = store.ask(
                    check_query("concept-in-scheme"),
                    bindings={"concept": term, "scheme": URIRef(parameter.scheme)},
                )
                what = f"a concept of {parameter.scheme}"
            else:
                known = store.ask(check_query("resource-described"), bindings={"resource": term})
                what = "a resource the graph describes"
            if not known:
                raise ParameterError(parameter.name, f"{raw!r} is not {what}")
        return {parameter.name: term}
    if parameter.type == "integer":
        try:
            number = int(raw)
        except ValueError:
            raise ParameterError(parameter.name, f"{raw!r} is not a whole number") from None
        if parameter.minimum is not None and number < parameter.minimum:
            raise ParameterError(parameter.name, f"must be at least {parameter.minimum}")
        if parameter.maximum is not None and number > parameter.maximum:
            raise ParameterError(parameter.name, f"must be at most {parameter.maximum}")
        return {parameter.name: Literal(number, datatype=XSD.integer)}
    if len(raw) > MAX_TEXT:
        raise ParameterError(parameter.name, f"longer than {MAX_TEXT} characters")
    if parameter.type == "text":
        return {parameter.name: Literal(raw)}
    words = list(dict.fromkeys(word.lower() for word in WORD.findall(raw)))
    if not words:
        raise ParameterError(parameter.name, f"{raw!r} holds no word to search for")
    if len(words) > parameter.max_words:
        raise ParameterError(parameter.name, f"at most {parameter.max_words} words")
    return {f"{parameter.name}{index}": Literal(word) for index, word in enumerate(words, 1)}


def _iri(parameter: Parameter, raw: str) -> URIRef:
    assert parameter.base is not None
    slug = raw[len(parameter.base) :] if raw.startswith(parameter.base) else raw
    if not SLUG.match(slug):
        raise ParameterError(
            parameter.name,
            f"{raw!r} is not a name under {parameter.base} (lower-case letters, digits, '-', '/')",
        )
    return URIRef(parameter.base + slug)
