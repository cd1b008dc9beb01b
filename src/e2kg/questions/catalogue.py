"""Reads and checks the question catalogue: ``catalogue/<id>.rq`` + ``catalogue/<id>.json``.

Every check runs when the catalogue is loaded (application start, ``e2kg ask``, the test suite),
so a wrong question never reaches a request; each failure names the file and what to fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from rdflib.plugins.sparql import prepareQuery

from e2kg.errors import ConfigError, NotFound
from e2kg.questions.model import (
    DISPLAYS,
    LANGUAGES,
    PARAMETER_TYPES,
    Chart,
    Column,
    Parameter,
    Question,
    Text,
)

IDENTIFIER = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOCALISED = re.compile(r"^(?P<name>.+)_(?P<language>de|en)$")
EVIDENCE_COLUMNS = ("sentence", "evidence")
"""A row cites its source with ``article`` + ``sentence``, or (aggregates) with ``evidence``:
lines of ``<article IRI> <sentence>``."""


class CatalogueError(ConfigError):
    """A question file is wrong; the message names the file and what to fix."""

    code = "catalogue-error"


@dataclass(frozen=True)
class Catalogue:
    """The questions by id, in the order of their files."""

    questions: Mapping[str, Question]

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions.values())

    def __len__(self) -> int:
        return len(self.questions)

    def get(self, question_id: str) -> Question:
        """The question ``question_id``; NotFound naming the known ones otherwise."""
        try:
            return self.questions[question_id]
        except KeyError:
            raise NotFound(
                f"no question {question_id!r}; known: {', '.join(self.questions)}"
            ) from None


def catalogue_folder() -> Path:
    """The catalogue shipped with the package."""
    return Path(str(files("e2kg").joinpath("questions", "catalogue")))


@cache
def default_catalogue() -> Catalogue:
    """The package's catalogue, loaded and checked once per process."""
    return load_catalogue(catalogue_folder())


def load_catalogue(folder: Path) -> Catalogue:
    """Every question in ``folder``; raises CatalogueError for the first wrong file."""
    queries = sorted(folder.glob("*.rq"))
    metadata = sorted(folder.glob("*.json"))
    if not queries:
        raise CatalogueError(f"{folder}: no questions (*.rq with a *.json beside it)")
    for path in metadata:
        if not path.with_suffix(".rq").is_file():
            raise CatalogueError(f"{path}: no query {path.with_suffix('.rq').name} beside it")
    loaded = sorted((load_question(path) for path in queries), key=lambda q: (q.position, q.id))
    return Catalogue(questions={question.id: question for question in loaded})


def load_question(query_path: Path) -> Question:
    """The question of ``query_path`` and the ``.json`` beside it, checked."""
    metadata_path = query_path.with_suffix(".json")
    where = str(metadata_path)
    if not metadata_path.is_file():
        raise CatalogueError(f"{query_path}: add its metadata file {metadata_path.name}")
    try:
        data = json.loads(metadata_path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise CatalogueError(f"{where}: not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise CatalogueError(f"{where}: expected a JSON object")
    query = query_path.read_text(encoding="utf-8")
    variables = projected_variables(query, str(query_path))

    question_id = _string(data, "id", where)
    if question_id != query_path.stem or not IDENTIFIER.match(question_id):
        raise CatalogueError(
            f"{where}: 'id' must be the file name {query_path.stem!r} (lower-case words and '-')"
        )
    parameters = tuple(_parameter(item, where) for item in _list(data, "parameters", where))
    names = [parameter.name for parameter in parameters]
    if len(set(names)) != len(names):
        raise CatalogueError(f"{where}: two parameters share a name: {names}")
    for parameter in parameters:
        for variable in parameter.variables():
            if not re.search(rf"[?$]{re.escape(variable)}\b", query):
                raise CatalogueError(
                    f"{query_path}: parameter {parameter.name!r} binds ?{variable}, "
                    "which the query does not use"
                )
    columns_available = available_columns(variables)
    columns = tuple(
        _column(item, where, columns_available) for item in _list(data, "columns", where)
    )
    if not columns:
        raise CatalogueError(f"{where}: 'columns' must list at least one column to show")
    display = _string(data, "display", where)
    if display not in DISPLAYS:
        raise CatalogueError(f"{where}: 'display' must be one of {', '.join(DISPLAYS)}")
    chart = _chart(data.get("chart"), where, columns_available)
    if display in ("bar", "portfolio") and chart is None:
        raise CatalogueError(f"{where}: display {display!r} needs a 'chart' object")
    if display == "portfolio" and (chart is None or not (chart.period and chart.measure)):
        raise CatalogueError(f"{where}: a portfolio chart needs 'period' and 'measure' columns")
    rests_on = data.get("rests_on")
    if rests_on is not None:
        if rests_on not in columns_available:
            raise CatalogueError(f"{where}: 'rests_on' names {rests_on!r}, not a query column")
        if not any(name in columns_available for name in EVIDENCE_COLUMNS):
            raise CatalogueError(
                f"{query_path}: a question resting on findings, quotes or Q&A must select "
                "?sentence (with ?article) or ?evidence"
            )
        if "sentence" in columns_available and "article" not in columns_available:
            raise CatalogueError(f"{query_path}: ?sentence needs ?article beside it")
    bind = data.get("bind", "substitute")
    if bind not in BINDS:
        raise CatalogueError(f"{where}: 'bind' must be one of {', '.join(BINDS)}")
    return Question(
        id=question_id,
        title=_text(data, "question", where),
        explanation=_text(data, "explanation", where),
        query=query,
        parameters=parameters,
        columns=columns,
        display=display,
        chart=chart,
        rests_on=rests_on,
        variables=tuple(variables),
        position=int(data.get("position", 1000)),
        bind=bind,
    )


BINDS = ("substitute", "values")
"""How a question's parameters may be bound (``Question.bind``)."""


def projected_variables(query: str, where: str) -> list[str]:
    """The variables a SELECT query projects; CatalogueError when it does not parse or is no SELECT."""
    try:
        parsed = prepareQuery(query)
    except Exception as error:  # rdflib raises pyparsing errors and others
        raise CatalogueError(f"{where}: the query does not parse: {error}") from error
    if parsed.algebra.name != "SelectQuery":
        raise CatalogueError(f"{where}: a question must be a SELECT query")
    return [str(variable) for variable in parsed.algebra["PV"]]


def available_columns(variables: list[str]) -> set[str]:
    """Column names an answer offers: each variable, and ``x`` for a ``x_de``/``x_en`` pair."""
    names = set(variables)
    for variable in variables:
        match = LOCALISED.match(variable)
        if match:
            names.add(match["name"])
    return names


def _parameter(item: Any, where: str) -> Parameter:
    if not isinstance(item, dict):
        raise CatalogueError(f"{where}: each parameter must be an object")
    name = _string(item, "name", where)
    kind = _string(item, "type", where)
    if kind not in PARAMETER_TYPES:
        raise CatalogueError(
            f"{where}: parameter {name!r} has type {kind!r}; use one of {', '.join(PARAMETER_TYPES)}"
        )
    if kind in ("concept", "resource") and not isinstance(item.get("base"), str):
        raise CatalogueError(f"{where}: parameter {name!r} of type {kind} needs a 'base' IRI")
    if kind == "concept" and not isinstance(item.get("scheme"), str):
        raise CatalogueError(f"{where}: parameter {name!r} of type concept needs a 'scheme' IRI")
    default = item.get("default")
    required = bool(item.get("required", False))
    if required and default is not None:
        raise CatalogueError(f"{where}: parameter {name!r} is required, so it takes no default")
    return Parameter(
        name=name,
        type=kind,
        label=_text(item, "label", where),
        required=required,
        default=None if default is None else str(default),
        example=None if item.get("example") is None else str(item["example"]),
        base=item.get("base"),
        scheme=item.get("scheme"),
        max_words=int(item.get("max_words", 5)),
        minimum=item.get("minimum"),
        maximum=item.get("maximum"),
    )


def _column(item: Any, where: str, available: set[str]) -> Column:
    if not isinstance(item, dict):
        raise CatalogueError(f"{where}: each column must be an object")
    name = _string(item, "name", where)
    if name not in available:
        raise CatalogueError(
            f"{where}: column {name!r} is not selected by the query "
            f"(selected: {', '.join(sorted(available))})"
        )
    link = item.get("link")
    if link is not None and link not in available:
        raise CatalogueError(f"{where}: column {name!r} links to {link!r}, not a query column")
    return Column(name=name, label=_text(item, "label", where), link=link)


def _chart(item: Any, where: str, available: set[str]) -> Chart | None:
    if item is None:
        return None
    if not isinstance(item, dict):
        raise CatalogueError(f"{where}: 'chart' must be an object")
    names = ("category", "value", "series", "category_detail", "period", "period_order", "measure")
    for key in names:
        if item.get(key) is not None and item[key] not in available:
            raise CatalogueError(f"{where}: chart {key} {item[key]!r} is not a query column")
    return Chart(
        category=_string(item, "category", where),
        value=_string(item, "value", where),
        value_label=_text(item, "value_label", where),
        series=item.get("series"),
        category_detail=item.get("category_detail"),
        period=item.get("period"),
        period_order=item.get("period_order"),
        measure=item.get("measure"),
    )


def _string(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise CatalogueError(f"{where}: {key!r} must be a non-empty string")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise CatalogueError(f"{where}: {key!r} must be a list")
    return value


def _text(data: dict[str, Any], key: str, where: str) -> Text:
    value = data.get(key)
    if not isinstance(value, dict) or any(
        not isinstance(value.get(language), str) or not value[language] for language in LANGUAGES
    ):
        raise CatalogueError(f"{where}: {key!r} needs a text in each of {', '.join(LANGUAGES)}")
    return {language: value[language] for language in LANGUAGES}
