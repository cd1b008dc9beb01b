"""Content negotiation for SPARQL results: the media types per query form, ``format=`` names, aliases.

Everything is a table; ``negotiate`` picks with Werkzeug's ``accept_mimetypes`` (real q-values) and
answers 406 listing what is available when nothing fits. ``negotiate_header`` does the same from
the raw Accept header and remembers its choices (a bounded LRU): clients send the same few headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from e2kg.errors import NotAcceptable
from e2kg.store import QueryForm

RESULTS_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
"""SELECT results, the preferred one first."""

BOOLEAN_MEDIA_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
"""ASK results (CSV and TSV have no boolean form)."""

GRAPH_MEDIA_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
)
"""CONSTRUCT and DESCRIBE results. A graph result has no graph names, so N-Quads and TriG are the
N-Triples and Turtle documents of the store, which are valid N-Quads and TriG."""

STORE_MEDIA_TYPE = {
    "application/n-quads": "application/n-triples",
    "application/trig": "text/turtle",
}
"""Media types answered from a different one the store produces (same bytes, a wider format)."""

MEDIA_TYPES: dict[QueryForm, tuple[str, ...]] = {
    QueryForm.SELECT: RESULTS_MEDIA_TYPES,
    QueryForm.ASK: BOOLEAN_MEDIA_TYPES,
    QueryForm.CONSTRUCT: GRAPH_MEDIA_TYPES,
    QueryForm.DESCRIBE: GRAPH_MEDIA_TYPES,
}

ALIASES: dict[str, dict[str, str]] = {
    "results": {
        "application/json": "application/sparql-results+json",
        "application/xml": "application/sparql-results+xml",
        "text/xml": "application/sparql-results+xml",
        "text/tsv": "text/tab-separated-values",
    },
    "graph": {
        "application/x-turtle": "text/turtle",
        "text/n3": "text/turtle",
        "text/plain": "application/n-triples",
        "application/json": "application/ld+json",
        "application/xml": "application/rdf+xml",
        "text/xml": "application/rdf+xml",
        "application/x-trig": "application/trig",
    },
}
"""Media types clients commonly send that stand for one of the table's."""

FORMAT_NAMES: dict[str, dict[str, str]] = {
    "results": {
        "json": "application/sparql-results+json",
        "srj": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "srx": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    },
    "graph": {
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "ntriples": "application/n-triples",
        "nt": "application/n-triples",
        "jsonld": "application/ld+json",
        "json": "application/ld+json",
        "xml": "application/rdf+xml",
        "rdfxml": "application/rdf+xml",
        "nquads": "application/n-quads",
        "nq": "application/n-quads",
        "trig": "application/trig",
    },
}
"""Values of the ``format`` parameter (a media type is accepted too)."""

RDF_DOCUMENT_TYPES = (
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
)
"""What an RDF description (service description, VoID) can be served as."""


@dataclass(frozen=True)
class Choice:
    """The media type the client gets, and the one to ask the store for."""

    media_type: str
    store_media_type: str

    @property
    def content_type(self) -> str:
        """The Content-Type header value (UTF-8 for every textual type)."""
        return with_charset(self.media_type)


def family(form: QueryForm) -> str:
    """``results`` for SELECT/ASK, ``graph`` for CONSTRUCT/DESCRIBE."""
    return "results" if form in (QueryForm.SELECT, QueryForm.ASK) else "graph"


def negotiate(form: QueryForm, accept: MIMEAccept, format_name: str | None) -> Choice:
    """The result media type for ``form``: ``format`` if given, else the best match of Accept."""
    offered = MEDIA_TYPES[form]
    names = FORMAT_NAMES[family(form)]
    if format_name:
        wanted = names.get(format_name.strip().lower(), format_name.split(";")[0].strip().lower())
        wanted = ALIASES[family(form)].get(wanted, wanted)
        if wanted not in offered:
            raise NotAcceptable(
                f"format {format_name!r} is not available for {form.value} results; "
                f"available: {', '.join(offered)} (or format={', '.join(sorted(set(names)))})",
                detail={"supported": list(offered)},
            )
        return Choice(wanted, STORE_MEDIA_TYPE.get(wanted, wanted))
    chosen = best_match(accept, offered, ALIASES[family(form)])
    if chosen is None:
        raise NotAcceptable(
            f"none of the accepted media types ({accept.to_header() or 'none'}) fits "
            f"{form.value} results; available: {', '.join(offered)}",
            detail={"supported": list(offered)},
        )
    return Choice(chosen, STORE_MEDIA_TYPE.get(chosen, chosen))


@lru_cache(maxsize=256)
def negotiate_header(form: QueryForm, accept: str | None, format_name: str | None) -> Choice:
    """``negotiate`` for the raw Accept header ``accept`` (None: no header), remembered."""
    return negotiate(form, parse_accept_header(accept, MIMEAccept), format_name)


@lru_cache(maxsize=256)
def prefers_html(accept: str | None) -> bool:
    """Whether the raw Accept header ``accept`` prefers HTML to JSON (a browser's does), remembered."""
    accepted = parse_accept_header(accept, MIMEAccept)
    best = accepted.best_match(["application/json", "text/html"])
    return best == "text/html" and accepted["text/html"] > accepted["application/json"]


def best_match(
    accept: MIMEAccept, offered: tuple[str, ...], aliases: dict[str, str] | None = None
) -> str | None:
    """The offered type the client prefers (q-values honoured); the first offered for no Accept."""
    if not accept:
        return offered[0]
    aliases = {alias: target for alias, target in (aliases or {}).items() if target in offered}
    best = accept.best_match([*offered, *aliases])
    if best is None or accept.quality(best) <= 0:
        return None
    return aliases.get(best, best)


def with_charset(media_type: str) -> str:
    """``media_type`` with ``; charset=utf-8`` where the type is textual."""
    if media_type.startswith("text/") or media_type.endswith(("json", "xml", "trig", "quads")):
        return f"{media_type}; charset=utf-8"
    if media_type == "application/n-triples":
        return f"{media_type}; charset=utf-8"
    return media_type
