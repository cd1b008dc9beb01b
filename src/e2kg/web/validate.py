"""``/validate``: the SHACL report of an uploaded study entry, and the helpers every write shares.

The entry comes as the request body (its type from ``Content-Type``) or as a form upload (a
``file`` or the ``data`` field, its type from the ``format`` field). It is validated by the app's
``ValidationContext`` (study-entry shapes, the store's data, the entry's subjects as focus nodes)
and the report is negotiated from ``REPORT_TYPES``: JSON, Turtle (``sh:ValidationReport``) or HTML.
The helpers here (language, dry-run, report negotiation) serve ``web.write_gate`` too.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from rdflib import Graph

from e2kg.errors import NotAcceptable, PayloadTooLarge
from e2kg.reporting import report_to_dict
from e2kg.submissions.context import ValidationContext
from e2kg.submissions.formats import entry_media_type, parse_entry
from e2kg.submissions.reports import report_graph
from e2kg.validation import ValidationReport
from e2kg.web.context import get_settings
from e2kg.web.negotiation import best_match

blueprint = Blueprint("validate", __name__)

CONTEXT_KEY = "e2kg.validation_context"
LANGUAGES = ("en", "de")
REPORT_TYPES = ("application/json", "text/turtle", "text/html")
"""What a report is given as; the first for clients that do not say."""
REPORT_ALIASES = {"application/x-turtle": "text/turtle", "application/xhtml+xml": "text/html"}
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def init_app(app: Flask) -> None:
    """Register ``/validate`` and ``/studies`` and give the app its validation context."""
    from e2kg.web import studies  # registered together: both need the context

    settings = app.extensions["e2kg.settings"]
    store = app.extensions["e2kg.store"]
    app.extensions[CONTEXT_KEY] = ValidationContext(store, settings.source_dir)
    app.register_blueprint(blueprint)
    app.register_blueprint(studies.blueprint)


def get_validation_context() -> ValidationContext:
    """The validation context of the current application."""
    context: ValidationContext = current_app.extensions[CONTEXT_KEY]
    return context


def report_language() -> str:
    """``lang`` if given, else the best of Accept-Language among en and de; en by default."""
    wanted = (request.values.get("lang") or "").strip().lower()
    if wanted in LANGUAGES:
        return wanted
    return request.accept_languages.best_match(LANGUAGES) or "en"


def dry_run_requested() -> bool:
    """Whether the request asks only for the report (``dry-run`` parameter or form field)."""
    value = request.args.get("dry-run", request.form.get("dry-run") if _is_form() else None)
    return value is not None and value.strip().lower() not in ("0", "false", "no", "off")


def read_entry() -> Graph:
    """The uploaded entry: 413 over the size limit (before the body is read), 415, 400."""
    limit = get_settings().max_body
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(
            f"the request body has {request.content_length} bytes; the limit is {limit} "
            "(E2KG_MAX_BODY)",
            detail={"limit": limit},
        )
    if _is_form():
        upload = request.files.get("file")
        body = upload.read() if upload is not None and upload.filename else b""
        if not body:
            body = (request.form.get("data") or "").encode("utf-8")
        media_type = entry_media_type(
            upload.mimetype if upload is not None and upload.filename else None,
            request.form.get("format") or ("turtle" if not upload or not upload.filename else None),
        )
    else:
        media_type = entry_media_type(request.content_type)
        body = request.stream.read(limit + 1)
        if len(body) > limit:
            raise PayloadTooLarge(
                f"the request body is over the limit of {limit} bytes (E2KG_MAX_BODY)",
                detail={"limit": limit},
            )
    return parse_entry(body, media_type)


def report_type() -> str:
    """The negotiated media type of a report; 406 when the client accepts none."""
    chosen = best_match(request.accept_mimetypes, REPORT_TYPES, REPORT_ALIASES)
    if chosen is None:
        raise NotAcceptable(
            f"a validation report is available as {', '.join(REPORT_TYPES)}",
            detail={"supported": list(REPORT_TYPES)},
        )
    return chosen


def report_response(
    report: ValidationReport,
    *,
    status: int = 200,
    extra: dict[str, object] | None = None,
    language: str | None = None,
) -> Response:
    """The report in the negotiated type (``extra`` goes into the JSON answer)."""
    language = language or report_language()
    chosen = report_type()
    if chosen == "text/turtle":
        body = report_graph(report, language=language).serialize(format="turtle")
        response = Response(body, status=status, content_type="text/turtle; charset=utf-8")
    elif chosen == "text/html":
        html = render_template(
            "validate_report.html", report=report, language=language, extra=extra or {}
        )
        response = Response(html, status=status, content_type="text/html; charset=utf-8")
    else:
        response = jsonify({**report_to_dict(report), "language": language, **(extra or {})})
        response.status_code = status
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


@blueprint.get("/validate")
def validate_page() -> str:
    """A page to paste or upload an entry."""
    return render_template("validate.html")


@blueprint.post("/validate")
def validate_entry() -> Response:
    """The SHACL report of the uploaded entry (200 whether it conforms or not)."""
    report_type()  # 406 before any work
    entry = read_entry()
    language = report_language()
    report = get_validation_context().validate(entry, language=language)
    return report_response(report, language=language)


def _is_form() -> bool:
    return (request.mimetype or "") in FORM_TYPES
