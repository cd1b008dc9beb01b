"""The questions in a real headless Chromium: every answer page opens from the catalogue without a
console error, and the portfolio chart (server-rendered SVG) shows every department of both periods,
with its labels in German under ``?lang=de``. Screenshots go to var/artefacts/questions/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from facts import driver_means
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from e2kg.questions import default_catalogue
from e2kg_testing import LiveServer

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "var" / "artefacts" / "questions"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


def collect_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of ``page``, gathered as they happen."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # Chromium asks for /favicon.ico on its own; the service has none (a 404 of no page)
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(f"console: {message.text} ({message.location})")

    def on_page_error(error: Error) -> None:
        errors.append(f"page error: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    return errors


def label(facts: Graph, concept: str, language: str) -> str:
    labels = [
        str(text)
        for text in facts.objects(URIRef(concept), SKOS.prefLabel)
        if isinstance(text, Literal) and text.language == language
    ]
    assert len(labels) == 1, (concept, language, labels)
    return labels[0]


def notation(facts: Graph, concept: str) -> str:
    value = facts.value(URIRef(concept), SKOS.notation)
    assert value is not None, concept
    return str(value)


def test_every_answer_page_opens_from_the_catalogue(
    real_server: LiveServer, page: Page, artefacts: Path
) -> None:
    errors = collect_errors(page)
    response = page.goto(real_server.url + "/questions")
    assert response is not None and response.status == 200
    page.screenshot(path=str(artefacts / "catalogue.png"), full_page=True)
    links = page.locator("#questions > li > a")
    catalogue = list(default_catalogue())
    assert links.count() == len(catalogue)
    targets = [str(links.nth(index).get_attribute("href")) for index in range(links.count())]
    for question, target in zip(catalogue, targets, strict=True):
        page.goto(real_server.url + "/questions")
        with page.expect_navigation():
            page.locator(f"#question-{question.id} > a").click()
        assert page.url.startswith(real_server.url + target.split("?")[0])
        assert page.locator("#question-title").inner_text() == question.title["en"]
        shown = int(str(page.locator("#row-count").get_attribute("data-count")))
        assert shown > 0, f"{question.id}: the answer page shows no rows"
        assert page.locator("#answer tbody tr").count() == shown
        for row in page.locator("#answer tbody tr[data-rests-on]").all():
            assert row.locator("q.sentence").count() >= 1, question.id
        if question.chart is not None:
            assert page.locator("#chart svg").is_visible()
        page.screenshot(path=str(artefacts / f"{question.id}.png"), full_page=True)
    assert errors == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_portfolio_chart_shows_every_department_of_both_periods(
    real_server: LiveServer, page: Page, facts: Graph, artefacts: Path, language: str
) -> None:
    expected = driver_means(facts)
    periods = {period for _, period in expected}
    assert len(periods) == 2, "graph/ has driver findings in both periods"
    errors = collect_errors(page)
    response = page.goto(real_server.url + f"/questions/driver-portfolio?lang={language}")
    assert response is not None and response.status == 200
    chart = page.locator("#chart svg")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    page.screenshot(path=str(artefacts / f"driver-portfolio-{language}.png"), full_page=True)
    texts = set(chart.locator("text").evaluate_all("nodes => nodes.map(n => n.textContent)"))
    # every point carries "<department> <period>" as its description; each one is drawn
    points = chart.locator(".series .dots")
    described = {str(dot.locator("desc").first.text_content()): dot for dot in points.all()}
    for department, period in expected:
        department_label = label(facts, department, language)
        assert department_label in texts, f"legend lacks {department_label}"
        assert notation(facts, period) in texts, f"axis lacks period {notation(facts, period)}"
        point = f"{department_label} {notation(facts, period)}"
        assert point in described, f"no point for {point}; points: {sorted(map(str, described))}"
        box = described[point].locator("circle").bounding_box()
        assert box is not None and box["width"] > 0
    title = default_catalogue().get("driver-portfolio").title[language]
    assert title == page.locator("#question-title").inner_text()
    if language == "de":
        german = {label(facts, department, "de") for department, _ in expected}
        english = {label(facts, department, "en") for department, _ in expected}
        assert german <= texts
        assert not (english - german) & texts, "English department labels in the German chart"
    assert errors == []
