"""``e2kg backup`` and ``e2kg restore``: a consistent copy of the whole store, and putting one back.

A backup is a directory holding ``backup.json`` (kind, quad count, time) and either ``store/``, a
RocksDB checkpoint of the embedded store (taken when no server holds the directory), or
``dump.nq``, an N-Quads snapshot: of a running server's store through its ``GET /store`` (one read
snapshot of every named graph; the directory of a serving store cannot be opened by a second
process, and copying its files is not safe), or of a remote store (for ``memory``: of the source
files loaded into one). The load manifest of
the store is kept beside it, so a restored store is not reloaded needlessly.

A restore writes into a sibling directory first and renames it into place only when it is complete
and holds the number of quads the backup names; it refuses a target that holds data unless forced.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from e2kg.config import Settings
from e2kg.errors import InputError, StoreError, StoreUnavailable
from e2kg.loading import load_sources, manifest_path
from e2kg.store import open_store
from e2kg.store.oxigraph import OxigraphStore
from e2kg.store.snapshots import checkpoint, directory_quads, file_quads, load_dump

DESCRIPTION = "backup.json"
CHECKPOINT = "store"
DUMP = "dump.nq"
MANIFEST = "load-manifest.json"
CHECKPOINT_KIND = "oxigraph-checkpoint"
DUMP_KIND = "n-quads"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Backup:
    """A backup on disk: what it holds and how many quads."""

    kind: str
    payload: Path
    """The checkpoint directory or the N-Quads file."""
    quads: int
    """As the backup names it; -1 for a bare N-Quads file (not checked)."""
    manifest: Path | None = None
    """The load manifest saved with it."""


def take_backup(settings: Settings, target: Path, *, server_url: str | None = None) -> Backup:
    """Back up the configured store into the new directory ``target``.

    Embedded store: a checkpoint when its directory is free; when a server holds it, the N-Quads
    snapshot of ``server_url`` (default: the configured host and port). Memory or remote store:
    its N-Quads dump. ``target`` appears only once the backup is complete.
    """
    if target.exists():
        raise InputError(f"backup target {target} already exists (choose a new directory)")
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
    except OSError as e:
        raise InputError(f"cannot create the backup directory {partial}: {e.strerror}") from e
    try:
        kind, quads = _write_payload(settings, partial, server_url)
        manifest = manifest_path(settings)
        if manifest is not None and manifest.is_file():
            shutil.copyfile(manifest, partial / MANIFEST)
        description = {
            "kind": kind,
            "quads": quads,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "store": settings.store,
        }
        (partial / DESCRIPTION).write_text(json.dumps(description, indent=2) + "\n")
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return read_backup(target)


def _write_payload(settings: Settings, folder: Path, server_url: str | None) -> tuple[str, int]:
    if settings.store_is_embedded:
        location = Path(settings.store)
        if not location.is_dir():
            raise StoreUnavailable(f"store directory {location} does not exist: nothing to back up")
        try:
            embedded = OxigraphStore(location, timeout=settings.query_timeout)
        except StoreUnavailable as error:
            if "in use" not in error.message:
                raise
            # A server holds the directory: take its snapshot through the Graph Store protocol.
            url = server_url or f"http://{_url_host(settings.host)}:{settings.port}"
            _download_dump(url, folder / DUMP)
            return DUMP_KIND, file_quads(folder / DUMP)
        try:
            checkpoint(embedded, folder / CHECKPOINT)
        finally:
            embedded.close()
        return CHECKPOINT_KIND, directory_quads(folder / CHECKPOINT)
    with (
        open_store(
            settings.store,
            update_url=settings.update_url,
            bearer_token=settings.update_token,
            timeout=settings.query_timeout,
        ) as store,
        (folder / DUMP).open("wb") as output,
    ):
        if settings.store == "memory":  # a memory store of this process: the source files
            load_sources(store, settings.source_dir, manifest=None)
        for chunk in store.dump("application/n-quads"):
            output.write(chunk)
    return DUMP_KIND, file_quads(folder / DUMP)


def _download_dump(url: str, target: Path) -> None:
    """``GET {url}/store`` as N-Quads into ``target``; StoreUnavailable when it does not answer."""
    request = urllib.request.Request(
        url.rstrip("/") + "/store", headers={"Accept": "application/n-quads"}
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response, target.open("wb") as output:
            while chunk := response.read(_CHUNK):
                output.write(chunk)
    except urllib.error.HTTPError as e:
        raise StoreUnavailable(
            f"the store directory is in use and the server at {url} refused the dump: HTTP {e.code}"
        ) from e
    except (urllib.error.URLError, OSError) as e:
        raise StoreUnavailable(
            f"the store directory is in use by another process and no server answers at {url} "
            f"(give its address with --url): {getattr(e, 'reason', e)}"
        ) from e


def read_backup(source: Path) -> Backup:
    """The backup at ``source``: a backup directory, or a bare N-Quads file. InputError naming the
    problem when it is missing or incomplete."""
    if source.is_file():
        return Backup(kind=DUMP_KIND, payload=source, quads=-1)
    if not source.is_dir():
        raise InputError(f"backup {source} does not exist")
    try:
        description = json.loads((source / DESCRIPTION).read_text(encoding="utf-8"))
        kind = description["kind"]
        quads = int(description["quads"])
    except FileNotFoundError as e:
        raise InputError(f"{source} is not a backup: it has no {DESCRIPTION}") from e
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(f"{source / DESCRIPTION} is unreadable: {e}") from e
    if kind not in (CHECKPOINT_KIND, DUMP_KIND):
        raise InputError(f"{source / DESCRIPTION}: unknown backup kind {kind!r}")
    manifest = source / MANIFEST
    backup = Backup(
        kind=kind,
        payload=source / (CHECKPOINT if kind == CHECKPOINT_KIND else DUMP),
        quads=quads,
        manifest=manifest if manifest.is_file() else None,
    )
    if not backup.payload.exists():
        raise InputError(f"backup {source} is incomplete: {backup.payload.name} is missing")
    return backup


def restore_backup(settings: Settings, source: Path, *, force: bool = False) -> int:
    """Put the backup ``source`` in place of the configured embedded store; the quads restored.

    Refuses a store directory that holds data unless ``force``, and one a server holds. The backup
    is restored into a sibling directory, checked (quad count) and only then renamed into place.
    """
    if not settings.store_is_embedded:
        raise InputError(
            f"restore writes an embedded store directory, not {settings.store!r}: restore into a "
            "directory (--store DIR), or load dump.nq with the remote engine's own loader"
        )
    backup = read_backup(source)
    target = Path(settings.store)
    _check_target(target, force=force)
    staging = target.with_name(f"{target.name}.restoring-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        if backup.kind == CHECKPOINT_KIND:
            shutil.copytree(backup.payload, staging)
            quads = directory_quads(staging)
        else:
            staging.parent.mkdir(parents=True, exist_ok=True)
            quads = load_dump(backup.payload, staging)
        if backup.quads >= 0 and quads != backup.quads:
            raise InputError(
                f"backup {source} is damaged: it names {backup.quads} quads, {quads} could be read"
            )
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _restore_manifest(settings, backup)
    return quads


def _check_target(target: Path, *, force: bool) -> None:
    """InputError when ``target`` holds data and ``force`` is off; StoreUnavailable when a
    process holds it."""
    if not target.exists():
        return
    if not target.is_dir():
        raise InputError(f"restore target {target} is not a directory")
    if not any(target.iterdir()):
        return
    if not (target / "CURRENT").is_file():  # RocksDB's marker: never replace anything else
        raise InputError(f"restore target {target} holds files but is not a store directory")
    store = OxigraphStore(target)  # StoreUnavailable when a server holds it
    try:
        quads = store.triple_count()
    finally:
        store.close()
    if quads and not force:
        raise InputError(
            f"restore target {target} is not empty ({quads} quads): use --force to replace it"
        )


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing ``target`` is moved aside first and removed
    only after the rename succeeded."""
    if not target.exists():
        os.replace(staging, target)
        return
    replaced = target.with_name(f"{target.name}.replaced-{os.getpid()}")
    shutil.rmtree(replaced, ignore_errors=True)
    os.replace(target, replaced)
    try:
        os.replace(staging, target)
    except OSError as e:
        os.replace(replaced, target)
        raise StoreError(f"cannot move the restored store into {target}: {e.strerror}") from e
    shutil.rmtree(replaced, ignore_errors=True)


def _restore_manifest(settings: Settings, backup: Backup) -> None:
    """The backup's load manifest beside the restored store; without one, the stale manifest is
    removed so the next ``e2kg load`` checks every source file again."""
    manifest = manifest_path(settings)
    if manifest is None:
        return
    if backup.manifest is not None:
        shutil.copyfile(backup.manifest, manifest)
    else:
        manifest.unlink(missing_ok=True)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
