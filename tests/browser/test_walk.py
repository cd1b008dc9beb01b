"""The linked-data browser in a real headless Chromium (Debian's, driven by Playwright): a reader's
walk home -> study -> department -> another study -> article -> quote -> speaker, a search for a
company, and a literal holding <script> shown as text. Screenshots go to var/artefacts/browser/.

The path is chosen from the graph by SPARQL, so the test follows whatever the seed graph holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from conftest import BASE, HOSTILE, HOSTILE_LABEL
from e2kg_testing import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

WALK = """
PREFIX schema: <http://schema.org/>
PREFIX e2kg: <https://w3id.org/e2kg/def/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX cito: <http://purl.org/spar/cito/>
SELECT ?first ?department ?second ?article ?quote ?speaker WHERE {
  ?finding e2kg:department ?department ; prov:hadPrimarySource ?first ; e2kg:share ?share .
  ?first a schema:Report .
  ?statement schema:about ?department ; prov:hadPrimarySource|schema:isBasedOn ?second ;
             schema:text ?text .
  ?second a schema:Report .
  FILTER(?first != ?second)
  ?article cito:citesAsDataSource ?second .
  ?quote a schema:Quotation ; schema:isPartOf ?article ; schema:creator ?speaker .
}
ORDER BY ?first ?department ?second ?article ?quote ?speaker
LIMIT 1
"""


def local(iri: object) -> str:
    text = str(iri)
    assert text.startswith(BASE)
    return "/" + text[len(BASE) :]


@pytest.fixture
def page() -> Iterator[Page]:
    assert CHROMIUM.exists(), "Debian chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser.new_page(locale="en-GB")
        finally:
            browser.close()


def follow(page: Page, selector: str, href: str, server: LiveServer, shot: Path) -> None:
    """Click the link to ``href`` inside ``selector`` and check we arrived; keep a screenshot."""
    link = page.locator(f'{selector} a[href="{href}"]').first
    assert link.count() == 1, f"no link to {href} in {selector} on {page.url}"
    link.click()
    page.wait_for_url(server.url + href)
    assert page.locator("h1").count() == 1
    page.screenshot(path=str(shot), full_page=True)


@pytest.mark.browser
def test_reader_walks_from_home_to_a_quotes_speaker(
    seed_server: LiveServer, page: Page, artefacts: Path
) -> None:
    rows = seed_server.store.select(WALK).rows
    assert rows, "the seed graph holds no study -> department -> study -> article -> quote path"
    step = {name: local(value) for name, value in rows[0].items()}
    response = page.goto(seed_server.url + "/")
    assert response is not None and response.status == 200
    page.screenshot(path=str(artefacts / "01-home.png"), full_page=True)
    follow(page, "#studies", step["first"], seed_server, artefacts / "02-study.png")
    assert page.locator("table.findings tr.finding").count() > 0
    follow(page, "#findings", step["department"], seed_server, artefacts / "03-department.png")
    follow(page, "#statements", step["second"], seed_server, artefacts / "04-other-study.png")
    follow(page, "#citations", step["article"], seed_server, artefacts / "05-article.png")
    follow(page, "#statements", step["quote"], seed_server, artefacts / "06-quote.png")
    follow(page, "#quote", step["speaker"], seed_server, artefacts / "07-speaker.png")
    speaker_names = seed_server.store.select(
        "SELECT ?name WHERE { ?s <http://schema.org/name> ?name }",
        bindings={"s": rows[0]["speaker"]},
    ).rows
    assert page.locator("h1").inner_text() in {str(row["name"]) for row in speaker_names}


@pytest.mark.browser
def test_search_finds_a_company(seed_server: LiveServer, page: Page, artefacts: Path) -> None:
    rows = seed_server.store.select(
        "PREFIX schema: <http://schema.org/> SELECT ?org ?name WHERE { ?programme a "
        "<https://w3id.org/e2kg/def/core#ReverseMentoringProgramme> ; schema:provider ?org . "
        '?org schema:name ?name FILTER(LANG(?name) = "en") } ORDER BY ?org LIMIT 1'
    ).rows
    assert rows
    company, name = local(rows[0]["org"]), str(rows[0]["name"])
    page.goto(seed_server.url + "/")
    page.get_by_role("searchbox").first.fill(name.lower())
    page.get_by_role("searchbox").first.press("Enter")
    page.wait_for_url("**/search?q=*")
    page.screenshot(path=str(artefacts / "08-search.png"), full_page=True)
    hit = page.locator(f'li.hit a[href="{company}"]')
    assert hit.count() == 1
    page.locator("a.facet[data-kind=organization]").click()
    page.wait_for_url("**type=organization*")
    assert page.locator("li.hit").count() == page.locator("li.hit[data-kind=organization]").count()
    page.locator(f'li.hit a[href="{company}"]').click()
    page.wait_for_url(seed_server.url + company)
    assert page.locator("h1").inner_text() == name
    assert page.locator("#relations a.provides").count() >= 1
    page.screenshot(path=str(artefacts / "09-company.png"), full_page=True)


@pytest.mark.browser
def test_a_literal_with_script_is_shown_as_text(
    seed_server: LiveServer, page: Page, artefacts: Path
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    for path in (local(HOSTILE), "/id/concept/department/hr", "/search?q=e2kgInjected"):
        page.goto(seed_server.url + path)
        assert page.evaluate("window.e2kgInjected === undefined"), path
    page.goto(seed_server.url + local(HOSTILE))
    assert page.locator("h1").inner_text() == HOSTILE_LABEL
    assert page.locator("main script").count() == 0
    assert page.locator("main img").count() == 0
    page.screenshot(path=str(artefacts / "10-script-literal.png"), full_page=True)
    assert dialogs == []
