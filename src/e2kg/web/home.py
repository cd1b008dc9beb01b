"""``/``: what the graph holds (triples, counts per class, named graphs) and where to go next:
studies by year, business functions, organisations, articles, the questions, search and SPARQL.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from e2kg.resources.iris import IriMapper
from e2kg.resources.overview import overview
from e2kg.web.context import get_settings, get_store, read_web_query
from e2kg.web.resources import request_language

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index() -> str:
    """The home page."""
    store = get_store()
    rows = store.select(read_web_query("named-graphs.rq")).rows
    graphs = [(str(row["graph"]), int(str(row["triples"]))) for row in rows]
    language = request_language()
    return render_template(
        "home.html",
        triple_count=store.triple_count(),
        graphs=graphs,
        backend=store.name,
        language=language,
        overview=overview(store, IriMapper(get_settings().base_iri), language),
    )
