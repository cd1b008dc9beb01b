"""A bar chart over more studies than fit (a large graph) shows the mean per year instead of a bar
per study; with few studies every study keeps its bar."""

from __future__ import annotations

import re

from e2kg.questions import Answer, default_catalogue
from e2kg.questions.answering import Row
from e2kg.questions.charts import MAX_CATEGORIES, render_chart


def answer_with_studies(count: int) -> Answer:
    question = default_catalogue().get("leading-departments")
    rows = [
        Row(
            {
                "studyName": f"Study {number}",
                "year": str(2000 + number % 3),
                "departmentLabel": department,
                "share": float(share),
            }
        )
        for number in range(count)
        for department, share in (("HR", 10 + number % 3), ("IT", 20))
    ]
    return Answer(question=question, language="en", parameters={}, rows=rows)


def test_few_studies_keep_a_bar_each() -> None:
    svg = render_chart(answer_with_studies(3))
    assert svg is not None
    assert "Study 0" in svg and "Study 2" in svg and "mean" not in svg


def test_many_studies_become_means_per_year() -> None:
    svg = render_chart(answer_with_studies(MAX_CATEGORIES + 5))
    assert svg is not None
    assert "Study 1" not in svg and "share (%), mean" in svg
    for year in ("2000", "2001", "2002"):
        assert year in svg
    # HR's share is 10 + number % 3 in the year 2000 + number % 3: one bar per year and series
    values = re.findall(r'<desc class="value">([^<]*)</desc>', svg)
    assert values == ["10", "11", "12", "20", "20", "20"]
