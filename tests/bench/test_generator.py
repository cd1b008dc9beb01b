"""The benchmark's data generator: same seed, same bytes; its study blocks conform to the shapes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import URIRef

from e2kg.sources import Profile
from e2kg.validation import load_shapes, validate_graph

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_generator", ROOT / "bench" / "generator.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_same_seed_same_bytes_other_seed_other_bytes(generator: ModuleType, tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.nq", tmp_path / "b.nq", tmp_path / "c.nq"
    names = generator.generate(first, 3000, seed=1)
    generator.generate(second, 3000, seed=1)
    generator.generate(other, 3000, seed=2)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    lines = first.read_text(encoding="utf-8").splitlines()
    assert names.triples == len(lines)
    assert 2000 < names.triples < 4500
    assert names.studies and names.findings


def test_generated_graph_conforms_to_the_shapes(generator: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "small.nq"
    names = generator.generate(path, 2500, seed=3)
    graphs = {line.rsplit(" <", 1)[1] for line in path.read_text(encoding="utf-8").splitlines()}
    assert any("/source/graph/studies/gen-" in graph for graph in graphs)
    assert any("/source/graph/passages/gen-" in graph for graph in graphs)
    data = generator.parse_quads(path.read_text(encoding="utf-8").splitlines(keepends=True))
    report = validate_graph(data, load_shapes(ROOT, Profile.GRAPH), profile=Profile.GRAPH)
    violations = [result for result in report.results if result.severity.value == "Violation"]
    assert violations == []
    assert URIRef(names.findings[0]) in set(data.subjects())


def test_a_broken_block_is_caught(generator: ModuleType) -> None:
    import random

    block = generator.study_block(1, random.Random(1), companies=4, people=2)
    context = generator.ontology_quads() + generator.agents(4, 2).lines
    generator.check_block(block, context)  # conforms as generated
    broken = generator.Block(
        [line for line in block.lines if "#share>" not in line], block.subjects
    )
    with pytest.raises(AssertionError, match="violations"):
        generator.check_block(broken, context)


def test_new_entry_is_about_fifty_triples_citing_the_given_article(generator: ModuleType) -> None:
    article = "https://w3id.org/e2kg/id/article/gen-000000-2010"
    entry = generator.new_entry(article)
    lines = entry.splitlines()
    assert 40 <= len(lines) <= 80
    assert all(f"<{article}>" in line for line in lines if "hasSource" in line)
    assert "/id/article/gen-999999" not in entry
