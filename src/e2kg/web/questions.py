"""``/questions``: the ready-made question catalogue and its answers (HTML, JSON, CSV).

The catalogue is loaded and checked when the application starts (a wrong question file stops it)
and published into the store as RDF; each answer is computed from the store at request time, kept
in the answer cache for the current dataset version (``e2kg.questions.cache``) and shown a page at
a time (``page``, ``page_size``; ``e2kg.questions.paging``) with links to the other pages.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from e2kg.errors import NotAcceptable
from e2kg.questions import Answer, Question, answer_question, default_catalogue
from e2kg.questions.answering import local_path
from e2kg.questions.cache import AnswerKey, answer_cache, answer_key, chart_cache
from e2kg.questions.charts import render_chart
from e2kg.questions.formats import answer_csv, answer_document
from e2kg.questions.model import LANGUAGES
from e2kg.questions.paging import DEFAULT_SIZE, Page, page_of, parse_paging
from e2kg.questions.publishing import openapi_document, publish_catalogue
from e2kg.questions.warming import AlsoWarm, AnswerWarmer, Unchanged
from e2kg.resources.cache import VersionedCache, cache_of
from e2kg.store import Store
from e2kg.web.context import get_settings, get_store

blueprint = Blueprint("questions", __name__)

MEDIA_TYPES = {"application/json": "json", "text/csv": "csv", "text/html": "html"}
"""Answer media types and their ``format=`` names; JSON first, so ``*/*`` gets JSON and a
browser (which ranks text/html higher) gets HTML."""

RESERVED = ("lang", "format", "page", "page_size")
"""Query-string names that are not question parameters."""
BODY_BYTES = 64 * 1024 * 1024
"""The bound of one store's cache of rendered answer pages."""
WARMER_KEY = "e2kg.answer-warmer"
"""Where the app keeps its ``AnswerWarmer`` (absent with ``E2KG_WARM_ANSWERS=0``)."""


def init_app(app: Flask) -> None:
    """Check the catalogue now (start-up), publish it into a writable store and start warming
    the default answers in the background (``E2KG_WARM_ANSWERS``)."""
    from e2kg.web.context import SETTINGS_KEY, STORE_KEY

    catalogue = default_catalogue()
    settings = app.extensions[SETTINGS_KEY]
    publish_catalogue(
        app.extensions[STORE_KEY],
        catalogue,
        base_iri=settings.base_iri,
        endpoint=settings.base_iri + "sparql",
    )
    app.register_blueprint(blueprint)
    if settings.warm_answers:
        warmer = AnswerWarmer(app.extensions[STORE_KEY], catalogue, also=page_warmer(app))
        app.extensions[WARMER_KEY] = warmer
        weakref.finalize(app, warmer.stop)  # the thread ends with the app
        warmer.start()


@blueprint.get("/questions")
def index() -> Response | str:
    """The catalogue: a page for browsers, JSON for programs."""
    language = request_language()
    catalogue = default_catalogue()
    if negotiate(("application/json", "text/html")) == "html":
        return render_template("questions.html", catalogue=catalogue, language=language)
    return jsonify(
        {
            "questions": [
                {
                    "id": question.id,
                    "title": question.text(question.title, language),
                    "explanation": question.text(question.explanation, language),
                    "display": question.display,
                    "parameters": [
                        {
                            "name": parameter.name,
                            "type": parameter.type,
                            "required": parameter.required,
                            "default": parameter.default,
                            "example": parameter.example,
                            "label": question.text(parameter.label, language),
                        }
                        for parameter in question.parameters
                    ],
                    "url": url_for("questions.answer", question_id=question.id),
                }
                for question in catalogue
            ],
            "openapi": url_for("questions.openapi"),
        }
    )


@blueprint.get("/questions/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of the question operations."""
    document = openapi_document(
        default_catalogue(), server=request.host_url.rstrip("/"), language=request_language()
    )
    return jsonify(document)


@blueprint.get("/questions/<question_id>")
def answer(question_id: str) -> Response | str:
    """One page of the answer to one question, with the parameters of the query string."""
    question = default_catalogue().get(question_id)
    kind = negotiate(tuple(MEDIA_TYPES))
    language = request_language()
    values = {name: value for name, value in request.args.items() if name not in RESERVED}
    number, size = parse_paging(request.args.get("page"), request.args.get("page_size"))
    store = get_store()
    whole = answer_cache(store).get_or_compute(
        question.id,
        values,
        language,
        lambda: answer_question(store, question, values, language=language),
    )
    page = page_of(whole, number, size)
    key = answer_key(question.id, values, language)
    body = body_cache(store).get_or_compute(
        body_key(key, number, size, kind), lambda: render_body(store, key, whole, page, kind)
    )
    if kind == "html":
        return body
    links = page_links(page, kind)
    if kind == "json":
        response = Response(body, mimetype="application/json")
    else:
        response = Response(body, content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f'inline; filename="{question.id}.csv"'
    for relation, url in links.items():
        response.headers.add("Link", f'<{url}>; rel="{relation}"')
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


def body_key(key: AnswerKey, number: int, size: int, kind: str) -> Hashable:
    """The key of one rendered page of the whole answer ``key``."""
    return (*key, number, size, kind, get_settings().base_iri)


WARMED_KINDS = ("html", "json")
"""The formats whose first page the background warming renders (CSV is cheap to render)."""


def page_warmer(app: Flask) -> AlsoWarm:
    """Renders the first page (default size) of a warmed answer as HTML and JSON into the body
    cache, in a request context of ``app`` (held weakly, so the warmer does not keep it alive)."""
    app_ref = weakref.ref(app)

    def warm(question: Question, whole: Answer, unchanged: Unchanged) -> None:
        current = app_ref()
        if current is None:
            return
        key = answer_key(question.id, {}, whole.language)
        for kind in WARMED_KINDS:
            arguments = {"lang": whole.language, "format": kind}
            with current.test_request_context(f"/questions/{question.id}", query_string=arguments):
                store = get_store()
                page = page_of(whole, 1, DEFAULT_SIZE)

                def render(page: Page = page, kind: str = kind, store: Store = store) -> str:
                    unchanged()  # the body of an answer of an older version must not be kept
                    return render_body(store, key, whole, page, kind)

                body_cache(store).get_or_compute(body_key(key, 1, DEFAULT_SIZE, kind), render)

    return warm


def body_cache(store: Store) -> VersionedCache[str]:
    """Rendered answer pages (HTML, JSON, CSV) of ``store``, per dataset version like answers."""
    return cache_of(store, "answer-bodies", max_bytes=BODY_BYTES, size=lambda body: len(body) + 64)


def render_body(store: Store, key: Hashable, whole: Answer, page: Page, kind: str) -> str:
    """``page`` of ``whole`` as ``kind`` (html, json or csv); ``key`` names the whole answer."""
    if kind == "html":
        chart = chart_cache(store).get_or_compute(key, lambda: render_chart(whole))
        return render_answer(whole, page, chart)
    if kind == "json":
        links = page_links(page, kind)
        document = answer_document(page.answer)
        document["paging"] = {
            "page": page.number,
            "pageSize": page.size,
            "total": page.total,
            "pages": page.pages,
            **{
                relation: url for relation, url in links.items() if relation in ("next", "previous")
            },
        }
        return current_app.json.dumps(document)
    return answer_csv(page.answer)


def page_url(result: Answer, fmt: str | None, number: int, size: int) -> str:
    """The URL of page ``number`` of ``result`` in ``fmt`` (None: the HTML page)."""
    arguments: dict[str, str | int] = {**result.parameters, "lang": result.language}
    if fmt is not None:
        arguments["format"] = fmt
    if number != 1:
        arguments["page"] = number
    if size != DEFAULT_SIZE:
        arguments["page_size"] = size
    return url_for("questions.answer", question_id=result.question.id) + "?" + urlencode(arguments)


def page_links(page: Page, fmt: str | None) -> dict[str, str]:
    """``first``, ``previous``, ``next`` and ``last`` page URLs (those that exist) in ``fmt``."""
    numbers = {"first": 1, "previous": page.previous, "next": page.next, "last": page.pages}
    return {
        relation: page_url(page.answer, fmt, number, page.size)
        for relation, number in numbers.items()
        if number is not None
    }


def render_answer(whole: Answer, page: Page, chart: str | None) -> str:
    """The HTML page of an answer: explanation, ``chart`` (of the whole answer), one page of the
    table with citations, links to the other pages, the SPARQL."""
    result = page.answer
    question = result.question
    base_iri = get_settings().base_iri
    links = {fmt: page_url(result, fmt, page.number, page.size) for fmt in ("json", "csv")}
    other_language = next(code for code in LANGUAGES if code != result.language)
    return render_template(
        "questions_answer.html",
        answer=result,
        page=page,
        page_links=page_links(page, None) if page.pages > 1 else {},
        question=question,
        language=result.language,
        # pygal builds the SVG with ElementTree, which escapes every label it draws
        chart=None if chart is None else Markup(chart),
        link=lambda iri: None if iri is None else local_path(str(iri), base_iri),
        sparql_link=url_for("sparql.endpoint") + "?" + urlencode({"query": question.query}),
        links=links,
        switch_language=url_for("questions.answer", question_id=question.id)
        + "?"
        + urlencode({**result.parameters, "lang": other_language}),
        other_language=other_language,
        form_values=form_values(question, result.parameters),
    )


def form_values(question: Question, used: dict[str, str]) -> dict[str, Any]:
    """The value each parameter's form field shows."""
    return {parameter.name: used.get(parameter.name, "") for parameter in question.parameters}


def request_language() -> str:
    """``lang=`` when given and known, else the best of Accept-Language, else English."""
    requested = request.args.get("lang")
    if requested in LANGUAGES:
        return requested
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def negotiate(offered: tuple[str, ...]) -> str:
    """The answer format: ``format=`` if given, else the best match of Accept over ``offered``."""
    requested = request.args.get("format")
    names = {MEDIA_TYPES[media_type]: media_type for media_type in offered}
    if requested:
        if requested in names:
            return requested
        raise NotAcceptable(
            f"format {requested!r} is not offered; available: {', '.join(names)}",
            detail={"supported": list(names)},
        )
    if not request.accept_mimetypes:
        return MEDIA_TYPES[offered[0]]
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        raise NotAcceptable(
            f"none of the accepted media types is offered; available: {', '.join(offered)}",
            detail={"supported": list(offered)},
        )
    return MEDIA_TYPES[best]
