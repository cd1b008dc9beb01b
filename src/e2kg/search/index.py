"""An in-process full-text index of the graph's labels and texts: SQLite FTS5 with the trigram
tokenizer over normalised text (``normalise``), so any part of a word of three or more letters is
found ("kommunikation" in "unternehmenskommunikation").

The index is built from two SPARQL queries through the Store interface (so it works on a remote
store too) and rebuilt when the dataset version changes (``e2kg.resources.version``). Ranking is
BM25 with names weighted ten times over texts.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import Literal

from e2kg.errors import InputError
from e2kg.resources.labels import LABEL_PROPERTIES
from e2kg.resources.queries import search_query
from e2kg.resources.version import dataset_version
from e2kg.search.normalise import normalise, terms
from e2kg.store import Store

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


def main_kind(types: Sequence[str]) -> str:
    """The filter kind of a resource with ``types``; ``other`` when none fits."""
    for kind, classes in KINDS.items():
        if any(cls in types for cls in classes):
            return kind
    return "other"


class SearchIndex:
    """The search index of one store, rebuilt on first use after every dataset version change."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(":memory:", check_same_thread=False)
        self._built_for: str | None = None

    def refresh(self) -> bool:
        """Rebuild the index if the dataset changed since it was built; whether it was rebuilt."""
        tag = dataset_version(self.store).tag
        with self._lock:
            if self._built_for == tag:
                return False
            self._build()
            self._built_for = tag
            return True

    def _build(self) -> None:
        names: dict[str, list[str]] = defaultdict(list)
        texts: dict[str, list[str]] = defaultdict(list)
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for row in self.store.select(search_query("texts")).rows:
            iri, prop, text = str(row["resource"]), str(row["property"]), row["text"]
            (names if prop in NAME_PROPERTIES else texts)[iri].append(str(text))
            if prop in LABEL_PROPERTIES and isinstance(text, Literal):
                language = (text.language or "").split("-")[0]
                rank = LABEL_PROPERTIES.index(prop)
                current = labels[iri].get(language + "#rank")
                if current is None or rank < int(current):
                    labels[iri][language] = str(text)
                    labels[iri][language + "#rank"] = str(rank)
        types: dict[str, list[str]] = defaultdict(list)
        for row in self.store.select(search_query("types")).rows:
            types[str(row["resource"])].append(str(row["type"]))

        db = self._connection
        db.executescript(
            "DROP TABLE IF EXISTS documents; DROP TABLE IF EXISTS resources;"
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
        self.refresh()
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
            db = self._connection
            counts = dict(
                db.execute(
                    "SELECT r.kind, COUNT(*) FROM documents d JOIN resources r ON r.id = d.rowid"
                    " WHERE documents MATCH ? GROUP BY r.kind",
                    [match],
                ).fetchall()
            )
            total = db.execute("SELECT COUNT(*) " + base, parameters).fetchone()[0]
            found = db.execute(
                f"SELECT r.iri, r.kind, COALESCE(r.{label_column}, r.label_any), r.original,"
                " bm25(documents, 10.0, 1.0) AS score " + base + " ORDER BY score, r.iri"
                " LIMIT ? OFFSET ?",
                [*parameters, limit, offset],
            ).fetchall()
        hits = [
            Hit(iri, kind, label, snippet(original, usable), -score)
            for iri, kind, label, original, score in found
        ]
        return SearchResults(query, total, hits, counts, ignored)


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
