"""The query page for browsers: an editor, the graph's prefixes, example queries, a results table.

It works without JavaScript: the form GETs /sparql with ``format=html`` and the page comes back
with the results or a readable error. The table shows at most ``PAGE_ROWS`` rows and says so
visibly when there are more; the other formats are never truncated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from flask import Response, render_template, request
from rdflib import Graph

from e2kg.errors import E2kgError
from e2kg.store import QueryForm
from e2kg.web.errors import wants_html
from e2kg.web.prefixes import with_prefixes
from e2kg.web.protocol import ProtocolRequest
from e2kg.web.results import execute, get_prefixes, query_form

PAGE_ROWS = 1000
"""Rows the HTML table shows; the page says when the result has more."""

DEFAULT_QUERY = """SELECT ?graph (COUNT(*) AS ?triples)
WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph
ORDER BY ?graph"""


@dataclass(frozen=True)
class Example:
    """A ready-made query shown on the page: its file name, summary and text."""

    name: str
    summary: str
    text: str


@dataclass(frozen=True)
class Table:
    """What the page shows of a result."""

    columns: list[str]
    rows: list[list[str]]
    total: int
    boolean: bool | None = None

    @property
    def truncated(self) -> bool:
        """Whether the table shows fewer rows than the result has."""
        return self.total > len(self.rows)


def wants_page() -> bool:
    """Whether to answer with the HTML page: ``format=html``, or a browser without ``format``."""
    requested = (request.values.get("format") or "").lower()
    return requested == "html" or (not requested and wants_html())


def examples() -> list[Example]:
    """Every ``.rq`` under ``queries/examples/``, with the ``#+ summary:`` of its header."""
    folder = resources.files("e2kg").joinpath("queries", "examples")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".rq"):
            continue
        text = entry.read_text(encoding="utf-8")
        summary = next(
            (
                line.split(":", 1)[1].strip()
                for line in text.splitlines()
                if line.startswith("#+ summary:")
            ),
            entry.name.removesuffix(".rq"),
        )
        found.append(Example(entry.name.removesuffix(".rq"), summary, text))
    return found


def page_response(operation: ProtocolRequest | None) -> Response:
    """The page, with the result of ``operation`` or the error it caused."""
    query = operation.text if operation is not None else DEFAULT_QUERY
    table: Table | None = None
    error: E2kgError | None = None
    if operation is not None:
        try:
            table = result_table(operation)
        except E2kgError as caught:
            error = caught
    html = render_template(
        "sparql.html",
        query=query,
        prefixes=get_prefixes(),
        examples=examples(),
        table=table,
        error=error,
        page_rows=PAGE_ROWS,
    )
    response = Response(html, status=error.status if error else 200, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    if table is not None and table.truncated:
        response.headers["X-E2kg-Rows-Shown"] = f"{len(table.rows)} of {table.total}"
    return response


def result_table(operation: ProtocolRequest) -> Table:
    """Run the query and turn its result into a table for the page."""
    prefixed = with_prefixes(operation.text, get_prefixes())
    form = query_form(operation, prefixed)
    if form in (QueryForm.SELECT, QueryForm.ASK):
        raw = execute(operation, prefixed, "application/sparql-results+json")
        document = json.loads(b"".join(raw.chunks))
        if "boolean" in document:
            return Table(["result"], [[str(document["boolean"]).lower()]], 1, document["boolean"])
        columns = list(document["head"]["vars"])
        bindings = document["results"]["bindings"]
        rows = [[_cell(row.get(name)) for name in columns] for row in bindings[:PAGE_ROWS]]
        return Table(columns, rows, len(bindings))
    raw = execute(operation, prefixed, "application/n-triples")
    graph = Graph().parse(data=b"".join(raw.chunks), format="nt")
    triples = sorted(graph, key=lambda triple: tuple(str(term) for term in triple))
    rows = [[term.n3() for term in triple] for triple in triples[:PAGE_ROWS]]
    return Table(["subject", "predicate", "object"], rows, len(triples))


def _cell(binding: dict[str, str] | None) -> str:
    if binding is None:
        return ""
    value = binding["value"]
    if binding["type"] == "uri":
        return value
    if binding["type"] == "bnode":
        return f"_:{value}"
    if "xml:lang" in binding:
        return f"{value} @{binding['xml:lang']}"
    return value
