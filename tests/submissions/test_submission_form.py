"""The study form in a real headless Chromium, JavaScript off: the report's messages appear next
to the fields at fault, and the corrected entry is published with the token."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, sync_playwright
from rdflib import URIRef
from submission_testing import SUBMISSION_TOKEN
from werkzeug.datastructures import MultiDict

from e2kg.submissions.form import StudyForm
from e2kg_testing import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ID = "https://w3id.org/e2kg/id/"
FIELDS = {
    "title": "Formularstudie 2017",
    "title_en": "Form study 2017",
    "publisher": f"{ID}organization/bitkom",
    "year": "1850",
    "population": "befragte Unternehmen",
    "article": f"{ID}article/social-business-und-die-rolle-von-hr",
}
ROW = {
    "department": f"{ID}concept/department/hr",
    "role": f"{ID}concept/role/leading",
    "share": "zwanzig",
    "sentence": "In der Formularstudie 2017 nennen 20% der Unternehmen die HR-Abteilung als federführend.",
}


def fill(page: Page, fields: dict[str, str], row: dict[str, str]) -> None:
    for name, value in fields.items():
        locator = page.locator(f"[name={name}]")
        if locator.evaluate("element => element.tagName") == "SELECT":
            locator.select_option(value)
        else:
            locator.fill(value)
    for name, value in row.items():
        locator = page.locator(f"[name={name}]").first
        if locator.evaluate("element => element.tagName") == "SELECT":
            locator.select_option(value)
        else:
            locator.fill(value)


def expected_messages(
    server: LiveServer, fields: dict[str, str], row: dict[str, str]
) -> dict[str, set[str]]:
    """What /validate says about the entry these fields make, by the field the form shows it at."""
    form = StudyForm.from_fields(MultiDict({**fields, **row}))
    entry, study = form.to_entry("https://w3id.org/e2kg/")
    response = requests.post(
        server.url + "/validate",
        data=entry.serialize(format="turtle"),
        headers={"Content-Type": "text/turtle"},
        timeout=30,
    )
    report = response.json()
    observation = form.row_nodes[0][0]
    messages: dict[str, set[str]] = {}
    for result in report["results"]:
        path = (result["path"] or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        shape = result["sourceShape"] or ""
        if result["focusNode"] == str(study) and (
            path == "datePublished" or shape.endswith("year-range")
        ):
            messages.setdefault("year", set()).add(result["message"])
        elif result["focusNode"] == str(observation) and path == "share":
            messages.setdefault("share-1", set()).add(result["message"])
    return messages


@pytest.mark.browser
def test_errors_beside_the_fields_then_the_fixed_entry_is_published(
    submission_server: LiveServer,
) -> None:
    assert CHROMIUM.exists(), "Debian chromium is missing: `make test` installs it"
    expected = expected_messages(submission_server, FIELDS, ROW)
    assert set(expected) == {"year", "share-1"}, expected
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(java_script_enabled=False)
            page = context.new_page()
            response = page.goto(submission_server.url + "/studies/new")
            assert response is not None and response.status == 200
            fill(page, FIELDS, ROW)
            page.get_by_role("button", name="Validate").click()
            page.wait_for_load_state()
            assert "does not conform" in page.locator("#verdict").inner_text()
            for field, messages in expected.items():
                shown = page.locator(f"#errors-{field} li").all_inner_texts()
                assert set(shown) == messages, (field, shown)
            assert page.locator("[name=year]").get_attribute("aria-invalid") == "true"
            # what was typed is kept; fix the two fields, give the token and publish
            assert page.locator("[name=title]").input_value() == FIELDS["title"]
            page.locator("[name=year]").fill("2017")
            page.locator("[name=share]").first.fill("20")
            page.locator("[name=token]").fill(SUBMISSION_TOKEN)
            page.get_by_role("button", name="Publish").click()
            page.wait_for_load_state()
            published = page.locator("#published")
            assert "Published version 1" in published.inner_text()
            assert published.locator("a").get_attribute("href") == "/id/study/formularstudie-2017"
            assert page.locator(".field-errors").count() == 0
        finally:
            browser.close()
    graph = URIRef("https://w3id.org/e2kg/submission/formularstudie-2017")
    assert graph in submission_server.store.graphs()
    shares = submission_server.store.select(
        "SELECT ?share WHERE { GRAPH ?g { ?o <https://w3id.org/e2kg/def/core#share> ?share } }",
        bindings={"g": graph},
    ).rows
    assert [float(str(row["share"])) for row in shares] == [20.0]
