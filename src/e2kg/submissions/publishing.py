"""Publish a conforming study entry: its own named graph, provenance, and a version history.

A study ``/id/study/<slug>`` is stored in the graph ``https://w3id.org/e2kg/submission/<slug>``,
which also says when it was published (``prov:generatedAtTime``), by which token
(``prov:wasAttributedTo``), from which request (``dct:identifier``) and which version it is
(``schema:version``). Every version is also recorded in ``.../submission/<slug>/history`` as
``.../submission/<slug>/v<n>`` with its N-Triples as ``rdf:value``: a literal, not a graph, so old
versions stay retrievable without their triples appearing in the union default graph (and in
every answer). Graph and history are written by one SPARQL Update, one store transaction: after
a crash a version is there completely or not at all.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from string import Template

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from e2kg.errors import E2kgError, InputError, NotFound
from e2kg.parsing import new_graph
from e2kg.sources import SOURCE_GRAPH_BASE
from e2kg.store import Store
from e2kg.store.terms import iri_ntriples, to_ntriples
from e2kg.submissions.context import ValidationContext
from e2kg.submissions.queries import submission_query

SCHEMA = Namespace("http://schema.org/")
SUBMISSION_BASE = "https://w3id.org/e2kg/submission/"
"""Prefix of the named graph of every submitted study (and of its history)."""

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
_publish_lock = threading.Lock()


class Conflict(E2kgError):
    """The entry would overwrite data that is not a submission (a study of the source files)."""

    code = "conflict"
    status = 409


@dataclass(frozen=True)
class Submission:
    """Where a study's submission lives."""

    study: URIRef
    slug: str

    @property
    def graph(self) -> URIRef:
        """The named graph holding the current version."""
        return URIRef(SUBMISSION_BASE + self.slug)

    @property
    def history(self) -> URIRef:
        """The named graph recording every version."""
        return URIRef(f"{SUBMISSION_BASE}{self.slug}/history")

    def version(self, number: int) -> URIRef:
        """The IRI of version ``number``."""
        return URIRef(f"{SUBMISSION_BASE}{self.slug}/v{number}")


@dataclass(frozen=True)
class Version:
    """One stored version of a submission."""

    iri: URIRef
    number: int
    generated: str
    agent: str
    request_id: str


@dataclass(frozen=True)
class Publication:
    """What publishing did."""

    submission: Submission
    version: int
    replaced: bool


def study_of(entry: Graph, base_iri: str) -> Submission:
    """The one study an entry describes; InputError when there is none, several or a bad IRI."""
    studies = sorted(
        {
            subject
            for subject in entry.subjects(RDF.type, SCHEMA.Report)
            if isinstance(subject, URIRef)
        }
    )
    if len(studies) != 1:
        found = ", ".join(f"<{study}>" for study in studies) or "none"
        raise InputError(
            "an entry describes exactly one study (a schema:Report with an IRI); found: " + found,
            detail={"field": "study"},
        )
    study = studies[0]
    prefix = base_iri + "id/study/"
    slug = str(study)[len(prefix) :] if str(study).startswith(prefix) else ""
    if not _SLUG.match(slug):
        raise InputError(
            f"the study IRI <{study}> must be {prefix}<slug> with a slug of lower-case letters, "
            "digits and hyphens",
            detail={"field": "study"},
        )
    return Submission(study=study, slug=slug)


def token_agent(token: str | None, base_iri: str) -> URIRef:
    """The agent a token stands for: a name derived from the token's hash, never the token."""
    digest = hashlib.sha256((token or "").encode("utf-8")).hexdigest()[:12]
    return URIRef(f"{base_iri}id/agent/update-token-{digest}")


def request_id_from(header: str | None) -> str:
    """The client's X-Request-Id when it is a sane token, else a new one."""
    if header and _REQUEST_ID.match(header):
        return header
    return hashlib.sha256(
        f"{datetime.now(UTC).isoformat()}{threading.get_ident()}".encode()
    ).hexdigest()[:16]


def stored_graph(store: Store, graph: URIRef) -> Graph:
    """The triples of a named graph (empty when it does not exist)."""
    return store.construct(submission_query("graph-triples"), bindings={"graph": graph})


def check_not_a_source_study(store: Store, submission: Submission) -> None:
    """Conflict when the study already stands in a graph that is not its own submission graph."""
    rows = store.select(submission_query("study-graphs"), bindings={"study": submission.study}).rows
    others = [row["graph"] for row in rows if row["graph"] != submission.graph]
    if others:
        raise Conflict(
            f"the study <{submission.study}> is already described in "
            + ", ".join(f"<{graph}>" for graph in others)
            + ": a submission may not change it; choose a new study IRI",
            detail={"graphs": [str(graph) for graph in others]},
        )


def versions(store: Store, submission: Submission) -> list[Version]:
    """The stored versions of a submission, oldest first."""
    rows = store.select(submission_query("versions"), bindings={"history": submission.history}).rows
    return [
        Version(
            iri=URIRef(str(row["version"])),
            number=int(str(row["number"])),
            generated=str(row["generated"]),
            agent=str(row["agent"]),
            request_id=str(row["request"]),
        )
        for row in rows
    ]


def version_content(store: Store, submission: Submission, number: int) -> str:
    """The N-Triples of version ``number``; NotFound when there is no such version."""
    rows = store.select(
        submission_query("version-content"),
        bindings={"history": submission.history, "version": submission.version(number)},
    ).rows
    if not rows:
        raise NotFound(f"study {submission.slug} has no version {number}")
    return str(rows[0]["content"])


def publish(
    store: Store,
    context: ValidationContext,
    entry: Graph,
    submission: Submission,
    *,
    agent: URIRef,
    request_id: str,
    previous: Graph,
) -> Publication:
    """Store ``entry`` (already validated) as the new version of ``submission``, atomically.

    ``previous`` is what the submission graph held when the entry was validated.
    """
    with _publish_lock:
        number = max((version.number for version in versions(store, submission)), default=0) + 1
        generated = Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)
        stored = new_graph()
        stored += entry
        provenance: list[tuple[Node, Node, Node]] = [
            (submission.graph, PROV.generatedAtTime, generated),
            (submission.graph, PROV.wasAttributedTo, agent),
            (submission.graph, DCTERMS.identifier, Literal(request_id)),
            (submission.graph, DCTERMS.subject, submission.study),
            (submission.graph, SCHEMA.version, Literal(number)),
            (submission.graph, DCTERMS.hasVersion, submission.version(number)),
        ]
        for triple in provenance:
            stored.add(triple)
        content = _ntriples(stored)
        version = submission.version(number)
        record = [
            (version, DCTERMS.isVersionOf, submission.graph),
            (version, SCHEMA.version, Literal(number)),
            (version, PROV.generatedAtTime, generated),
            (version, PROV.wasAttributedTo, agent),
            (version, DCTERMS.identifier, Literal(request_id)),
            (version, DCTERMS.format, Literal("application/n-triples")),
            (version, RDF.value, Literal(content)),
        ]
        if number > 1:
            record.append((version, PROV.wasRevisionOf, submission.version(number - 1)))
        update = Template(submission_query("publish.ru")).substitute(
            current=iri_ntriples(str(submission.graph)),
            history=iri_ntriples(str(submission.history)),
            triples=content,
            record="\n".join(_ntriple(triple) for triple in record),
        )
        store.update(update)
        if _has_blank_nodes(stored) or _has_blank_nodes(previous):
            # The store gives inserted blank nodes new labels: fetch the context again.
            context.invalidate()
        else:
            gone = [triple for triple in previous if triple not in stored]
            removed = [t for t in gone if not _stands_elsewhere(store, t, submission)]
            context.apply(added=list(stored), removed=removed)
        return Publication(submission=submission, version=number, replaced=len(previous) > 0)


def is_submission_graph(graph: URIRef) -> bool:
    """Whether a named graph belongs to a submission (its current version or its history)."""
    return str(graph).startswith(SUBMISSION_BASE) and not str(graph).startswith(SOURCE_GRAPH_BASE)


def _stands_elsewhere(
    store: Store, triple: tuple[Node, Node, Node], submission: Submission
) -> bool:
    subject, predicate, obj = triple
    if not isinstance(subject, URIRef) or not isinstance(obj, (URIRef, Literal)):
        return False  # blank nodes are local to their graph
    return store.ask(
        submission_query("triple-elsewhere"),
        bindings={
            "subject": subject,
            "predicate": predicate,
            "object": obj,
            "graph": submission.graph,
        },
    )


def _has_blank_nodes(graph: Graph) -> bool:
    return any(isinstance(term, BNode) for triple in graph for term in triple)


def _ntriple(triple: tuple[Node, Node, Node]) -> str:
    return " ".join(to_ntriples(term) for term in triple) + " ."


def _ntriples(graph: Graph) -> str:
    return "\n".join(sorted(_ntriple(triple) for triple in graph))
