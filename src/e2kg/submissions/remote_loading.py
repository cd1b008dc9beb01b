"""rdflib's update engine kept from fetching graphs from the web while the gate updates a copy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import rdflib.plugins.sparql


@contextmanager
def no_remote_loading() -> Iterator[None]:
    """rdflib's update engine fetches ``USING`` graphs from the web unless this flag is off;
    the copy holds every graph already, so it takes them from there (the flag is global: it is
    switched off only while the copy is updated, under ``WRITE_LOCK``)."""
    previous = rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    try:
        yield
    finally:
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = previous
