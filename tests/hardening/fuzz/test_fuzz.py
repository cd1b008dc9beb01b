"""Coverage-guided fuzzing with atheris, bounded: each target of fuzz_targets.py runs in its own
process for ``E2KG_FUZZ_SECONDS`` (default 15 s) from the fixed seed corpus in tests/data/fuzz/
(copied, so libFuzzer's additions stay out of the tree). The test fails when libFuzzer reports a
crash (an exception outside the ``E2kgError`` family, or a broken invariant) or a hang (one input
over 10 s), and shows the input that did it. Runs and coverage go to var/artefacts/fuzz-*.json.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2kg_testing import DATA

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SEEDS = DATA / "fuzz"
SECONDS = int(os.environ.get("E2KG_FUZZ_SECONDS", "15"))
HANG_SECONDS = 10
TARGETS = ("upload", "query-checks", "question-parameters")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("atheris") is None, reason="atheris is not installed (dev extra)"
)


@pytest.mark.timeout(SECONDS + 90)
@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_target_finds_no_crash_or_hang(target: str, tmp_path: Path) -> None:
    seeds = sorted((SEEDS / target).iterdir())
    assert seeds, f"no seed inputs in {SEEDS / target}"
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS / target, corpus)
    artefacts = tmp_path / "artefacts"
    artefacts.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            str(HERE / "fuzz_targets.py"),
            target,
            str(corpus),
            f"-max_total_time={SECONDS}",
            f"-timeout={HANG_SECONDS}",
            "-rss_limit_mb=1536",
            "-seed=1",
            f"-artifact_prefix={artefacts}/",
            "-print_final_stats=1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SECONDS + 60,
        check=False,
    )
    log = result.stderr
    found = sorted(path.name for path in artefacts.iterdir())
    detail = "\n".join(f"{name}: {(artefacts / name).read_bytes()[:300]!r}" for name in found)
    assert result.returncode == 0 and not found, (
        f"fuzz target {target} failed (exit {result.returncode}); inputs:\n{detail}\n" + log[-4000:]
    )
    runs = re.search(r"Done (\d+) runs in (\d+) second", log)
    coverage = re.findall(r"cov: (\d+)", log)
    assert runs, log[-2000:]
    figures = {
        "target": target,
        "runs": int(runs.group(1)),
        "seconds": int(runs.group(2)),
        "coverage": int(coverage[-1]) if coverage else None,
        "seeds": len(seeds),
        "crashes": 0,
        "hangs": 0,
    }
    folder = ROOT / "var" / "artefacts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"fuzz-{target}.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nfuzz {target}: {figures['runs']} inputs in {figures['seconds']} s, 0 crashes")
    assert figures["runs"] > len(seeds)
