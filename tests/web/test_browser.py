"""The home page in a real headless Chromium: the triple count shown is the store's."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from e2kg_testing import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.mark.browser
def test_home_page_shows_the_store_triple_count(live_server: LiveServer) -> None:
    assert CHROMIUM.exists(), "Debian chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            response = page.goto(live_server.url + "/")
            assert response is not None and response.status == 200
            shown = page.locator("#triple-count").inner_text()
            assert int(shown) == live_server.store.triple_count() > 0
            page.get_by_role("link", name="/sparql").click()
            page.wait_for_url(live_server.url + "/sparql")
            assert page.locator("textarea[name=query]").count() == 1
        finally:
            browser.close()
