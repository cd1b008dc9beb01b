"""``/studies``: publish a conforming study entry (token), its versions, and the study form.

``POST /studies`` takes an entry like ``/validate`` does; with the update token it validates and,
when the entry conforms, publishes it (201, ``Location`` = the study's page); otherwise 422 with
the report and nothing stored. ``dry-run`` gives the report without writing. ``/studies/new`` is
the HTML form (fields, or pasted/uploaded RDF), which works without JavaScript.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from rdflib import RDF, Graph, Literal, URIRef

from e2kg.errors import InputError, NotFound
from e2kg.resources.version import note_write
from e2kg.store import Store
from e2kg.submissions.form import SCHEMA, StudyForm
from e2kg.submissions.gate import WRITE_LOCK
from e2kg.submissions.publishing import (
    Publication,
    Submission,
    check_not_a_source_study,
    publish,
    request_id_from,
    stored_graph,
    study_of,
    token_agent,
    version_content,
    versions,
)
from e2kg.submissions.queries import submission_query
from e2kg.validation import ValidationReport
from e2kg.web.access import require_write_token
from e2kg.web.context import get_settings, get_store
from e2kg.web.negotiation import best_match
from e2kg.web.results import get_runner
from e2kg.web.validate import (
    dry_run_requested,
    get_validation_context,
    read_entry,
    report_language,
    report_response,
    report_type,
)

blueprint = Blueprint("studies", __name__)

SCHEMES = {
    "department": "https://w3id.org/e2kg/id/scheme/department",
    "role": "https://w3id.org/e2kg/id/scheme/role",
    "qualifier": "https://w3id.org/e2kg/id/scheme/qualifier",
}
"""Concept schemes whose concepts the form offers."""


@dataclass(frozen=True)
class Outcome:
    """What a submission came to: the report, and the publication when there was one."""

    submission: Submission
    report: ValidationReport
    publication: Publication | None


def submit(entry: Graph, *, dry_run: bool, language: str) -> Outcome:
    """Validate ``entry`` and, unless ``dry_run`` or it does not conform, publish it."""
    settings = get_settings()
    store = get_store()
    submission = study_of(entry, settings.base_iri)
    context = get_validation_context()
    with WRITE_LOCK:
        check_not_a_source_study(store, submission)
        previous = stored_graph(store, submission.graph)
        report = context.validate(entry, language=language, replacing=previous)
        if dry_run or not report.conforms:
            return Outcome(submission, report, None)
        publication = publish(
            store,
            context,
            entry,
            submission,
            agent=token_agent(settings.update_token, settings.base_iri),
            request_id=request_id_from(request.headers.get("X-Request-Id")),
            previous=previous,
        )
    get_runner().store_changed()
    note_write(store)
    return Outcome(submission, report, publication)


def study_page(submission: Submission) -> str:
    """The path of the study's page (``/id/study/<slug>``)."""
    return f"/id/study/{submission.slug}"


@blueprint.post("/studies")
def create_study() -> Response:
    """Validate and publish an entry: 201, 422 with the report, or the report on ``dry-run``."""
    require_write_token(get_settings(), request)
    report_type()
    entry = read_entry()
    language = report_language()
    outcome = submit(entry, dry_run=dry_run_requested(), language=language)
    extra: dict[str, object] = {
        "study": str(outcome.submission.study),
        "graph": str(outcome.submission.graph),
    }
    if outcome.publication is None:
        status = 200 if outcome.report.conforms else 422
        extra["stored"] = False
        if status == 200:
            extra["dryRun"] = True
        return report_response(outcome.report, status=status, extra=extra, language=language)
    extra.update(stored=True, version=outcome.publication.version)
    response = report_response(outcome.report, status=201, extra=extra, language=language)
    response.headers["Location"] = study_page(outcome.submission)
    return response


@blueprint.get("/studies")
def list_studies() -> Response:
    """The submitted studies, latest first (JSON or HTML)."""
    rows = get_store().select(submission_query("submissions")).rows
    studies = [
        {
            "study": str(row["study"]),
            "name": str(row["name"]) if "name" in row else None,
            "graph": str(row["graph"]),
            "generated": str(row["generated"]),
            "agent": str(row["agent"]),
        }
        for row in rows
    ]
    if best_match(request.accept_mimetypes, ("application/json", "text/html")) == "text/html":
        return Response(render_template("studies.html", studies=studies), mimetype="text/html")
    return jsonify({"studies": studies})


@blueprint.get("/studies/<slug>/versions")
def list_versions(slug: str) -> Response:
    """The stored versions of a submitted study, oldest first."""
    submission = _submission(slug)
    found = versions(get_store(), submission)
    if not found:
        raise NotFound(f"no study {slug!r} was submitted")
    return jsonify(
        {
            "study": str(submission.study),
            "graph": str(submission.graph),
            "versions": [
                {
                    "version": version.number,
                    "iri": str(version.iri),
                    "generated": version.generated,
                    "agent": version.agent,
                    "request": version.request_id,
                    "url": url_for("studies.get_version", slug=slug, number=version.number),
                }
                for version in found
            ],
        }
    )


@blueprint.get("/studies/<slug>/versions/<int:number>")
def get_version(slug: str, number: int) -> Response:
    """One stored version as N-Triples (or Turtle when asked for)."""
    content = version_content(get_store(), _submission(slug), number)
    wanted = best_match(
        request.accept_mimetypes,
        ("application/n-triples", "text/turtle"),
        {"text/plain": "application/n-triples"},
    )
    if wanted == "text/turtle":
        graph = Graph().parse(data=content, format="nt")
        return Response(graph.serialize(format="turtle"), content_type="text/turtle; charset=utf-8")
    return Response(content + "\n", content_type="application/n-triples; charset=utf-8")


@blueprint.route("/studies/new", methods=["GET", "POST"])
def new_study() -> tuple[str, int] | str:
    """The form; a POST validates (and with the token, publishes) what was typed or uploaded."""
    store = get_store()
    language = report_language()
    choices = form_choices(store, language)
    if request.method == "GET":
        tab = "rdf" if request.args.get("tab") == "rdf" else "fields"
        return render_template("studies_new.html", form=StudyForm(), choices=choices, tab=tab)
    tab = "rdf" if request.form.get("tab") == "rdf" else "fields"
    form = StudyForm.from_fields(request.form)
    publish_wanted = request.form.get("action") == "publish"
    token_error = _form_token_error() if publish_wanted else None
    if tab == "rdf":
        entry = read_entry()
        study = None
    else:
        entry, study = form.to_entry(get_settings().base_iri)
    try:
        outcome = submit(
            entry, dry_run=not publish_wanted or token_error is not None, language=language
        )
    except InputError as error:
        return render_template(
            "studies_new.html", form=form, choices=choices, tab=tab, input_error=error.message
        ), 400
    field_errors, general = (
        form.field_errors(outcome.report, study) if study else ({}, outcome.report.results)
    )
    status = 201 if outcome.publication else (200 if outcome.report.conforms else 422)
    if token_error and outcome.report.conforms:
        status = 401 if "missing" in token_error else 403
    return render_template(
        "studies_new.html",
        form=form,
        choices=choices,
        tab=tab,
        report=outcome.report,
        field_errors=field_errors,
        general=general,
        token_error=token_error,
        published=outcome.publication,
        study_page=study_page(outcome.submission),
        data=request.form.get("data", ""),
    ), status


def form_choices(store: Store, language: str) -> dict[str, list[tuple[str, str]]]:
    """The options of the form's selects, read from the store: concepts, publishers, articles."""
    choices: dict[str, list[tuple[str, str]]] = {}
    for name, scheme in SCHEMES.items():
        rows = store.select(
            submission_query("scheme-concepts"),
            bindings={"scheme": URIRef(scheme), "language": Literal(language)},
        ).rows
        # rdflib answers a GROUP BY over no solutions with one empty row (SPARQL says none)
        choices[name] = [
            (str(row["concept"]), str(row.get("label", row["concept"])))
            for row in rows
            if "concept" in row
        ]
    for name, cls in (
        ("publisher", "http://schema.org/Organization"),
        ("article", "http://schema.org/BlogPosting"),
    ):
        rows = store.select(
            submission_query("instances"),
            bindings={"class": URIRef(cls), "language": Literal(language)},
        ).rows
        choices[name] = [
            (str(row["resource"]), str(row.get("label", row["resource"])))
            for row in rows
            if "resource" in row
        ]
    return choices


def _form_token_error() -> str | None:
    """Why the form's token does not allow publishing, or None when it does."""
    expected = get_settings().update_token
    if expected is None:
        return "writes are off on this service: no update token is configured (E2KG_UPDATE_TOKEN)"
    given = (request.form.get("token") or "").strip()
    if not given:
        return "the update token is missing: publishing needs it"
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        return "the token is not the update token of this service"
    return None


def _submission(slug: str) -> Submission:
    """The submission of ``/id/study/<slug>``; InputError for a malformed slug."""
    base_iri = get_settings().base_iri
    entry = Graph()
    entry.add((URIRef(f"{base_iri}id/study/{slug}"), RDF.type, SCHEMA.Report))
    return study_of(entry, base_iri)
