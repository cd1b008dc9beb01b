"""The memory allocator of the serving processes: jemalloc where it is installed.

pyoxigraph's query engine spends about a third of a heavy query's CPU in glibc's malloc and free
(perf, `oxigraph serve` alike); with jemalloc preloaded a heavy query costs 15-25 % less CPU and
fewer page faults (bench/engine_gap.py, bench/worker_overhead.py). In the query workers it also
pays for their separate block caches: with glibc's malloc a heavy query at a million triples cost a
worker 560 ms of CPU, with jemalloc 420 ms, as much as in one process whose threads share RocksDB's
block cache (4 concurrent queries, same data and run). The dynamic loader reads
``LD_PRELOAD`` only when a process starts, so ``e2kg serve`` sets it before it execs gunicorn and
the query workers' forkserver is started with it. An operator who set ``LD_PRELOAD`` (even to the
empty string, to keep glibc's malloc) is left alone.
"""

from __future__ import annotations

import ctypes.util
from collections.abc import Mapping

ALLOCATOR = "jemalloc"
"""The library preloaded where installed (Debian's libjemalloc2; `make serve` installs it)."""


def preload_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """Variables to add to ``environ`` so a process started with it runs on ``ALLOCATOR``:
    nothing when the library is missing or the operator chose with ``LD_PRELOAD``."""
    if "LD_PRELOAD" in environ:
        return {}
    library = ctypes.util.find_library(ALLOCATOR)
    return {"LD_PRELOAD": library} if library else {}
