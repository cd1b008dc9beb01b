"""The source files (ontology/, shapes/, graph/), their named graphs and content hashes.

Each Turtle file under the project root is loaded into its own named graph
``https://w3id.org/e2kg/source/{path relative to the root}``; this module is the one place that
knows where sources live and how they are named.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from rdflib import URIRef

from e2kg.errors import InputError

SOURCE_GRAPH_BASE = "https://w3id.org/e2kg/source/"
"""Prefix of every named graph holding a source file; other graphs (submissions) are not sources."""

TURTLE_MEDIA_TYPE = "text/turtle"

SOURCE_FOLDERS = ("ontology", "shapes", "graph")
"""Folders of the project root that hold source files, in load order."""

STUDY_ENTRY_SHAPES = "study-entry.ttl"
"""The shapes file that only the ``study-entry`` profile uses."""


class Profile(Enum):
    """Which shapes to validate against."""

    GRAPH = "graph"
    """Every shapes/*.ttl except study-entry.ttl: what the published graph must satisfy."""
    STUDY_ENTRY = "study-entry"
    """All shapes/*.ttl: the stricter rules for a new study entry."""


@dataclass(frozen=True)
class SourceFile:
    """One Turtle source file and the named graph it is loaded into."""

    path: Path
    relative_path: str
    """Path relative to the project root, with forward slashes (``graph/studies/x.ttl``)."""
    media_type: str = TURTLE_MEDIA_TYPE

    @property
    def graph(self) -> URIRef:
        """The named graph this file is loaded into."""
        return graph_name(self.relative_path)

    @property
    def folder(self) -> str:
        """The top-level folder: ``ontology``, ``shapes`` or ``graph``."""
        return self.relative_path.split("/", 1)[0]

    def content_hash(self) -> str:
        """SHA-256 of the file's bytes, hex-encoded."""
        return hash_file(self.path)


def graph_name(relative_path: str) -> URIRef:
    """The named graph of a source file given by its path relative to the project root."""
    return URIRef(SOURCE_GRAPH_BASE + relative_path)


def is_source_graph(graph: URIRef) -> bool:
    """Whether a named graph holds a source file (as opposed to a submission or other graph).

    Only names of files in a source folder count: ``source/questions`` (the question catalogue,
    generated from the package) shares the prefix but is no file, so a load never drops it.
    """
    name = str(graph)
    if not name.startswith(SOURCE_GRAPH_BASE):
        return False
    return name[len(SOURCE_GRAPH_BASE) :].split("/", 1)[0] in SOURCE_FOLDERS


def hash_file(path: Path) -> str:
    """SHA-256 of a file's bytes, hex-encoded."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def turtle_files(folder: Path) -> list[Path]:
    """Every ``*.ttl`` file below ``folder``, sorted; empty when the folder does not exist."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*.ttl") if path.is_file())


def find_sources(root: Path) -> list[SourceFile]:
    """Every source file of the project at ``root``: ontology/**, shapes/*, graph/** Turtle."""
    root = root.resolve()
    found: list[SourceFile] = []
    for folder in SOURCE_FOLDERS:
        paths = shapes_files(root) if folder == "shapes" else turtle_files(root / folder)
        found.extend(
            SourceFile(path=path, relative_path=path.relative_to(root).as_posix()) for path in paths
        )
    return found


def ontology_files(root: Path) -> list[Path]:
    """The ontology and concept schemes: ontology/**/*.ttl."""
    return turtle_files(root / "ontology")


def graph_files(root: Path) -> list[Path]:
    """The instance data: graph/**/*.ttl."""
    return turtle_files(root / "graph")


def shapes_files(root: Path, profile: Profile | None = None) -> list[Path]:
    """The shapes files of ``profile`` (all of shapes/*.ttl when ``profile`` is None)."""
    folder = root / "shapes"
    if not folder.is_dir():
        return []
    paths = sorted(path for path in folder.glob("*.ttl") if path.is_file())
    if profile is Profile.GRAPH:
        paths = [path for path in paths if path.name != STUDY_ENTRY_SHAPES]
    return paths


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given and every ``*.ttl`` below the given folders, without duplicates, in order.

    Raises InputError for a path that does not exist.
    """
    expanded: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            candidates: Sequence[Path] = turtle_files(path)
        elif path.is_file():
            candidates = [path]
        else:
            raise InputError(f"{path}: no such file or folder", detail={"source": str(path)})
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved not in seen:
                seen.add(resolved)
                expanded.append(resolved)
    return expanded
