"""The home page through a running server: kept per dataset version (a write shows at once), and
with many named graphs it counts the first 100 and says how many there are."""

from __future__ import annotations

import re

import requests
from rdflib import URIRef

from e2kg.web.home import GRAPHS_COUNTED
from e2kg_testing import LiveServer
from web.conftest import UPDATE_TOKEN


def shown_count(html: str, element: str) -> int:
    found = re.search(rf'id="{element}"[^>]*>(\d+)<', html)
    assert found, f"#{element} missing from the home page"
    return int(found.group(1))


def update(server: LiveServer, text: str) -> None:
    response = requests.post(
        server.url + "/sparql",
        data=text.encode("utf-8"),
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {UPDATE_TOKEN}",
        },
        timeout=60,
    )
    assert response.status_code == 204, response.text


def test_a_write_shows_on_the_next_home_page(writable_server: LiveServer) -> None:
    first = requests.get(writable_server.url + "/", timeout=30).text
    assert requests.get(writable_server.url + "/", timeout=30).text == first  # kept
    before = shown_count(first, "triple-count")
    update(
        writable_server,
        "INSERT DATA { GRAPH <urn:e2kg:test:home> "
        '{ <urn:e2kg:test:s> <http://www.w3.org/2000/01/rdf-schema#comment> "new" } }',
    )
    after = requests.get(writable_server.url + "/", timeout=30).text
    assert shown_count(after, "triple-count") == before + 1
    assert "<code>urn:e2kg:test:home</code>" in after


def test_many_graphs_the_first_counted_and_the_total_named(writable_server: LiveServer) -> None:
    extra = GRAPHS_COUNTED + 5
    quads = " ".join(
        f'GRAPH <urn:e2kg:test:g{number:04d}> {{ <urn:e2kg:test:s> <urn:e2kg:test:p> "{number}" }}'
        for number in range(extra)
    )
    update(writable_server, f"INSERT DATA {{ {quads} }}")
    html = requests.get(writable_server.url + "/", timeout=30).text
    total = len(writable_server.store.graphs())
    assert total >= extra
    assert shown_count(html, "graph-count") == total
    listed = re.findall(r"<tr><td><code>([^<]+)</code></td><td class=\"number\">(\d+)</td>", html)
    assert len(listed) == GRAPHS_COUNTED
    first = sorted(str(graph) for graph in writable_server.store.graphs())[:GRAPHS_COUNTED]
    assert [name for name, _ in listed] == first
    for name, triples in listed:
        assert int(triples) == writable_server.store.triple_count(graph=URIRef(name))
