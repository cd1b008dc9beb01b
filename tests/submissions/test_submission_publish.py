"""POST /studies over real HTTP: token, 201 with Location, own named graph with provenance, the
answers of the graph, 422 storing nothing, dry-run, resubmission with history, sources untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV
from submission_cases import VALID, BrokenEntry, violation_entries
from submission_testing import ROOT, SUBMISSION_TOKEN

from e2kg.loading import load_sources
from e2kg_testing import LiveServer

AUTH = {"Authorization": f"Bearer {SUBMISSION_TOKEN}", "Content-Type": "text/turtle"}
EXISTING = ROOT / "tests" / "data" / "entries" / "valid" / "existing-publisher.ttl"
STUDY = URIRef("https://w3id.org/e2kg/id/study/example-2016")
GRAPH = URIRef("https://w3id.org/e2kg/submission/example-2016")
SCHEMA = Namespace("http://schema.org/")
VIOLATIONS = violation_entries()
HR_LEADING = (ROOT / "src/e2kg/queries/examples/hr-as-leading-department.rq").read_text()


def submit(server: LiveServer, body: bytes, **params: str) -> requests.Response:
    return requests.post(
        server.url + "/studies", data=body, headers=AUTH, params=params, timeout=30
    )


def hr_leading_shares(server: LiveServer) -> dict[str, list[str]]:
    rows = server.store.select(HR_LEADING).rows
    shares: dict[str, list[str]] = {}
    for row in rows:
        shares.setdefault(str(row["study"]), []).append(str(row["share"]))
    return shares


def test_writes_need_the_token(submission_server: LiveServer) -> None:
    body = EXISTING.read_bytes()
    missing = requests.post(
        submission_server.url + "/studies",
        data=body,
        headers={"Content-Type": "text/turtle"},
        timeout=30,
    )
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = requests.post(
        submission_server.url + "/studies",
        data=body,
        headers={"Content-Type": "text/turtle", "Authorization": "Bearer nope"},
        timeout=30,
    )
    assert wrong.status_code == 403
    assert GRAPH not in submission_server.store.graphs()


def test_a_valid_entry_is_published_in_its_own_graph_and_answers(
    submission_server: LiveServer,
) -> None:
    assert str(STUDY) not in hr_leading_shares(submission_server)
    entry = Graph().parse(EXISTING, format="turtle")
    response = requests.post(
        submission_server.url + "/studies",
        data=EXISTING.read_bytes(),
        headers={**AUTH, "X-Request-Id": "req-123"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == "/id/study/example-2016"
    assert response.json()["version"] == 1
    stored = submission_server.store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"g": GRAPH}
    )
    entry_subjects = set(entry.subjects())
    assert {s for s in stored.subjects() if s != GRAPH and s in entry_subjects} == {
        s for s in entry_subjects if isinstance(s, URIRef)
    }
    assert len([t for t in stored if t[0] != GRAPH]) == len(entry)
    assert stored.value(GRAPH, DCTERMS.identifier) == Literal("req-123")
    assert stored.value(GRAPH, PROV.generatedAtTime) is not None
    agent = stored.value(GRAPH, PROV.wasAttributedTo)
    assert agent is not None and SUBMISSION_TOKEN not in str(agent)
    # the finding (HR, leading, 12 %) is now an answer of the example question
    entry_share = str(next(entry.objects(None, URIRef("https://w3id.org/e2kg/def/core#share"))))
    assert hr_leading_shares(submission_server)[str(STUDY)] == [entry_share]
    listed = requests.get(submission_server.url + "/studies", timeout=10).json()["studies"]
    assert [study["study"] for study in listed] == [str(STUDY)]


@pytest.mark.parametrize("case", VIOLATIONS, ids=[case.name for case in VIOLATIONS])
def test_a_broken_entry_is_422_with_the_report_and_nothing_is_stored(
    reading_server: LiveServer, case: BrokenEntry
) -> None:
    before = reading_server.store.graphs()
    response = submit(reading_server, case.path.read_bytes())
    assert response.status_code == 422, response.text
    report = response.json()
    assert report["conforms"] is False and report["stored"] is False
    results = [r for r in report["results"] if r["sourceShape"] == str(case.shape)]
    assert results and all(r["severity"] == "Violation" for r in results)
    if case.field is not None:
        assert {r["path"] for r in results} == {str(case.field)}
    assert reading_server.store.graphs() == before


def test_dry_run_reports_without_writing(submission_server: LiveServer) -> None:
    response = submit(submission_server, EXISTING.read_bytes(), **{"dry-run": "true"})
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is True and response.json()["dryRun"] is True
    assert GRAPH not in submission_server.store.graphs()


def test_resubmission_replaces_the_graph_and_keeps_the_history(
    submission_server: LiveServer,
) -> None:
    first = EXISTING.read_text(encoding="utf-8")
    second = first.replace("12.0", "15.0").replace("12%", "15%").replace("12 %", "15 %")
    assert second != first
    assert submit(submission_server, first.encode()).status_code == 201
    response = submit(submission_server, second.encode())
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 2
    assert hr_leading_shares(submission_server)[str(STUDY)] == ["15.0"]
    versions = requests.get(
        submission_server.url + "/studies/example-2016/versions", timeout=10
    ).json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    old = requests.get(submission_server.url + versions[0]["url"], timeout=10)
    assert old.status_code == 200
    old_graph = Graph().parse(data=old.text, format="nt")
    shares = {
        str(o) for o in old_graph.objects(None, URIRef("https://w3id.org/e2kg/def/core#share"))
    }
    assert shares == {"12.0"}
    # a third submission of a now-broken version is refused and version 2 stays
    broken = second.replace('"2016"^^xsd:gYear', '"sechzehn"')
    assert submit(submission_server, broken.encode()).status_code == 422
    assert hr_leading_shares(submission_server)[str(STUDY)] == ["15.0"]
    missing = requests.get(submission_server.url + "/studies/example-2016/versions/9", timeout=10)
    assert missing.status_code == 404


def test_a_study_of_the_sources_cannot_be_overwritten(submission_server: LiveServer) -> None:
    text = EXISTING.read_text(encoding="utf-8").replace("example-2016", "deloitte-2012")
    before = submission_server.store.triple_count()
    response = submit(submission_server, text.encode())
    assert response.status_code == 409, response.text
    assert "source/graph/studies/deloitte-2012.ttl" in response.json()["message"]
    assert submission_server.store.triple_count() == before


def test_loading_the_sources_never_touches_submissions(submission_server: LiveServer) -> None:
    assert submit(submission_server, EXISTING.read_bytes()).status_code == 201
    size = submission_server.store.triple_count(graph=GRAPH)
    outcome = load_sources(submission_server.store, ROOT, manifest=None, force=True)
    assert outcome.loaded
    assert submission_server.store.triple_count(graph=GRAPH) == size > 0


def test_second_valid_case_with_a_new_publisher(submission_server: LiveServer) -> None:
    path: Path = next(p for p in VALID if p.name == "new-publisher.ttl")
    response = submit(submission_server, path.read_bytes())
    assert response.status_code == 201, response.text
    study = response.headers["Location"].rsplit("/", 1)[-1]
    graph = URIRef(f"https://w3id.org/e2kg/submission/{study}")
    assert submission_server.store.triple_count(graph=graph) > len(
        Graph().parse(path, format="turtle")
    )
