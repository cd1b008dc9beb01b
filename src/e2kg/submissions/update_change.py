"""A SPARQL Update as a change for the gate, and the delta of any update on the embedded store.

An update made only of ``INSERT DATA`` / ``DELETE DATA`` into named graphs has its delta from its
own quads (``data_update``); any other update on the embedded Oxigraph store is applied to a
checkpoint of the store (``store.scratch``, the engine's own semantics) and only the quads
matching its templates (``update_templates``) are read before and after. On a memory or remote
store such an update has no cheap delta: the gate applies it to a full copy (``copy_check``).
"""

from __future__ import annotations

from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate

from e2kg.store import Store
from e2kg.store.memory import syntax_error
from e2kg.store.scratch import Pattern, can_checkpoint, checkpoint, to_quad
from e2kg.submissions.change import Change, Delta, data_change
from e2kg.submissions.data_update import data_delta
from e2kg.submissions.remote_loading import no_remote_loading
from e2kg.submissions.update_templates import part, template_patterns


def update_change(update: str) -> Change:
    """A SPARQL Update as a change; a syntax error is raised here, before any lock or work."""
    try:
        operations = list(translateUpdate(parseUpdate(update)).algebra)
    except Exception as error:
        raise syntax_error(error, "update") from error
    data_only = all(
        op.name in ("InsertData", "DeleteData") and not part(op, "triples") for op in operations
    )
    patterns = template_patterns(operations)

    def find_delta(store: Store) -> Delta | None:
        if data_only and store.name != "remote":
            return data_delta(store, operations)
        if can_checkpoint(store):
            return checkpoint_delta(store, update, patterns)
        return None

    def apply(copy: Store) -> None:
        copy.update(update)

    return Change(find_delta, apply, "update")


def checkpoint_delta(store: Store, update: str, patterns: list[Pattern]) -> Delta:
    """The delta of any update: applied to a checkpoint, quads matching its templates compared.

    Every quad an operation inserts or deletes is an instance of one of its templates, so the
    comparison is exact; templates with ``GRAPH ?g`` and every variable position read more.
    """
    with checkpoint(store) as scratch:
        before = scratch.matching(patterns)
        with no_remote_loading():
            scratch.update(update)
        after = scratch.matching(patterns)
        added = {to_quad(quad) for quad in after - before}
        removed = {to_quad(quad) for quad in before - after}
        data_added, data_removed = data_change(
            added, removed, lambda triple: scratch.graphs_of(*triple)
        )
        reads = scratch.reads
    return Delta(frozenset(added), frozenset(removed), data_added, data_removed, reads)
