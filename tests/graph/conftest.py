"""Fixtures for the graph suite: the real project's sources (ontology/, shapes/, graph/), parsed once.

These tests read the repository's own files, not the fixture project under tests/data/project.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from e2kg.parsing import new_graph, parse_turtle
from e2kg.sources import graph_files, ontology_files, shapes_files

ROOT = Path(__file__).resolve().parents[2]
"""The repository root: it holds ontology/, shapes/ and graph/."""


def parse_all(paths: list[Path]) -> Graph:
    """One graph holding the triples of every file in ``paths``."""
    graph = new_graph()
    for path in paths:
        parse_turtle(path, into=graph)
    return graph


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    """ontology/e2kg.ttl alone: where every own term must be declared."""
    return parse_turtle(ROOT / "ontology" / "e2kg.ttl")


@pytest.fixture(scope="session")
def vocabulary_graph() -> Graph:
    """The ontology and every concept scheme (ontology/**/*.ttl)."""
    return parse_all(ontology_files(ROOT))


@pytest.fixture(scope="session")
def shapes_graph() -> Graph:
    """Every shapes/*.ttl."""
    return parse_all(shapes_files(ROOT))


@pytest.fixture(scope="session")
def instance_graph() -> Graph:
    """The instance data: every graph/**/*.ttl."""
    return parse_all(graph_files(ROOT))


@pytest.fixture(scope="session")
def full_graph(vocabulary_graph: Graph, instance_graph: Graph) -> Graph:
    """Ontology, concept schemes and instance data in one graph (what the checks run over)."""
    graph = new_graph()
    graph += vocabulary_graph
    graph += instance_graph
    return graph
