"""The nodes a write touches and what the shapes can read about them, found from the change and
a few store lookups (the gate's cheap path): changed subjects and IRI objects, subjects pointing
to a changed subject, and their validation neighbourhood with the change applied."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.term import Node

from e2kg.store import Store
from e2kg.submissions.change import Delta, Triple
from e2kg.submissions.context import ValidationContext
from e2kg.submissions.queries import submission_query


def referrers(store: Store, subjects: set[Node], delta: Delta) -> tuple[set[Node], int]:
    """Subjects pointing to a changed subject after the write (and to those blank referrers),
    and how many quads the lookups read.

    Blank nodes the write creates (``delta.new_blank_nodes``) are in no stored triple: only the
    added triples are looked at for them, not the store.
    """
    reads = 0
    pointing_in_added: dict[Node, set[Node]] = {}
    for s, _p, o in delta.data_added:
        pointing_in_added.setdefault(o, set()).add(s)

    def referring(node: Node) -> set[Node]:
        nonlocal reads
        found = set(pointing_in_added.get(node, ()))
        if isinstance(node, BNode) and node in delta.new_blank_nodes:
            return found
        rows = store.select(submission_query("referrers"), bindings={"node": node}).rows
        reads += len(rows)
        return found | {row["referrer"] for row in rows if "referrer" in row}

    pointing = {referrer for node in subjects for referrer in referring(node)}
    pointing |= {
        referrer
        for node in list(pointing)
        if not isinstance(node, URIRef)
        for referrer in referring(node)
    }
    return pointing, reads


def readable(added: Iterable[Triple], touched: set[URIRef]) -> set[Triple]:
    """The added triples the shapes can read from the touched nodes: those about a touched node
    and about the blank nodes those point to (the reach of ``queries/validation``), not, say,
    the thousands of list nodes of a deeply nested collection."""
    about: dict[Node, list[Triple]] = {}
    for triple in added:
        about.setdefault(triple[0], []).append(triple)
    found = {triple for node in touched for triple in about.get(node, ())}
    blank = {o for _s, _p, o in found if isinstance(o, BNode)}
    return found | {triple for node in blank for triple in about.get(node, ())}


def neighbourhood(
    context: ValidationContext,
    nodes: set[URIRef],
    added: set[Triple],
    removed: frozenset[Triple],
) -> Graph:
    """What the shapes can read about ``nodes`` in the store once ``added`` are in it and
    ``removed`` are gone (both empty: the store as it is).
    """
    entry = Graph()
    for node in nodes:
        entry.add((node, RDF.type, RDFS.Resource))  # names each node as a subject, nothing more
    for triple in added:
        entry.add(triple)
    return context.neighbourhood(entry, hidden=removed)
