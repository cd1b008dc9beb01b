"""Server-side SVG charts of answers (pygal, no JavaScript): bar charts and the driver portfolio.

The portfolio places each department by its mean share as driver (x) and as user (y) in each
period and joins its two positions with a line (the movement); without any user findings it draws
the driver share per period instead. A department with findings in one period only is flagged in
its legend entry.
"""

from __future__ import annotations

import sys
from typing import Any

import pygal
from pygal.style import DefaultStyle

from e2kg.questions.answering import Answer, Row, Value
from e2kg.questions.model import Chart

# pygal appends an import hook for its optional map plugins (pygal.maps.*) that has no find_spec,
# so every later import warns (an error under the test suite's warnings policy). No map is drawn
# here: take the hook out again.
sys.meta_path[:] = [
    finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)
]

DRIVER = "https://w3id.org/e2kg/id/concept/role/leading"
USER = "https://w3id.org/e2kg/id/concept/role/using"
"""The roles a portfolio's ``measure`` column names."""

WORDS = {
    "de": {
        "driver": "Ø Anteil als Treiber (%)",
        "user": "Ø Anteil als Nutzer (%)",
        "period": "Zeitraum",
        "only": "nur",
        "mean": "Mittelwert",
    },
    "en": {
        "driver": "mean share as driver (%)",
        "user": "mean share as user (%)",
        "period": "period",
        "only": "only",
        "mean": "mean",
    },
}


MAX_CATEGORIES = 40
"""Above this many categories a bar chart shows means per ``category_detail`` (see bar_chart)."""


def render_chart(answer: Answer) -> str | None:
    """The answer's chart as an SVG document, or None when the question has none or no rows."""
    chart = answer.question.chart
    if chart is None or not answer.rows:
        return None
    if answer.question.display == "portfolio":
        return portfolio_chart(answer, chart)
    return bar_chart(answer, chart)


def _options(answer: Answer) -> dict[str, Any]:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "style": DefaultStyle,
        "title": answer.question.text(answer.question.title, answer.language),
        "legend_at_bottom": True,
        "truncate_legend": -1,
        "truncate_label": -1,
        "print_values": False,
        "width": 900,
        "height": 520,
    }


def bar_chart(answer: Answer, chart: Chart) -> str:
    """Bars of ``chart.value`` per category, one series per ``chart.series`` value.

    With more than ``MAX_CATEGORIES`` categories (thousands of studies in a large graph) and a
    ``category_detail`` column, the bars aggregate: the mean value per detail (e.g. per year).
    """
    single = answer.question.text(chart.value_label, answer.language)
    numbers = [
        (row, float(value))
        for row in answer.rows
        if isinstance(value := row.values.get(chart.value), int | float)
        and not isinstance(value, bool)
    ]
    aggregate = chart.category_detail is not None and (
        len({_category(row, chart) for row, _ in numbers}) > MAX_CATEGORIES
    )
    categories: list[str] = []
    series: dict[str, dict[str, list[float]]] = {}
    for row, value in numbers:
        detail = _text(row.values.get(chart.category_detail or ""))
        category = detail if aggregate else _category(row, chart)
        if category not in categories:
            categories.append(category)
        name = _text(row.values.get(chart.series)) if chart.series else single
        values = series.setdefault(name, {}).setdefault(category, [])
        if aggregate:
            values.append(value)
        else:
            values[:] = [value]  # one value per category and series: the last row's
    if aggregate:
        categories.sort()
    bars = pygal.Bar(**_options(answer), x_label_rotation=20)
    bars.x_labels = categories
    bars.y_title = f"{single}, {WORDS[answer.language]['mean']}" if aggregate else single
    for name, by_category in series.items():
        bars.add(
            name,
            [
                sum(by_category[c]) / len(by_category[c]) if c in by_category else None
                for c in categories
            ],
        )
    return str(bars.render(is_unicode=True))


def portfolio_chart(answer: Answer, chart: Chart) -> str:
    """Departments' mean shares in both periods, joined by a line from the earlier to the later."""
    words = WORDS[answer.language]
    periods: dict[str, float] = {}
    positions: dict[str, dict[str, dict[str, float]]] = {}
    for row in answer.rows:
        assert chart.period is not None and chart.measure is not None
        period = _text(row.values.get(chart.period))
        order = row.values.get(chart.period_order) if chart.period_order else 0
        periods.setdefault(period, float(order) if isinstance(order, int | float) else 0.0)
        value = row.values.get(chart.value)
        if not isinstance(value, int | float):
            continue
        department = _text(row.values.get(chart.category))
        measure = "user" if row.values.get(chart.measure) == USER else "driver"
        positions.setdefault(department, {}).setdefault(period, {})[measure] = float(value)
    ordered = sorted(periods, key=lambda period: periods[period])
    with_users = any(
        "user" in point for by_period in positions.values() for point in by_period.values()
    )
    options = _options(answer)
    if with_users:
        drawing: Any = pygal.XY(**options, stroke=True, dots_size=5)
        drawing.x_title, drawing.y_title = words["driver"], words["user"]
    else:
        drawing = pygal.Line(**options, dots_size=5)
        drawing.x_labels = ordered
        drawing.x_title, drawing.y_title = words["period"], words["driver"]
    for department, by_period in positions.items():
        present = [period for period in ordered if "driver" in by_period.get(period, {})]
        name = department
        if len(present) == 1 and len(ordered) > 1:
            name = f"{department} ({words['only']} {present[0]})"
        points: list[dict[str, Any] | None]
        if with_users:
            points = [
                {
                    "value": (by_period[p]["driver"], by_period[p].get("user", 0.0)),
                    "label": f"{department} {p}",
                }
                for p in present
            ]
        else:
            points = [
                {"value": by_period[p]["driver"], "label": f"{department} {p}"}
                if p in present
                else None
                for p in ordered
            ]
        drawing.add(name, points)
    return str(drawing.render(is_unicode=True))


def _category(row: Row, chart: Chart) -> str:
    category = _text(row.values.get(chart.category))
    if chart.category_detail:
        detail = row.values.get(chart.category_detail)
        if detail is not None and str(detail) not in category:
            category = f"{category} ({detail})"
    return category


def _text(value: Value) -> str:
    return "" if value is None else str(value)
