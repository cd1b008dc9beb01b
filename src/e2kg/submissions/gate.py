"""SHACL gates every write: the gate finds what a SPARQL Update or Graph Store write would change
and validates the study entries it touches, before the caller applies it. This module holds the
entry points (``check_write``, ``after_write``, ``WRITE_LOCK``); each way of finding the change
has a module of its own.

How the change (the quads added and removed, ``change.Delta``) is found, at a cost that follows
the write, not the store:

- a Graph Store write (``graph_store_change``): the body is parsed before the write lock is taken
  (and refused there when it is over ``MAX_WRITE_TRIPLES`` or ``MAX_BLANK_DEPTH``,
  ``body_limits``); the delta is the target graph's old triples against the body;
- a SPARQL Update made only of ``INSERT DATA`` / ``DELETE DATA`` into named graphs (memory or
  embedded store, ``data_update``): the delta is the update's own quads, each looked up in the
  store;
- any other update on the embedded Oxigraph store (``update_change``): it is applied to a
  checkpoint of the store (``store.scratch``, hard links, the engine's own semantics), and only
  the quads matching the update's templates (``update_templates``) are read before and after;
- any other update on a memory or remote store (the slow path, ``copy_check``): a scratch copy of
  every named graph, dumped before and after the update and compared.

The touched nodes (subjects and IRI objects of changed triples, and subjects pointing to a changed
subject, ``touched_nodes``) are validated with the study-entry shapes against the validation
context (the store's data as an rdflib graph, kept by ``ValidationContext``) with the change
applied in place and taken out again. Only violations the write introduces count (``outcome``): a
result already present for the same node, shape, path and value before the write does not block
it. When nothing new is violated the caller applies the write under ``WRITE_LOCK`` (no other gated
write slips in between) and then calls ``after_write``, which applies the change to the context
(or drops the context when blank nodes, which the store relabels, are involved). For a remote
store the context is fetched again for each check, as writes made directly at the remote engine
are not seen otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rdflib import Graph, URIRef

from e2kg.store import Store
from e2kg.submissions.body_limits import MAX_BLANK_DEPTH, MAX_WRITE_TRIPLES, blank_depth, parse_body
from e2kg.submissions.change import Change, Delta, Triple
from e2kg.submissions.context import ValidationContext
from e2kg.submissions.copy_check import check_on_copy
from e2kg.submissions.graph_store_change import graph_change
from e2kg.submissions.outcome import GateOutcome, conforming, new_results
from e2kg.submissions.touched_nodes import neighbourhood, readable, referrers
from e2kg.submissions.update_change import update_change

__all__ = [
    "MAX_BLANK_DEPTH",
    "MAX_WRITE_TRIPLES",
    "WRITE_LOCK",
    "Change",
    "Delta",
    "GateOutcome",
    "Triple",
    "after_write",
    "blank_depth",
    "check_write",
    "graph_change",
    "parse_body",
    "update_change",
]

WRITE_LOCK = threading.RLock()
"""Held from the check of a write until it has been applied to the store."""


def check_write(
    store: Store, context: ValidationContext, change: Change, *, language: str = "en"
) -> GateOutcome:
    """Validate what ``change`` would do to the store; the store itself is not touched."""
    store = _engine(store)
    delta = change.find_delta(store)
    if delta is None:
        return check_on_copy(store, context, change, language=language)
    if store.name == "remote":
        context.invalidate()  # the remote engine may have been written to directly
    changes = len(delta.added | delta.removed)
    if not changes:
        return GateOutcome(conforming(), 0, delta, delta.reads)
    reads = delta.reads
    with context.lock:
        subjects = {s for s, _p, _o, _g in delta.added | delta.removed}
        objects = {o for _s, _p, o, _g in delta.added | delta.removed if isinstance(o, URIRef)}
        pointing, read = referrers(store, subjects, delta)
        touched = {n for n in subjects | objects | pointing if isinstance(n, URIRef)}
        visible = readable(delta.data_added, touched)
        fetched = neighbourhood(context, touched, visible, delta.data_removed)
        reads += read
        kept = context.data()
        adding = [t for t in set(fetched) | visible if t not in kept]
        removing = [t for t in delta.data_removed if t in kept]
        with _applied(kept, adding, removing):
            focus = sorted(node for node in touched if (node, None, None) in kept)
            if not focus:
                return GateOutcome(conforming(), changes, delta, reads, len(fetched))
            report = context.validate_nodes(kept, focus, language=language)
        if not report.conforms:
            known = neighbourhood(context, set(focus), set(), frozenset())
            with _applied(kept, [t for t in known if t not in kept], []):
                report = new_results(context, report, kept, focus)
    return GateOutcome(report, changes, delta, reads, len(fetched))


def _engine(store: Store) -> Store:
    """The store that holds the data: the one a wrapper such as ``query_runner.NotifyingStore``
    holds as ``inner``. The gate only reads it (and checkpoints it), and the checkpoint and the
    literal forms of ``store.scratch`` are those of the embedded engine, which the wrapper hides;
    the caller still writes through the wrapper, so its runner hears of the write."""
    inner = getattr(store, "inner", None)
    return _engine(inner) if isinstance(inner, Store) else store


def after_write(context: ValidationContext, outcome: GateOutcome) -> None:
    """Bring the validation context up to date once the checked write has been applied."""
    delta = outcome.delta
    if delta is None or delta.has_blank_nodes:
        context.invalidate()  # the store gives inserted blank nodes new labels
    elif delta.data_added or delta.data_removed:
        context.apply(added=delta.data_added, removed=delta.data_removed)


@contextmanager
def _applied(data: Graph, adding: list[Triple], removing: list[Triple]) -> Iterator[None]:
    """``data`` with the change applied for the block, as it was afterwards."""
    for triple in removing:
        data.remove(triple)
    for triple in adding:
        data.add(triple)
    try:
        yield
    finally:
        for triple in adding:
            data.remove(triple)
        for triple in removing:
            data.add(triple)
