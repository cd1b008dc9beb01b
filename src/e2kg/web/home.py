"""``/``: a page saying what the graph holds (triples, named graphs) and where to go next."""

from __future__ import annotations

from flask import Blueprint, render_template

from e2kg.web.context import get_store, read_web_query

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index() -> str:
    """The home page."""
    store = get_store()
    rows = store.select(read_web_query("named-graphs.rq")).rows
    graphs = [(str(row["graph"]), int(str(row["triples"]))) for row in rows]
    return render_template(
        "home.html", triple_count=store.triple_count(), graphs=graphs, backend=store.name
    )
