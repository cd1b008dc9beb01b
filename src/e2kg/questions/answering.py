"""Answers a question from the store at request time: rows in the request's language, each with
the article and the exact source sentence it rests on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from e2kg.questions.catalogue import LOCALISED
from e2kg.questions.model import LANGUAGES, Question
from e2kg.questions.parameters import bind_parameters
from e2kg.resources.binding import select_bound
from e2kg.store import Store

Value = str | int | float | bool | None
"""A cell of an answer as a JSON-ready Python value."""

BOOLEAN = XSD.boolean
NUMBERS = {
    XSD.decimal,
    XSD.integer,
    XSD.double,
    XSD.float,
    XSD.positiveInteger,
    XSD.nonNegativeInteger,
    XSD.int,
    XSD.long,
}


@dataclass(frozen=True)
class Citation:
    """Where a row comes from: the article and the exact sentence in it."""

    article: str
    sentence: str
    article_title: str | None = None


@dataclass(frozen=True)
class Row:
    """One row: cell values by column name, and the citations of the facts it rests on."""

    values: dict[str, Value]
    citations: tuple[Citation, ...] = ()
    rests_on: str | None = None
    """The IRI of the finding, quote or Q&A the row rests on (None for other rows)."""


@dataclass(frozen=True)
class Answer:
    """The answer to one question with one set of parameter values, in one language."""

    question: Question
    language: str
    parameters: dict[str, str]
    rows: list[Row] = field(default_factory=list)

    def cell(self, row: Row, column: str) -> Value:
        """The value of ``column`` in ``row`` (None when unbound)."""
        return row.values.get(column)


@dataclass(frozen=True)
class Solutions:
    """What the store returned for a question with some parameter values, in every language."""

    question: Question
    parameters: dict[str, str]
    """The parameter values used (defaults filled in)."""
    rows: list[dict[str, Node]]

    @cached_property
    def cells(self) -> list[dict[str, Value]]:
        """Each row's projected values as JSON-ready values (converted once for every language)."""
        names = self.question.variables
        return [{name: python_value(row.get(name)) for name in names} for row in self.rows]

    def answer(self, language: str) -> Answer:
        """The answer in ``language`` (labels of that language, else of the other)."""
        language = language if language in LANGUAGES else LANGUAGES[0]
        plain, localised = _columns(self.question.variables)
        rows = [_row(self.question, cells, plain, localised, language) for cells in self.cells]
        return Answer(self.question, language, self.parameters, rows)


def answer_question(
    store: Store, question: Question, values: Mapping[str, str], *, language: str = "en"
) -> Answer:
    """Run ``question`` with the parameter ``values`` and return its rows in ``language``."""
    return solve_question(store, question, values).answer(language)


def solve_question(store: Store, question: Question, values: Mapping[str, str]) -> Solutions:
    """Run ``question`` with the parameter ``values``: its solutions, for an answer in any language."""
    bindings, used = bind_parameters(question, values, store)
    if question.bind == "values":
        result = select_bound(store, question.query, bindings)
    else:
        result = store.select(question.query, bindings=bindings)
    return Solutions(question, used, result.rows)


def python_value(term: Node | None) -> Value:
    """A term as a JSON-ready value: numbers and booleans as such, everything else as text."""
    if term is None:
        return None
    if isinstance(term, Literal):
        if term.datatype in NUMBERS:
            number = term.toPython()
            if isinstance(number, Decimal):
                return int(number) if number == number.to_integral_value() else float(number)
            if isinstance(number, int | float):
                return number
        if term.datatype == BOOLEAN:
            return bool(term.toPython())
    return str(term)


@lru_cache(maxsize=256)
def _columns(variables: tuple[str, ...]) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """The plain variables, and each ``x`` of ``x_de``/``x_en`` pairs with its variables in
    language order (LANGUAGES first, then the rest)."""
    plain: list[str] = []
    pairs: dict[str, dict[str, str]] = {}
    for name in variables:
        match = LOCALISED.match(name)
        if match:
            pairs.setdefault(match["name"], {})[match["language"]] = name
        else:
            plain.append(name)
    return tuple(plain), {base: tuple(by.values()) for base, by in pairs.items()}


def _row(
    question: Question,
    cells: dict[str, Value],
    plain: tuple[str, ...],
    localised: dict[str, tuple[str, ...]],
    language: str,
) -> Row:
    values = {name: cells[name] for name in plain}
    suffix = "_" + language
    for base, names in localised.items():
        chosen = cells.get(base + suffix)
        if chosen is None:  # the other language, in the order the query names them
            chosen = next((cells[name] for name in names if cells[name] is not None), None)
        values[base] = chosen
    return Row(
        values=values,
        citations=tuple(_citations(values)),
        rests_on=None if question.rests_on is None else _text(values.get(question.rests_on)),
    )


def _citations(values: dict[str, Value]) -> list[Citation]:
    article, sentence = values.get("article"), values.get("sentence")
    if isinstance(sentence, str) and sentence and isinstance(article, str):
        title = values.get("articleTitle")
        return [Citation(article, sentence, title if isinstance(title, str) else None)]
    evidence = values.get("evidence")
    citations = []
    if isinstance(evidence, str):
        for line in evidence.splitlines():
            iri, _, text = line.partition(" ")
            if iri and text:
                citations.append(Citation(iri, text))
    return list(dict.fromkeys(citations))


def _text(value: Value) -> str | None:
    return None if value is None else str(value)


def local_path(iri: str, base_iri: str) -> str:
    """The path under which this service shows ``iri`` (``/id/...``), or the IRI itself."""
    return "/" + iri[len(base_iri) :] if iri.startswith(base_iri) else iri


def is_iri(term: Node | None) -> bool:
    """Whether ``term`` is an IRI."""
    return isinstance(term, URIRef)
