"""An in-process full-text index of the graph's labels and texts: SQLite FTS5 with the trigram
tokenizer over normalised text (``normalise``), so any part of a word of three or more letters is
found ("kommunikation" in "unternehmenskommunikation").

The index is built from two SPARQL queries through the Store interface (so it works on a remote
store too) and rebuilt when the dataset version changes (``e2kg.resources.version``). Ranking is
BM25 with names weighted ten times over texts.

A build of a large graph takes a while (tens of seconds at a million triples), so an index made
with ``wait=`` seconds rebuilds in a background thread (``start_refresh``; the web application
starts one when it starts) into a new table set and swaps it in when done. Searches wait until
``wait`` seconds after the build started (``first_wait`` for the first build); then they answer
from the previous index (``stale`` results) or, before the first build finished, raise
``IndexBuilding`` (503 with Retry-After). Without
``wait`` every search that sees a new version rebuilds first (the library's and tests' behaviour).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from e2kg.errors import E2kgError, InputError
from e2kg.resources.labels import LABEL_PROPERTIES
from e2kg.resources.queries import search_query
from e2kg.resources.version import dataset_version
from e2kg.search.normalise import normalise, terms
from e2kg.store import Store

logger = logging.getLogger(__name__)

_S = "http://schema.org/"
_E2KG = "https://w3id.org/e2kg/def/core#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SH = "http://www.w3.org/ns/shacl#"

KINDS: dict[str, tuple[str, ...]] = {
    "study": (_S + "Report", _E2KG + "Review"),
    "article": (_S + "BlogPosting",),
    "organization": (_S + "Organization",),
    "person": (_S + "Person", _E2KG + "PersonGroup"),
    "quote": (_S + "Quotation", _E2KG + "Definition"),
    "claim": (_S + "Claim",),
    "question": (_S + "Question", _S + "Answer"),
    "finding": ("http://purl.org/linked-data/cube#Observation", _E2KG + "NonListing"),
    "programme": (_E2KG + "ReverseMentoringProgramme",),
    "concept": (_SKOS + "Concept", _SKOS + "ConceptScheme"),
    "event": (_S + "Event",),
    "passage": (_E2KG + "Passage",),
    "term": (_OWL + "Class", _OWL + "ObjectProperty", _OWL + "DatatypeProperty"),
    "shape": (_SH + "PropertyShape", _SH + "NodeShape"),
}
"""Filter name -> classes, in order of preference when a resource has several types."""

NAME_PROPERTIES = frozenset({*LABEL_PROPERTIES, _SKOS + "altLabel", _SKOS + "notation"})
MIN_TERM_LENGTH = 3
"""Trigrams need three letters; shorter words of a query are ignored."""


@dataclass(frozen=True)
class Hit:
    """One resource found: its IRI, kind, label in the requested language and a snippet."""

    iri: str
    kind: str
    label: str
    snippet: str
    score: float


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, the total, and how many hits each kind has (for the filters)."""

    query: str
    total: int
    hits: list[Hit]
    kind_counts: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    """Words of the query too short to search for."""
    stale: bool = False
    """Whether the data changed since the index was built (a rebuild is running)."""


class IndexBuilding(E2kgError):
    """The first build of the search index has not finished yet."""

    code = "search-index-building"
    status = 503

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the search index is being built ({seconds:.0f} s so far); try again shortly",
            detail={"retry_after": 5},
        )


def main_kind(types: Sequence[str]) -> str:
    """The filter kind of a resource with ``types``; ``other`` when none fits."""
    for kind, classes in KINDS.items():
        if any(cls in types for cls in classes):
            return kind
    return "other"


class SearchIndex:
    """The search index of one store, rebuilt after every dataset version change."""

    def __init__(
        self, store: Store, *, wait: float | None = None, first_wait: float = 10.0
    ) -> None:
        self.store = store
        self.wait = wait
        self.first_wait = first_wait
        self._lock = threading.Lock()
        """Guards the current connection and what it was built for."""
        self._build_lock = threading.Lock()
        """Held by the one build running at a time."""
        self._connection: sqlite3.Connection | None = None
        self._built_for: str | None = None
        self._builder: threading.Thread | None = None
        self._build_started = 0.0

    def refresh(self) -> bool:
        """Rebuild the index now if the dataset changed since it was built; whether it was rebuilt."""
        with self._build_lock:
            tag = dataset_version(self.store).tag
            with self._lock:
                if self._built_for == tag:
                    return False
            connection = self._build()
            with self._lock:
                self._connection, self._built_for = connection, tag
            return True

    def start_refresh(self) -> threading.Thread | None:
        """Start a rebuild in the background if the data changed and none runs; the thread."""
        with self._lock:
            if self._built_for == dataset_version(self.store).tag:
                return None
            if self._builder is not None and self._builder.is_alive():
                return self._builder
            self._build_started = time.monotonic()
            self._builder = threading.Thread(
                target=self._refresh_quietly, name="e2kg-search-index", daemon=True
            )
            self._builder.start()
            return self._builder

    def _refresh_quietly(self) -> None:
        try:
            while self.refresh():
                pass  # another write during the build: build again
        except Exception:  # a closed or failing store: the next search tries again
            logger.warning("search index build failed", exc_info=True)

    def _current(self) -> tuple[sqlite3.Connection, bool]:
        """The connection to search and whether it is stale, after refreshing as configured."""
        if self.wait is None:
            self.refresh()
        else:
            builder = self.start_refresh()
            if builder is not None:
                with self._lock:
                    built = self._connection is not None
                # Wait counts from the start of the build: searches during a long rebuild do
                # not each wait again.
                waited = time.monotonic() - self._build_started
                builder.join(max(0.0, (self.wait if built else self.first_wait) - waited))
        with self._lock:
            if self._connection is None:
                raise IndexBuilding(time.monotonic() - self._build_started)
            return self._connection, self._built_for != dataset_version(self.store).tag

    def _build(self) -> sqlite3.Connection:
        names: dict[str, list[str]] = defaultdict(list)
        texts: dict[str, list[str]] = defaultdict(list)
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for iri, prop, text, tag in self._rows("texts"):
            (names if prop in NAME_PROPERTIES else texts)[iri].append(text)
            if prop in LABEL_PROPERTIES:
                language = tag.split("-")[0]
                rank = LABEL_PROPERTIES.index(prop)
                current = labels[iri].get(language + "#rank")
                if current is None or rank < int(current):
                    labels[iri][language] = text
                    labels[iri][language + "#rank"] = str(rank)
        types: dict[str, list[str]] = defaultdict(list)
        for iri, type_iri in self._rows("types"):
            types[iri].append(type_iri)

        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.executescript(
            "CREATE VIRTUAL TABLE documents USING fts5("
            " names, texts, tokenize = 'trigram');"
            "CREATE TABLE resources (id INTEGER PRIMARY KEY, iri TEXT, kind TEXT,"
            " label_en TEXT, label_de TEXT, label_any TEXT, original TEXT);"
        )
        rows = []
        for number, iri in enumerate(sorted(set(names) | set(texts)), start=1):
            own = labels.get(iri, {})
            any_label = own.get("") or next(
                (value for key, value in own.items() if "#" not in key), None
            )
            original = " … ".join(texts.get(iri, []))
            rows.append(
                (
                    number,
                    iri,
                    main_kind(types.get(iri, [])),
                    own.get("en"),
                    own.get("de"),
                    any_label or (names[iri][0] if names.get(iri) else iri),
                    original,
                    normalise(" ".join(names.get(iri, []))),
                    normalise(original),
                )
            )
        with db:
            db.executemany(
                "INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?, ?)", [row[:7] for row in rows]
            )
            db.executemany(
                "INSERT INTO documents (rowid, names, texts) VALUES (?, ?, ?)",
                [(row[0], row[7], row[8]) for row in rows],
            )
        return db

    def _rows(self, name: str) -> Iterator[list[str]]:
        """The rows of ``queries/search/<name>.rq`` as plain strings: IRIs and lexical forms as the
        engine writes them in CSV, in the query's column order. Not ``Store.select``: making
        rdflib terms of every label and text was half the build (0.47 s of 1.0 at 100 k triples;
        the CSV 0.18 s)."""
        raw = self.store.query_raw(search_query(name), "text/csv")
        reader = csv.reader(io.StringIO(b"".join(raw.chunks).decode("utf-8"), newline=""))
        next(reader, None)  # the header: the projected variables, in order
        return reader

    def search(
        self,
        query: str,
        *,
        kinds: Sequence[str] = (),
        language: str = "en",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResults:
        """Resources whose labels or texts contain every word of ``query``, best first."""
        unknown = [kind for kind in kinds if kind not in KINDS and kind != "other"]
        if unknown:
            raise InputError(
                f"unknown type filter {', '.join(unknown)}; known: {', '.join(KINDS)}, other"
            )
        words = terms(query)
        usable = [word for word in words if len(word) >= MIN_TERM_LENGTH]
        ignored = [word for word in words if len(word) < MIN_TERM_LENGTH]
        if not usable:
            return SearchResults(query, 0, [], ignored=ignored)
        db, stale = self._current()
        match = " AND ".join('"' + word.replace('"', "") + '"' for word in usable)
        kind_filter = ""
        parameters: list[object] = [match]
        if kinds:
            kind_filter = f" AND r.kind IN ({', '.join('?' for _ in kinds)})"
            parameters.extend(kinds)
        label_column = "label_de" if language == "de" else "label_en"
        base = (
            "FROM documents d JOIN resources r ON r.id = d.rowid WHERE documents MATCH ?"
            + kind_filter
        )
        with self._lock:
            counts = dict(
                db.execute(
                    "SELECT r.kind, COUNT(*) FROM documents d JOIN resources r ON r.id = d.rowid"
                    " WHERE documents MATCH ? GROUP BY r.kind",
                    [match],
                ).fetchall()
            )
            total = db.execute("SELECT COUNT(*) " + base, parameters).fetchone()[0]
            # Past the last hit (any page number a client sends, even beyond SQLite's integers)
            # there is nothing to fetch.
            found = (
                db.execute(
                    f"SELECT r.iri, r.kind, COALESCE(r.{label_column}, r.label_any), r.original,"
                    " bm25(documents, 10.0, 1.0) AS score " + base + " ORDER BY score, r.iri"
                    " LIMIT ? OFFSET ?",
                    [*parameters, min(limit, total), offset],
                ).fetchall()
                if 0 <= offset < total and limit > 0
                else []
            )
        hits = [
            Hit(iri, kind, label, snippet(original, usable), -score)
            for iri, kind, label, original, score in found
        ]
        return SearchResults(query, total, hits, counts, ignored, stale)


_WORD = re.compile(r"\S+")


def snippet(text: str, words: Sequence[str], width: int = 12) -> str:
    """About ``2 * width`` words of ``text`` around the first word that contains a query word."""
    tokens = _WORD.findall(text)
    if not tokens:
        return ""
    position = next(
        (
            index
            for index, token in enumerate(tokens)
            if any(word in normalise(token).replace(" ", "") for word in words)
        ),
        0,
    )
    start = max(0, position - width)
    end = min(len(tokens), position + width)
    return (
        ("… " if start else "") + " ".join(tokens[start:end]) + (" …" if end < len(tokens) else "")
    )
