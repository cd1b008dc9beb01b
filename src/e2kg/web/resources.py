"""``/id/...``, ``/def/...``, ``/shapes/...``: every resource of the graph, dereferenceable.

Direct content negotiation at the IRI (no 303): ``Accept`` chooses an HTML page or an RDF form
(Turtle, JSON-LD, N-Triples, RDF/XML), as does a suffix (``/id/study/x.ttl``) or ``format=``.
Responses carry ``Vary``, an ``ETag`` and ``Last-Modified`` keyed to the dataset version
(``e2kg.resources.version``), and conditional requests get 304 before the store is asked.
Rendered pages and RDF forms are kept for the current dataset version in a bounded cache
(``PAGE_CACHE_BYTES``; ``e2kg.resources.cache``): a repeat is not rebuilt until the next write.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request, url_for
from rdflib import URIRef
from werkzeug.http import is_resource_modified

from e2kg.errors import InputError, NotAcceptable
from e2kg.resources.cache import VersionedCache, cache_of
from e2kg.resources.describe import describe, exists
from e2kg.resources.forms import ALIASES, FORMAT_NAMES, HTML, OFFERED, SUFFIXES, serialise
from e2kg.resources.iris import IriMapper
from e2kg.resources.labels import LANGUAGES
from e2kg.resources.pages import PageBuilder
from e2kg.resources.sections import page_number
from e2kg.resources.version import dataset_version
from e2kg.store import Store
from e2kg.web.context import get_settings, get_store
from e2kg.web.errors import error_response, wants_html

blueprint = Blueprint("resources", __name__)

VARY = "Accept, Accept-Language"
ABSOLUTE_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
"""What ``?via=`` accepts: an absolute http(s) IRI without characters an IRI cannot hold."""
PAGE_CACHE_BYTES = 32 * 1024 * 1024
"""The bound of one store's cache of rendered resources (pages and RDF forms)."""


def iri_mapper() -> IriMapper:
    """The mapping between IRIs and paths of the running service."""
    return IriMapper(get_settings().base_iri)


def request_language() -> str:
    """``lang=`` when it names a page language, else the best of ``Accept-Language``."""
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=LANGUAGES[0]) or LANGUAGES[0]


def negotiate(suffix: str | None) -> str:
    """The media type asked for: the suffix, else ``format=``, else the best match of Accept."""
    named = suffix or request.args.get("format")
    if named:
        media_type = FORMAT_NAMES.get(named.lower(), named.lower())
        if media_type not in OFFERED:
            raise NotAcceptable(
                f"format {named!r} is not offered; offered: {', '.join(FORMAT_NAMES)}",
                detail={"supported": list(OFFERED)},
            )
        return media_type
    accepted = request.accept_mimetypes
    if not accepted:
        return HTML
    best = accepted.best_match([*OFFERED, *ALIASES])
    if best is None:
        raise NotAcceptable(
            f"none of the accepted media types is offered; offered: {', '.join(OFFERED)}",
            detail={"supported": list(OFFERED)},
        )
    return ALIASES.get(best, best)


@blueprint.get("/id/<path:rest>", defaults={"root": "id"})
@blueprint.get("/def/<path:rest>", defaults={"root": "def"})
@blueprint.get("/shapes/<path:rest>", defaults={"root": "shapes"})
def resource(root: str, rest: str) -> Response:
    """A resource as HTML or RDF."""
    mapper = iri_mapper()
    try:
        resolved = mapper.resolve(root, rest)
    except InputError:
        return not_found(f"/{root}/{rest}")
    media_type = negotiate(resolved.suffix)
    language = request_language() if media_type == HTML else None
    sections = section_arguments() if media_type == HTML else SectionArguments()
    store = get_store()
    version = dataset_version(store)
    variant = "-".join(
        part for part in (SUFFIXES.get(media_type, "html"), language, *sections.key()) if part
    )
    etag = f"{version.tag}-{hashlib.sha256(variant.encode('utf-8')).hexdigest()[:12]}"
    if not is_resource_modified(request.environ, etag=etag, last_modified=version.modified):
        return _with_cache_headers(Response(status=304), etag, version.modified)

    iri = resolved.iri
    # The ETag holds the version, form, language and the pages of the growing sections.
    key = (str(iri), root, rest, etag, get_settings().base_iri)
    rendered = page_cache(store).get_or_compute(
        key, lambda: _render(store, mapper, root, rest, iri, media_type, language, sections)
    )
    if rendered is None:
        return not_found(str(iri))
    body, content_type = rendered
    response = Response(body, content_type=content_type)
    for other, suffix in SUFFIXES.items():
        path = url_for("resources.resource", root=root, rest=_stem(rest) + "." + suffix)
        response.headers.add("Link", f'<{path}>; rel="alternate"; type="{other}"')
    return _with_cache_headers(response, etag, version.modified)


def _render(
    store: Store,
    mapper: IriMapper,
    root: str,
    rest: str,
    iri: URIRef,
    media_type: str,
    language: str | None,
    sections: SectionArguments,
) -> tuple[bytes, str] | None:
    """The body and content type of ``iri`` in ``media_type``; None when the graph has no such
    resource."""
    description = describe(store, iri, hash_document=root != "id")
    if len(description) == 0 and not exists(store, iri):
        return None
    if media_type == HTML:
        page = PageBuilder(store, mapper, language or LANGUAGES[0]).page(
            iri,
            description,
            via=sections.via,
            via_page=sections.via_page,
            findings_page=sections.findings_page,
        )
        alternates = {
            suffix: url_for("resources.resource", root=root, rest=_stem(rest) + "." + suffix)
            for suffix in SUFFIXES.values()
        }
        html = render_template(
            "resource.html",
            page=page,
            alternates=alternates,
            members=sorted({str(s) for s in description.subjects() if str(s) != str(iri)})
            if "#" not in str(iri) and root != "id"
            else [],
            mapper=mapper,
        )
        return html.encode("utf-8"), "text/html; charset=utf-8"
    body = serialise(description, media_type)
    charset = "; charset=utf-8" if media_type != "application/rdf+xml" else ""
    return body, media_type + charset


@dataclass(frozen=True)
class SectionArguments:
    """Which page of the growing sections a request asks for (``via``/``page``, ``findings``)."""

    via: URIRef | None = None
    via_page: int = 1
    findings_page: int = 1

    def key(self) -> tuple[str, ...]:
        """What tells this variant from the first page (for the ETag)."""
        if self.via is None and self.findings_page == 1:
            return ()
        return (str(self.via or ""), str(self.via_page), str(self.findings_page))


def section_arguments() -> SectionArguments:
    """The section pages of the request; 400 for a page that is not a whole number >= 1 or a
    ``via`` that is not an absolute IRI."""
    via = request.args.get("via", "").strip()
    if via and not ABSOLUTE_IRI.match(via):
        raise InputError(f"parameter 'via': {via!r} is not an absolute http(s) IRI")
    return SectionArguments(
        via=URIRef(via) if via else None,
        via_page=page_number("page", request.args.get("page")),
        findings_page=page_number("findings", request.args.get("findings")),
    )


def page_cache(store: Store) -> VersionedCache[tuple[bytes, str] | None]:
    """The cache of rendered resources of ``store`` (made on first use)."""
    return cache_of(store, "resources", max_bytes=PAGE_CACHE_BYTES, size=_rendered_size)


def _rendered_size(rendered: tuple[bytes, str] | None) -> int:
    return 64 if rendered is None else len(rendered[0]) + 64


def _stem(rest: str) -> str:
    stem, dot, extension = rest.rpartition(".")
    return stem if dot and extension in SUFFIXES.values() else rest


def _with_cache_headers(response: Response, etag: str, modified: object) -> Response:
    response.set_etag(etag)
    response.last_modified = modified  # type: ignore[assignment]
    response.headers["Vary"] = VARY
    response.headers["Cache-Control"] = "no-cache"
    return response


def not_found(what: str) -> Response:
    """404 for an unknown resource: a page offering a search for browsers, JSON for programs."""
    if wants_html():
        guess = what.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        html = render_template("not_found.html", what=what, guess=guess)
        return Response(html, status=404, mimetype="text/html")
    return error_response(404, {"error": "not-found", "message": f"no resource {what}"})
