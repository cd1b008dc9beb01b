"""``/``: what the graph holds (triples, counts per class, named graphs) and where to go next:
studies by year, business functions, organisations, articles, the questions, search and SPARQL.

The rendered page is kept per dataset version and language in the resource page cache
(``web.resources.page_cache``): the first request after a write builds it (seconds at a million
triples: the triple count and the member lists read every study and article), the rest reuse it.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from e2kg.resources.binding import select_rows
from e2kg.resources.iris import IriMapper
from e2kg.resources.overview import overview
from e2kg.resources.version import dataset_version
from e2kg.web.context import get_settings, get_store, read_web_query
from e2kg.web.resources import page_cache, request_language

blueprint = Blueprint("home", __name__)

GRAPHS_COUNTED = 100
"""Named graphs listed with their triple counts (the first in IRI order); the page gives the total."""


@blueprint.get("/")
def index() -> str:
    """The home page."""
    store = get_store()
    language = request_language()
    key = ("home", language, dataset_version(store).tag, get_settings().base_iri)
    rendered = page_cache(store).get_or_compute(
        key, lambda: (_render(language).encode("utf-8"), "text/html; charset=utf-8")
    )
    assert rendered is not None  # the home page always renders
    return rendered[0].decode("utf-8")


def _render(language: str) -> str:
    store = get_store()
    names = sorted(store.graphs(), key=str)
    shown = [{"graph": name} for name in names[:GRAPHS_COUNTED]]
    rows = select_rows(store, read_web_query("named-graphs.rq"), shown).rows
    graphs = [(str(row["graph"]), int(str(row["triples"]))) for row in rows if "graph" in row]
    return render_template(
        "home.html",
        triple_count=store.triple_count(),
        graphs=graphs,
        graph_total=len(names),
        backend=store.name,
        language=language,
        overview=overview(store, IriMapper(get_settings().base_iri), language),
    )
