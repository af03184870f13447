"""``python -m benchmarks.speed --quick`` (issue 9's one benchmark command) runs end to end."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_the_quick_benchmark_measures_every_row() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.speed", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for row in (
        "bare tesserocr, 2 processes",
        "bare RapidOCR, 2 processes",
        "tesseract CLI per image, 2 at a time",
        "ocrhive, every flag off",
        "ocrhive, defaults",
        "PDF, --workers 1",
        "PDF, --workers 2",
    ):
        assert row in out, (row, out)
    # generous bounds only: a benchmark's numbers are not a test's business
    p99 = float(re.search(r"p99 ([0-9.]+) ms", out).group(1))  # type: ignore[union-attr]
    assert p99 < 2000
    peak = re.search(r"one upload .* peak \+(-?[0-9]+) MiB", out)
    assert peak is not None and int(peak.group(1)) < 500
