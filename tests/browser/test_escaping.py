"""Escaping in a real headless Chromium: literals written to run script (``<script>``, an ``<img
onerror>``, an attribute break-out ``"><svg onload>``, ``</textarea>``, a CDATA end, a template
expression) are shown as text wherever a page shows them, and never run:

- question answers (table and the inline pygal chart SVG, its labels and legend), on the seed
  graph plus one named graph of hostile study, department, finding, article, quote and speaker;
- the HTML validation report of ``/validate`` (the browser's own form post);
- the study form ``/studies/new``: typed fields re-shown in ``value=""`` attributes and error
  messages, and pasted RDF re-shown in its ``<textarea>``.

Each page is checked three ways: ``window.__pwned`` stays undefined, no dialog opens, and the
hostile text appears literally (as text, not as elements).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef

from conftest import ROOT
from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.resources.version import note_write
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg_testing import LiveServer, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TOKEN = "escaping-token-0123456789"

SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=1">'
BREAKOUT = '"><svg onload="window.__pwned=1">'
TEXTAREA = "</textarea><script>window.__pwned=1</script>"
CDATA = "]]><script>window.__pwned=1</script><![CDATA["
TEMPLATE = "{{ 7 * 7 }}{% print(1) %}"
PAYLOADS = (SCRIPT, IMAGE, BREAKOUT, TEXTAREA, CDATA, TEMPLATE)
PYGAL_CONFIG = "window.pygal = window.pygal || {};"
"""The one script a page may hold in its content: the configuration pygal writes into a chart."""

BASE = "https://w3id.org/e2kg/"
ID = Namespace(BASE + "id/")
SCHEMA = Namespace("http://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
QB = Namespace("http://purl.org/linked-data/cube#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
E2KG = Namespace(BASE + "def/core#")
HOSTILE_GRAPH = URIRef(BASE + "test/escaping")

STUDY_NAME = f"Studie {SCRIPT} {BREAKOUT}"
DEPARTMENT_LABEL = f"Bereich {IMAGE}"
ARTICLE_TITLE = f"Artikel {CDATA}"
SENTENCE = f"Satz {TEXTAREA} {TEMPLATE}"
QUOTE_TEXT = f"Zitat {SCRIPT} {IMAGE}"
SPEAKER_NAME = f"Sprecher {BREAKOUT}"


def hostile_graph() -> Graph:
    """A study with one finding for a new department, its evidence sentence, article and a quote:
    every literal a question answer shows carries a payload."""
    graph = Graph()
    study, department = ID["study/escaping-2099"], ID["concept/department/escaping"]
    finding, article = ID["finding/escaping-2099-1"], ID["article/escaping"]
    quote, speaker, evidence = ID["quote/escaping"], ID["person/escaping"], BNode()
    selector = BNode()
    for language in ("de", "en"):
        graph.add((study, SCHEMA.name, Literal(STUDY_NAME, lang=language)))
        graph.add((department, SKOS.prefLabel, Literal(DEPARTMENT_LABEL, lang=language)))
        graph.add((article, RDFS.label, Literal(ARTICLE_TITLE, lang=language)))
        graph.add((speaker, SCHEMA.name, Literal(SPEAKER_NAME, lang=language)))
    graph.add((study, RDF.type, SCHEMA.Report))
    graph.add((study, SCHEMA.datePublished, Literal("2099", datatype=XSD.gYear)))
    graph.add((department, RDF.type, SKOS.Concept))
    graph.add((department, SKOS.inScheme, ID["scheme/department"]))
    graph.add((finding, RDF.type, QB.Observation))
    graph.add((finding, E2KG.department, department))
    graph.add((finding, E2KG.role, ID["concept/role/leading"]))
    graph.add((finding, E2KG.share, Literal("42.5", datatype=XSD.decimal)))
    graph.add((finding, PROV.hadPrimarySource, study))
    graph.add((finding, PROV.wasDerivedFrom, evidence))
    graph.add((evidence, OA.hasSource, article))
    graph.add((evidence, OA.hasSelector, selector))
    graph.add((selector, OA.exact, Literal(SENTENCE, lang="de")))
    graph.add((quote, RDF.type, SCHEMA.Quotation))
    graph.add((quote, SCHEMA.text, Literal(QUOTE_TEXT, lang="de")))
    graph.add((quote, SCHEMA.creator, speaker))
    graph.add((quote, SCHEMA.isPartOf, article))
    graph.add((quote, PROV.wasDerivedFrom, evidence))
    graph.add((speaker, RDF.type, SCHEMA.Person))
    return graph


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[LiveServer]:
    """The app on a memory store: the seed graph, the hostile graph, writes with TOKEN."""
    store: Store = open_store("memory")
    load_sources(store, ROOT, manifest=None)
    store.load(
        hostile_graph().serialize(format="nt", encoding="utf-8"),
        media_type="application/n-triples",
        graph=HOSTILE_GRAPH,
    )
    note_write(store)
    settings = Settings(store="memory", source_dir=ROOT, update_token=TOKEN)
    app = create_app({"E2KG_SETTINGS": settings, "E2KG_STORE": store, "TESTING": True})
    try:
        with serving(app) as url:
            yield LiveServer(url=url, store=store)
    finally:
        store.close()


@pytest.fixture
def page() -> Iterator[Page]:
    assert CHROMIUM.exists(), "Debian chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(locale="en-GB")
            page.set_default_timeout(20_000)
            yield page
        finally:
            browser.close()


class Watch:
    """Dialogs the page opened; ``check`` asserts nothing ran on the current page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._record)

    def _record(self, dialog: object) -> None:
        self.dialogs.append(str(getattr(dialog, "message", "")))
        getattr(dialog, "dismiss")()  # noqa: B009 - Playwright's Dialog, typed loosely here

    def check(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(200)  # an onerror/onload handler would have fired by now
        assert self.page.evaluate("typeof window.__pwned") == "undefined", where
        assert self.dialogs == [], (where, self.dialogs)
        # no element the payloads would create exists inside the page's main content
        scripts = self.page.locator("main script").all_text_contents()
        assert all(text.startswith(PYGAL_CONFIG) for text in scripts), (where, scripts)
        assert self.page.locator("main img[src=x]").count() == 0, where
        assert self.page.locator("main svg[onload]").count() == 0, where
        assert "49" not in self.page.locator("main").inner_text().split(), where


def visible_text(page: Page, selector: str) -> str:
    return "\n".join(page.locator(selector).all_inner_texts())


@pytest.mark.browser
def test_question_answers_and_their_chart_show_hostile_literals_as_text(
    hostile_server: LiveServer, page: Page, artefacts: Path
) -> None:
    watch = Watch(page)
    answer = f"{hostile_server.url}/questions/leading-departments?department=escaping&lang=en"
    response = page.goto(answer)
    assert response is not None and response.status == 200
    watch.check("leading-departments")
    table = visible_text(page, "main table")
    for text in (STUDY_NAME, DEPARTMENT_LABEL, ARTICLE_TITLE, SENTENCE):
        assert text in table, (text, table[:2000])
    chart = page.locator("main svg").first
    assert chart.count() == 1, "the answer has no inline chart"
    labels = "\n".join(chart.locator("text").all_text_contents())
    assert STUDY_NAME in labels  # the category (x) label, untruncated
    assert DEPARTMENT_LABEL in labels  # the series, in the legend
    assert chart.locator("foreignObject, [onload], [onerror]").count() == 0
    # pygal's configuration script carries the labels as JSON strings: they arrive as text
    config = page.evaluate("Object.values(window.pygal.config)[0]")
    assert config["x_labels"] == [f"{STUDY_NAME} (2099)"], config["x_labels"]
    assert config["legends"] == [DEPARTMENT_LABEL], config["legends"]
    page.screenshot(path=str(artefacts / "20-escaping-answer.png"), full_page=True)

    for format_name in ("csv", "json"):  # other formats: hostile text is data, not markup
        other = page.request.get(answer + f"&format={format_name}")
        assert other.status == 200
        assert "html" not in other.headers["content-type"], other.headers

    response = page.goto(f"{hostile_server.url}/questions/quotes?speaker=person/escaping&lang=de")
    assert response is not None and response.status == 200
    watch.check("quotes")
    table = visible_text(page, "main")
    for text in (QUOTE_TEXT, SPEAKER_NAME, SENTENCE):
        assert text in table, (text, table[:2000])

    # the same literals on the resource pages and in search
    for path in ("/id/study/escaping-2099", "/id/quote/escaping", "/search?q=Zitat"):
        response = page.goto(hostile_server.url + path)
        assert response is not None and response.status == 200, path
        watch.check(path)


ENTRY = """@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/e2kg/id/study/escaping-entry> a schema:Report ;
    schema:name {name}@de ;
    schema:datePublished {year} ;
    schema:publisher <https://w3id.org/e2kg/id/organization/{publisher}> .
"""


def turtle_string(text: str) -> str:
    return Literal(text).n3()


@pytest.mark.browser
def test_the_validation_report_shows_hostile_values_as_text(
    hostile_server: LiveServer, page: Page, artefacts: Path
) -> None:
    watch = Watch(page)
    entry = ENTRY.format(
        name=turtle_string(STUDY_NAME),
        year=turtle_string(f"{SCRIPT}{BREAKOUT}"),  # a string where a gYear is due: reported
        publisher="escaping",
    )
    page.goto(hostile_server.url + "/validate")
    page.get_by_label("entry").fill(entry)
    page.get_by_role("button", name="Validate").click()
    page.wait_for_load_state("load")
    watch.check("/validate report")
    report = visible_text(page, "main")
    assert "Validation report" in report
    assert f"{SCRIPT}{BREAKOUT}" in report, report[:3000]  # the offending value, literally
    page.screenshot(path=str(artefacts / "21-escaping-validate.png"), full_page=True)

    # an entry that does not parse: the parser's message quotes the hostile text
    page.goto(hostile_server.url + "/validate")
    page.get_by_label("entry").fill(f"<urn:a> <urn:b> {SCRIPT} {TEXTAREA} .")
    page.get_by_role("button", name="Validate").click()
    page.wait_for_load_state("load")
    watch.check("/validate parse error")


@pytest.mark.browser
def test_the_study_form_reshows_hostile_input_as_text(
    hostile_server: LiveServer, page: Page, artefacts: Path
) -> None:
    watch = Watch(page)
    page.goto(hostile_server.url + "/studies/new")
    typed = {
        "Title (German)": STUDY_NAME,
        "Title (English)": f"{TEXTAREA}{IMAGE}",
        "Year": f"{BREAKOUT}{TEMPLATE}",  # not a year: an error message next to the field
        "Population": f"{CDATA}{SCRIPT}",
    }
    for label, value in typed.items():
        page.get_by_label(label, exact=True).fill(value)
    if page.get_by_label("Source sentence 1").count():
        page.get_by_label("Source sentence 1").fill(SENTENCE)
    page.get_by_role("button", name="Validate").first.click()
    page.wait_for_load_state("load")
    watch.check("/studies/new fields")
    for label, value in typed.items():  # the form comes back with exactly what was typed
        assert page.get_by_label(label, exact=True).input_value() == value, label
    page.screenshot(path=str(artefacts / "22-escaping-form.png"), full_page=True)

    # publishing with a wrong token: refused, the page still only shows text
    page.get_by_label("Update token").fill(f"{BREAKOUT}{SCRIPT}")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state("load")
    watch.check("/studies/new publish")
    assert page.get_by_label("Title (German)", exact=True).input_value() == STUDY_NAME

    # pasted RDF comes back in its textarea unchanged, even when it closes the textarea
    pasted = ENTRY.format(
        name=turtle_string(f"{TEXTAREA}{SCRIPT}"), year='"1999"^^xsd:gYear', publisher="x"
    )
    page.goto(hostile_server.url + "/studies/new?tab=rdf")
    page.get_by_label("entry").fill(pasted)
    page.get_by_role("button", name="Validate").click()
    page.wait_for_load_state("load")
    watch.check("/studies/new rdf")
    assert page.get_by_label("entry").input_value() == pasted
    assert page.locator("main textarea").count() >= 1
