"""Load the source files into a store, skipping files that have not changed since the last load.

A manifest (a small JSON file beside the store) records the SHA-256 of each loaded file. A file is
reloaded when its hash differs, when the manifest does not know it, or when its named graph is
missing from the store (a wiped or new store); graphs of deleted source files are dropped. Graphs
that are not source graphs (submitted entries) are never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from e2kg.config import Settings, is_url
from e2kg.errors import StoreError
from e2kg.resources.version import note_write
from e2kg.sources import SourceFile, find_sources, is_source_graph
from e2kg.store import Store

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class LoadOutcome:
    """What a load did."""

    loaded: list[SourceFile] = field(default_factory=list)
    unchanged: list[SourceFile] = field(default_factory=list)
    removed: list[URIRef] = field(default_factory=list)
    """Graphs of source files that no longer exist."""

    @property
    def changed(self) -> bool:
        """Whether the store was written to."""
        return bool(self.loaded or self.removed)


def manifest_path(settings: Settings) -> Path | None:
    """Where the load manifest of the configured store lives; None for the memory store.

    Embedded store ``var/store`` -> ``var/store.load-manifest.json``; a remote store gets a file
    under ``var/`` of the project named after a hash of its URL.
    """
    if settings.store == "memory":
        return None
    if is_url(settings.store):
        key = hashlib.sha256(settings.store.encode("utf-8")).hexdigest()[:16]
        return settings.source_dir / "var" / f"remote-{key}.load-manifest.json"
    return Path(settings.store + ".load-manifest.json")


def read_manifest(path: Path | None) -> dict[str, str]:
    """Relative source path -> SHA-256 of the last loaded version; empty when there is none."""
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # an unreadable manifest only means everything is loaded again
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return {}
    files = data.get("files", {})
    return (
        {str(name): str(digest) for name, digest in files.items()}
        if isinstance(files, dict)
        else {}
    )


def write_manifest(path: Path | None, hashes: dict[str, str]) -> None:
    """Record the loaded hashes atomically (write a temporary file, then rename)."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    document = {"version": MANIFEST_VERSION, "files": dict(sorted(hashes.items()))}
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def load_sources(
    store: Store, source_dir: Path, *, manifest: Path | None, force: bool = False
) -> LoadOutcome:
    """Bring the store's source graphs up to date with the files under ``source_dir``.

    ``force`` reloads every file. Raises ParseError (file, line, column) for a file that does not
    parse; files loaded before it stay loaded and recorded, so a rerun continues from there.
    """
    if not store.writable:
        raise StoreError(
            "the store is read-only: set E2KG_UPDATE_URL to load sources into a remote store"
        )
    sources = find_sources(source_dir)
    recorded = {} if force else read_manifest(manifest)
    present = set(store.graphs())
    hashes: dict[str, str] = {
        name: digest
        for name, digest in recorded.items()
        if any(source.relative_path == name for source in sources)
    }
    loaded: list[SourceFile] = []
    unchanged: list[SourceFile] = []
    for source in sources:
        digest = source.content_hash()
        if recorded.get(source.relative_path) == digest and source.graph in present:
            unchanged.append(source)
            continue
        store.replace_graph(source.graph, source.path, media_type=source.media_type)
        hashes[source.relative_path] = digest
        write_manifest(manifest, hashes)
        loaded.append(source)

    current = {source.graph for source in sources}
    removed = sorted(graph for graph in present if is_source_graph(graph) and graph not in current)
    for graph in removed:
        store.drop_graph(graph)
    write_manifest(manifest, hashes)
    if loaded or removed:
        note_write(store)  # new ETags for every page, and the search index is rebuilt
    return LoadOutcome(loaded=loaded, unchanged=unchanged, removed=removed)
