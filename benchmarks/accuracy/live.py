"""The engine choice through the live service: ``ocrhive serve --workers 2`` on a fresh data
folder, every image of a set POSTed over HTTP with the SDK's defaults and waited for, as a client
would; the sets and their scoring are :mod:`benchmarks.accuracy.engines`'s.

Usage (from the repository root, with the virtualenv active)::

    python -m benchmarks.accuracy.live --sets receipts-odd,scene-held-out,narrow-columns

Per set, RecognizeImage with the body the SDK sends for ``OCRSettingsRecognizeImage()`` and,
for the receipt and scene sets, RecognizeReceipt or RecognizeLabel with their models' defaults
(receipts: skew correction and binarization on; labels: both off). Cells: mean CER (scene sets
case-insensitive), CPU seconds per task over the server's whole process tree (API and worker
processes), and how many tasks RapidOCR read (from ``error.warnings``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from contextlib import ExitStack
from pathlib import Path

from benchmarks.accuracy.engines import SETS, Item, score
from benchmarks.speed.borndigital import text_of
from benchmarks.speed.cluster import Deployment, run, start_embedded
from benchmarks.speed.live import DEFAULTS
from benchmarks.speed.then_and_now import RAPIDOCR, warnings_of

from ocrhive.domain.recognition import BOOLEAN_DEFAULTS, Family

#: what the SDK sends for each family's settings model left at its defaults
SDK_DEFAULTS = {
    family: {
        **DEFAULTS,
        "makeSkewCorrect": BOOLEAN_DEFAULTS[family].skew_correct,
        "makeBinarization": BOOLEAN_DEFAULTS[family].binarization,
    }
    for family in (Family.RECOGNIZE_IMAGE, Family.RECOGNIZE_RECEIPT, Family.RECOGNIZE_LABEL)
}


def cell(dep: Deployment, items: list[Item], family: Family, ignore_case: bool) -> str:
    """One set through one family: mean CER · CPU s per task · tasks read by RapidOCR."""
    result = run(dep, [i.data for i in items], SDK_DEFAULTS[family], family=family.value)
    scores = [
        score(item, text_of(envelope), ignore_case)
        for item, envelope in zip(items, result.envelopes, strict=True)
    ]
    rapid = sum(any(RAPIDOCR in w for w in warnings_of(e)) for e in result.envelopes)
    cpu = sum(result.cpu_by_role.values()) / result.tasks
    return f"{statistics.fmean(scores):.3f} · {cpu:.2f}s · {rapid}/{result.tasks}"


def main(argv: list[str] | None = None) -> int:
    """Run the sets through a live server and print one Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="receipts-odd,scene-held-out,narrow-columns")
    args = parser.parse_args(argv)
    print("| set | n | RecognizeImage | RecognizeReceipt / RecognizeLabel |")
    print("|---|---:|---:|---:|")
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        dep = start_embedded(stack, Path(tmp) / "live", 2)
        for name in [s for s in args.sets.split(",") if s]:
            make, family, ignore_case = SETS[name]
            items = list(make())
            image = cell(dep, items, Family.RECOGNIZE_IMAGE, ignore_case)
            own = f"{cell(dep, items, family, ignore_case)} ({family.value})" if family else "—"
            print(f"| {name} | {len(items)} | {image} | {own} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
