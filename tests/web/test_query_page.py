"""The query page: works without JavaScript (plain form GET) and in a real headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from e2kg_testing import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
STUDIES = "SELECT ?study ?name WHERE { ?study a schema:Report ; schema:name ?name } ORDER BY ?name"


def page(live_server: LiveServer, **params: str) -> requests.Response:
    return requests.get(
        live_server.url + "/sparql", params=params, headers={"Accept": BROWSER_ACCEPT}, timeout=10
    )


def test_page_shows_editor_prefixes_and_examples(live_server: LiveServer) -> None:
    response = page(live_server)
    assert response.status_code == 200
    assert '<textarea name="query"' in response.text
    assert "<code>schema:</code>" in response.text
    assert "<code>http://schema.org/</code>" in response.text
    assert "Which studies name HR as the leading department" in response.text
    assert 'src="/static/sparql.js"' in response.text
    assert requests.get(live_server.url + "/static/sparql.js", timeout=10).status_code == 200


def test_form_get_without_javascript_shows_the_results_table(live_server: LiveServer) -> None:
    response = page(live_server, query=STUDIES, format="html")
    assert response.status_code == 200
    assert '<table id="result-table">' in response.text
    assert "<th>study</th><th>name</th>" in response.text
    assert "Beispielstudie 2012 @de" in response.text
    assert "Example study 2012 @en" in response.text
    assert "2 rows" in response.text


def test_errors_are_readable_on_the_page(live_server: LiveServer) -> None:
    response = page(live_server, query="SELECT ?x WHERE {\n  ?x ?y \n", format="html")
    assert response.status_code == 400
    assert 'class="error"' in response.text
    assert "query-syntax" in response.text
    assert re.search(r"line \d+", response.text)
    assert "SELECT ?x WHERE {" in response.text  # the query stays in the editor


def test_construct_shows_triples(live_server: LiveServer) -> None:
    query = "CONSTRUCT { ?s a schema:Report } WHERE { ?s a schema:Report }"
    response = page(live_server, query=query, format="html")
    assert response.status_code == 200
    assert "<th>subject</th><th>predicate</th><th>object</th>" in response.text
    assert "https://w3id.org/e2kg/id/study/example-2012" in response.text


@pytest.mark.browser
def test_running_a_query_in_chromium_shows_the_results(live_server: LiveServer) -> None:
    assert CHROMIUM.exists(), "Debian chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            tab = browser.new_page()
            tab.goto(live_server.url + "/sparql")
            tab.locator("textarea[name=query]").fill(STUDIES)
            tab.get_by_role("button", name="Run").click()
            table = tab.locator("#result-table")
            expect(table).to_be_visible()
            expect(table.locator("tbody tr")).to_have_count(2)
            expect(table.locator("tbody")).to_contain_text("Beispielstudie 2012")
            # An example link fills the editor (JavaScript) without leaving the page.
            tab.locator("#examples a").first.click()
            expect(tab.locator("textarea[name=query]")).to_have_value(re.compile("#\\+ summary:"))
        finally:
            browser.close()
