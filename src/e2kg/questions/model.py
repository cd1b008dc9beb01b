"""The parts of a question as the catalogue metadata describes them (plain, immutable values)."""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = ("de", "en")
"""Languages every title, explanation and label is given in; the first is the fallback."""

DISPLAYS = ("table", "bar", "portfolio", "list")
"""How an answer is shown: a table only, or a table with a bar chart, a portfolio chart, a list."""

PARAMETER_TYPES = ("concept", "resource", "text", "words", "integer")
"""``concept``: a slug of a SKOS concept of ``scheme``; ``resource``: a slug under ``base`` naming
a resource the graph describes; ``text``: a string; ``words``: up to ``max_words`` search words,
bound to ``?<name>1`` .. ``?<name>N``; ``integer``: a whole number between ``minimum`` and ``maximum``."""

Text = dict[str, str]
"""A text by language code (``de``, ``en``)."""


@dataclass(frozen=True)
class Parameter:
    """One query-string parameter of a question, bound as a typed RDF term."""

    name: str
    type: str
    label: Text
    required: bool = False
    default: str | None = None
    example: str | None = None
    base: str | None = None
    """IRI prefix a concept or resource slug is appended to."""
    scheme: str | None = None
    """The concept scheme a ``concept`` must be in."""
    max_words: int = 5
    minimum: int | None = None
    maximum: int | None = None

    def variables(self) -> list[str]:
        """The query variables this parameter binds."""
        if self.type == "words":
            return [f"{self.name}{index}" for index in range(1, self.max_words + 1)]
        return [self.name]


@dataclass(frozen=True)
class Column:
    """A column of the answer: a variable of the query (or a ``_de``/``_en`` pair) and its heading."""

    name: str
    label: Text
    link: str | None = None
    """Another column holding the IRI this column's value links to."""


@dataclass(frozen=True)
class Chart:
    """Which columns a chart draws: categories, series and the value (all column names)."""

    category: str
    value: str
    value_label: Text
    series: str | None = None
    category_detail: str | None = None
    period: str | None = None
    """Portfolio only: the column naming the period of a row."""
    period_order: str | None = None
    measure: str | None = None
    """Portfolio only: the column holding the role a mean share is about (driver or user)."""


@dataclass(frozen=True)
class Question:
    """A ready-made question: its query, metadata and how to show the answer."""

    id: str
    title: Text
    explanation: Text
    query: str
    parameters: tuple[Parameter, ...]
    columns: tuple[Column, ...]
    display: str
    chart: Chart | None = None
    rests_on: str | None = None
    """The column naming the finding, quote or Q&A a row rests on; such a row cites its sentence."""
    variables: tuple[str, ...] = field(default_factory=tuple)
    """The variables the query projects."""
    position: int = 1000
    """Where the question stands in the catalogue (the issue's numbering)."""
    bind: str = "substitute"
    """How parameter values reach the query: ``substitute`` (the store's bindings) or ``values``
    (IRIs as a VALUES block at the start of the WHERE group, which Oxigraph plans from, literals
    substituted: ``e2kg.resources.binding``; far faster where the bound resource should drive the
    query, e.g. ``mentions``)."""

    def parameter(self, name: str) -> Parameter | None:
        """The parameter called ``name``, or None."""
        return next((parameter for parameter in self.parameters if parameter.name == name), None)

    def text(self, texts: Text, language: str) -> str:
        """``texts`` in ``language`` (German when missing)."""
        return texts.get(language) or texts[LANGUAGES[0]]
