"""Sections of resource pages that grow with the data, shown a page at a time: the findings of a
business function (``?findings=N``) and what points to a resource, grouped by predicate with
counts (``?via=<predicate>&page=N``). On the project's graph/ in each store backend (memory,
embedded Oxigraph, a real ``oxigraph serve`` as remote store),
with small page sizes so that every section has several pages; expected sets come from SPARQL.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import pytest
import requests

from e2kg.config import Settings
from e2kg.loading import load_sources
from e2kg.resources import pages
from e2kg.store import Store, open_store
from e2kg.web.app import create_app
from e2kg_testing import free_port, serving

ROOT = Path(__file__).resolve().parents[2]
OXIGRAPH = ROOT / ".venv" / "bin" / "oxigraph"
ID = "https://w3id.org/e2kg/id/"
E2KG = "https://w3id.org/e2kg/def/core#"
HR = ID + "concept/department/hr"
LEADING = ID + "concept/role/leading"
TIMEOUT = 30
HTML = {"Accept": "text/html"}
FINDINGS_PER_PAGE = 3
INCOMING_PER_PAGE = 3
FIRST = 2


class Anchors(HTMLParser):
    """The links of a page: (href, rel, class, the section id it is in, the incoming predicate)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.section = ""
        self.predicate = ""
        self.totals: dict[str, int] = {}
        self.findings_total: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {name: value or "" for name, value in attrs}
        if tag == "section":
            self.section = named.get("id", "")
        elif tag == "tr" and "incoming-group" in named.get("class", ""):
            self.predicate = named["data-predicate"]
            self.totals[self.predicate] = int(named["data-total"])
        elif tag == "p" and "section-total" in named.get("class", ""):
            self.findings_total = int(named["data-total"])
        elif tag == "a" and "href" in named:
            self.links.append(
                {
                    "href": named["href"],
                    "rel": named.get("rel", ""),
                    "class": named.get("class", ""),
                    "section": self.section,
                    "predicate": self.predicate if self.section == "incoming" else "",
                }
            )


@contextmanager
def remote_endpoint(folder: Path) -> Iterator[str]:
    """``oxigraph serve`` on ``folder`` (graph/ loaded) on a free port; its query URL. Stopped at
    the end."""
    with open_store(str(folder)) as loading:
        load_sources(loading, ROOT, manifest=None)
    port = free_port()
    process = subprocess.Popen(
        [
            *(str(OXIGRAPH), "serve", "--location", str(folder)),
            *("--bind", f"127.0.0.1:{port}", "--union-default-graph"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, "oxigraph serve exited"
            try:
                requests.get(url, params={"query": "ASK {}"}, timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "oxigraph serve did not answer"
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module", params=["memory", "oxigraph", "remote"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Store]]:
    with ExitStack() as stack:
        folder = tmp_path_factory.mktemp("store") / "db"
        if request.param == "memory":
            location = "memory"
        elif request.param == "oxigraph":
            location = str(folder)
        else:
            location = stack.enter_context(remote_endpoint(folder))
        yield from served_site(location, load=request.param != "remote")


def served_site(location: str, *, load: bool) -> Iterator[tuple[str, Store]]:
    """The application served on the store at ``location`` (filled with graph/ first if ``load``)."""
    store = open_store(location)
    if load:
        load_sources(store, ROOT, manifest=None)
    app = create_app(
        {
            # No answer warming: its background queries are not what these tests are about.
            "E2KG_SETTINGS": Settings(store=location, source_dir=ROOT, warm_answers=False),
            "E2KG_STORE": store,
            "E2KG_QUERY_WORKERS": 0,
            "TESTING": True,
        }
    )
    with serving(app) as url:
        yield url, store
    store.close()


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "FINDINGS_PAGE_SIZE", FINDINGS_PER_PAGE)
    monkeypatch.setattr(pages, "INCOMING_PAGE_SIZE", INCOMING_PER_PAGE)
    monkeypatch.setattr(pages, "FIRST_ROWS", FIRST)


def fetch(url: str) -> Anchors:
    response = requests.get(url, headers=HTML, timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:500]
    parsed = Anchors()
    parsed.feed(response.text)
    return parsed


def local(iri: str) -> str:
    return "/" + iri.removeprefix("https://w3id.org/e2kg/")


def test_department_findings_pages_partition_them_with_the_right_total(
    site: tuple[str, Store],
) -> None:
    url, store = site
    rows = store.select(f"SELECT DISTINCT ?f WHERE {{ ?f <{E2KG}department> <{HR}> }}").rows
    expected = {local(str(row["f"])) for row in rows}
    assert len(expected) > 2 * FINDINGS_PER_PAGE  # the graph gives several pages
    seen: list[str] = []
    page_url: str | None = url + local(HR)
    numbers = []
    while page_url is not None:
        page = fetch(page_url)
        assert page.findings_total == len(expected)
        numbers.append(parse_qs(urlsplit(page_url).query).get("findings", ["1"])[0])
        findings = [
            link["href"]
            for link in page.links
            if link["section"] == "shares"
            and re.match(r"^/id/(observation|non-listing)/", link["href"])
        ]
        assert 0 < len(set(findings)) <= FINDINGS_PER_PAGE
        seen.extend(dict.fromkeys(findings))
        nexts = [
            link for link in page.links if link["section"] == "shares" and link["rel"] == "next"
        ]
        previous = [
            link for link in page.links if link["section"] == "shares" and link["rel"] == "prev"
        ]
        assert bool(previous) == (len(numbers) > 1)
        if previous:
            assert parse_qs(urlsplit(previous[0]["href"]).query)["findings"] == [
                str(len(numbers) - 1)
            ]
        page_url = urljoin(page_url, nexts[0]["href"]) if nexts else None
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    assert len(numbers) == -(-len(expected) // FINDINGS_PER_PAGE)
    assert len(seen) == len(set(seen)) == len(expected)  # no finding on two pages
    assert set(seen) == expected


@pytest.mark.parametrize("bad", ["0", "-1", "two", str(10**6)])
def test_a_findings_page_out_of_range_is_a_400_naming_the_parameter(
    site: tuple[str, Store], bad: str
) -> None:
    url, _ = site
    response = requests.get(f"{url}{local(HR)}?findings={bad}", headers=HTML, timeout=TIMEOUT)
    assert response.status_code == 400
    assert "findings" in response.text


def test_incoming_links_are_grouped_with_counts_and_pages_partition_each_group(
    site: tuple[str, Store],
) -> None:
    url, store = site
    rows = store.select(
        f"SELECT DISTINCT ?p ?s WHERE {{ ?s ?p <{LEADING}> FILTER(isIRI(?s)) }}"
    ).rows
    expected: dict[str, set[str]] = {}
    for row in rows:
        expected.setdefault(str(row["p"]), set()).add(local(str(row["s"])))
    assert any(len(subjects) > 2 * INCOMING_PER_PAGE for subjects in expected.values())

    first = fetch(url + local(LEADING))
    assert first.totals == {predicate: len(found) for predicate, found in expected.items()}
    for predicate, subjects in expected.items():
        shown = [
            link["href"]
            for link in first.links
            if link["predicate"] == predicate and not link["rel"] and link["class"] != "more"
        ]
        assert len(shown) == min(FIRST, len(subjects)) and set(shown) <= subjects
        more = [
            link
            for link in first.links
            if link["predicate"] == predicate and link["class"] == "more"
        ]
        assert bool(more) == (len(subjects) > FIRST)
        if not more:
            continue
        listed: list[str] = []
        page_url: str | None = urljoin(url + local(LEADING), more[0]["href"])
        pages_seen = 0
        while page_url is not None:
            page = fetch(page_url)
            pages_seen += 1
            assert set(page.totals) == {predicate}  # only the group asked for
            group = [link for link in page.links if link["predicate"] == predicate]
            listed.extend(link["href"] for link in group if not link["rel"])
            nexts = [link for link in group if link["rel"] == "next"]
            page_url = urljoin(page_url, nexts[0]["href"]) if nexts else None
        assert pages_seen == -(-len(subjects) // INCOMING_PER_PAGE)
        assert len(listed) == len(set(listed)) and set(listed) == subjects


def test_bad_incoming_arguments_are_400s(site: tuple[str, Store]) -> None:
    url, _ = site
    path = url + local(LEADING)
    role = quote(E2KG + "role", safe="")
    for query, named in [
        ("via=not%20an%20iri", "via"),
        (f"via={role}&page=0", "page"),
        (f"via={role}&page=x", "page"),
        (f"via={role}&page=100000", "page"),
    ]:
        response = requests.get(f"{path}?{query}", headers=HTML, timeout=TIMEOUT)
        assert response.status_code == 400, query
        assert named in response.text, query


def test_the_ontology_document_serves_the_terms_of_its_own_graph(site: tuple[str, Store]) -> None:
    url, store = site
    rows = store.select(
        "SELECT DISTINCT ?t WHERE { ?t a ?type "
        f'FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{E2KG}")) }}'
    ).rows
    terms = {str(row["t"]) for row in rows}
    assert len(terms) > 10
    response = requests.get(url + "/def/core.nt", timeout=TIMEOUT)
    assert response.status_code == 200
    subjects = set(re.findall(r"^<([^>]+)>", response.text, flags=re.MULTILINE))
    assert terms <= subjects


def test_study_citations_are_the_citing_articles_and_statements_drawn_from_it(
    site: tuple[str, Store],
) -> None:
    url, store = site
    rows = store.select(
        """PREFIX schema: <http://schema.org/>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX cito: <http://purl.org/spar/cito/>
        PREFIX e2kg: <https://w3id.org/e2kg/def/core#>
        SELECT ?study ?thing WHERE {
          { ?thing cito:citesAsDataSource ?study }
          UNION
          { ?thing prov:hadPrimarySource|schema:isBasedOn ?study ;
                   a ?type FILTER(?type IN (schema:Claim, schema:Quotation, e2kg:Definition)) }
          ?study a schema:Report
        }"""
    ).rows
    by_study: dict[str, set[str]] = {}
    for row in rows:
        by_study.setdefault(str(row["study"]), set()).add(local(str(row["thing"])))
    assert by_study
    study, things = max(by_study.items(), key=lambda item: len(item[1]))
    page = fetch(url + local(study))
    cited = {link["href"] for link in page.links if link["section"] == "citations"}
    assert cited == things
