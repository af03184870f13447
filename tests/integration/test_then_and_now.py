"""``python -m benchmarks.speed.then_and_now --quick`` (issue 8's cost against the code of the
day it was filed, through two live servers) runs end to end and prints both rows."""

from __future__ import annotations

import re

import pytest
from benchmarks.speed import then_and_now

BASELINE = then_and_now.BASELINE

pytestmark = pytest.mark.slow


def cells(out: str, workload: str) -> list[str]:
    """The cells of the table row of ``workload``."""
    line = next(x for x in out.splitlines() if x.startswith(f"| {workload} ("))
    return [c.strip() for c in line.strip("|").split("|")]


def numbers(cell: str) -> list[float]:
    """Every number written in ``cell``."""
    return [float(x) for x in re.findall(r"[0-9]+(?:\.[0-9]+)?", cell)]


@pytest.mark.skipif(
    not then_and_now.has_commit(BASELINE),
    reason=f"no git history with the baseline commit {BASELINE} (a tarball or shallow clone)",
)
def test_the_quick_then_and_now_prints_both_workloads(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert then_and_now.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "then: ocrhive from " in out and "baseline/src/ocrhive" in out, out
    for workload in ("receipts", "clean pages"):
        row = cells(out, workload)
        # then: wall, CPU, CER; now: wall, CPU, CER; ratios: wall, CPU
        then_cer, now_cer = float(row[3]), float(row[6])
        assert 0 <= then_cer <= 1 and 0 <= now_cer <= 1, row
        for cell in (row[1], row[2], row[4], row[5], row[7], row[8]):
            assert all(x > 0 for x in numbers(cell)), (cell, row)
    # generous bounds only: a benchmark's numbers are not a test's business
    assert float(cells(out, "clean pages")[6]) < 0.05
