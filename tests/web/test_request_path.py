"""The per-request shortcuts of /sparql give the answers the full work gives.

Negotiation and the HTML preference are remembered per Accept header; prefixes, the SERVICE check
and the FROM check skip the lexer when the raw text cannot contain what they look for.
"""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from e2kg.errors import OperationRefused
from e2kg.store.syntax import has_dataset_clause, query_form
from e2kg.web.federation import check_remote_access
from e2kg.web.negotiation import prefers_html
from e2kg.web.prefixes import with_prefixes

ACCEPT_HEADERS = [
    None,
    "",
    "*/*",
    "text/*",
    "text/html",
    "application/json",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/json, text/html;q=0.5",
    "text/html;q=0.5, application/json;q=0.5",
    "application/sparql-results+json",
]


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
def test_the_remembered_html_preference_is_the_parsed_one(accept: str | None) -> None:
    accepted = parse_accept_header(accept, MIMEAccept)
    best = accepted.best_match(["application/json", "text/html"])
    expected = best == "text/html" and accepted["text/html"] > accepted["application/json"]
    assert prefers_html(accept) is expected
    assert prefers_html(accept) is expected  # remembered


PREFIXES = {"schema": "https://schema.org/", "dep": "https://w3id.org/e2kg/ontology#"}


@pytest.mark.parametrize(
    ("text", "added"),
    [
        ("SELECT * WHERE { <https://schema.org/x> ?p ?o }", ""),
        ("SELECT * WHERE { ?s a schema:Report }", "PREFIX schema: <https://schema.org/>"),
        ("SELECT * WHERE { ?s ?p 'schema:Report' }", ""),  # in a string: not a use
        ("PREFIX schema: <urn:x#> SELECT * WHERE { ?s a schema:R }", ""),  # declared wins
        (
            "SELECT * WHERE { ?s a dep:Finding ; schema:name ?n }",
            "PREFIX dep: <https://w3id.org/e2kg/ontology#> PREFIX schema: <https://schema.org/>",
        ),
    ],
)
def test_prefixes_are_added_exactly_when_used(text: str, added: str) -> None:
    prefixed = with_prefixes(text, PREFIXES)
    assert prefixed.text == (f"{added}\n{text}" if added else text)
    assert prefixed.added_lines == (1 if added else 0)


def test_service_is_refused_in_any_case_and_ignored_in_strings() -> None:
    for text in (
        "SELECT * WHERE { SERVICE <http://remote/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service <http://remote/sparql> { ?s ?p ?o } }",
    ):
        with pytest.raises(OperationRefused):
            check_remote_access(text, [])
    check_remote_access("SELECT * WHERE { ?s ?p 'SERVICE <http://remote/>' }", [])
    check_remote_access("SELECT * WHERE { ?s ?p ?o }", [])


def test_the_form_and_the_dataset_clause_are_read_without_full_lexing() -> None:
    assert query_form("# SELECT\nASK { ?s ?p ?o }").value == "ASK"
    assert has_dataset_clause("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    assert has_dataset_clause("select * from <urn:g> where { ?s ?p ?o }")
    assert not has_dataset_clause("SELECT * WHERE { ?s ?p 'from' }")
    assert not has_dataset_clause("SELECT * WHERE { ?s ?p ?o }")
