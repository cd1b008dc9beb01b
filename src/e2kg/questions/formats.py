"""An answer as JSON, CSV or a plain-text table (the HTML page is the web layer's template)."""

from __future__ import annotations

import csv
import io
from typing import Any

from e2kg.questions.answering import Answer, Row, Value

CITATION_SEPARATOR = "\n"


def answer_document(answer: Answer, *, base_iri: str | None = None) -> dict[str, Any]:
    """The answer as a JSON-ready mapping: question, parameters, columns, rows with citations."""
    question = answer.question
    language = answer.language
    return {
        "question": {
            "id": question.id,
            "title": question.text(question.title, language),
            "explanation": question.text(question.explanation, language),
        },
        "language": language,
        "parameters": answer.parameters,
        "columns": [
            {"name": column.name, "label": question.text(column.label, language)}
            for column in question.columns
        ],
        "rows": [_row_document(answer, row) for row in answer.rows],
        "query": question.query,
    }


def _row_document(answer: Answer, row: Row) -> dict[str, Any]:
    document: dict[str, Any] = {
        column.name: row.values.get(column.name) for column in answer.question.columns
    }
    for column in answer.question.columns:
        if column.link and column.link not in document:
            document[column.link] = row.values.get(column.link)
    if answer.question.rests_on is not None:
        document["restsOn"] = row.rests_on
    document["evidence"] = [
        {"article": citation.article, "sentence": citation.sentence} for citation in row.citations
    ]
    return document


def answer_csv(answer: Answer) -> str:
    """The shown columns, then ``article`` and ``sentence`` (several citations one per line)."""
    question = answer.question
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = [column for column in question.columns if column.name not in ("article", "sentence")]
    writer.writerow([column.name for column in columns] + ["article", "sentence"])
    for row in answer.rows:
        writer.writerow(
            [_cell(row.values.get(column.name)) for column in columns]
            + [
                CITATION_SEPARATOR.join(citation.article for citation in row.citations),
                CITATION_SEPARATOR.join(citation.sentence for citation in row.citations),
            ]
        )
    return buffer.getvalue()


def answer_table(answer: Answer, *, width: int = 60) -> str:
    """A plain-text table for the terminal, each row followed by its source sentences."""
    question = answer.question
    headings = [question.text(column.label, answer.language) for column in question.columns]
    cells = [
        [_shorten(_cell(row.values.get(column.name)), width) for column in question.columns]
        for row in answer.rows
    ]
    widths = [
        max([len(heading), *(len(line[index]) for line in cells)])
        for index, heading in enumerate(headings)
    ]
    lines = [question.text(question.title, answer.language), ""]
    lines.append("  ".join(heading.ljust(widths[i]) for i, heading in enumerate(headings)))
    lines.append("  ".join("-" * width for width in widths))
    for row, line in zip(answer.rows, cells, strict=True):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        for citation in row.citations:
            lines.append(f"    « {citation.sentence} » — {citation.article}")
    lines.append("")
    lines.append(f"{len(answer.rows)} rows")
    return "\n".join(lines) + "\n"


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
