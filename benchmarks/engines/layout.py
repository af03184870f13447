"""Compare Tesseract page segmentations (what each dsrMode asks for) on generated and real pages.

Usage (from the repository root, with the virtualenv active)::

    python -m benchmarks.engines.layout

Images are read with no preprocessing, so only the segmentation differs between columns.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict

from benchmarks.accuracy import metrics, synthetic
from benchmarks.engines import pages
from PIL import Image

from ocrhive.engines.base import EngineRequest, Segmentation
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.render.text import page_text

SEGMENTATIONS = (
    Segmentation.AUTO,
    Segmentation.SINGLE_BLOCK,
    Segmentation.SINGLE_COLUMN,
    Segmentation.SPARSE,
    Segmentation.AUTO_PLUS_SPARSE,
    Segmentation.BY_SIZE,
)


def sets() -> dict[str, list[tuple[str, Image.Image, str]]]:
    """Page sets by name: (name, image, truth)."""
    return {
        "clean 1-col": list(synthetic.clean_pages(count=6)),
        "2-col": [(f"c{i}", *pages.two_columns(i)) for i in range(4)],
        "form/ID": [(f"f{i}", *pages.form(i)) for i in range(3)],
        "snippet": [(f"s{i}", *pages.snippet(i)) for i in range(4)],
        "receipts": pages.receipts(),
    }


def main() -> None:
    engine = TesseractEngine()
    engine.warm_up()
    print("| set | segmentation | CER % | bag-F1 % | s/page |")
    print("|---|---|---:|---:|---:|")
    for set_name, items in sets().items():
        for segmentation in SEGMENTATIONS:
            scores: dict[str, list[float]] = defaultdict(list)
            for _name, image, truth in items:
                start = time.perf_counter()
                page = engine.recognize(image, EngineRequest(segmentation=segmentation))
                scores["time"].append(time.perf_counter() - start)
                found = page_text(page)
                scores["cer"].append(metrics.cer(truth, found))
                scores["f1"].append(metrics.bag_f1(truth, found))
            print(
                f"| {set_name} | {segmentation.value} "
                f"| {100 * statistics.mean(scores['cer']):.1f} "
                f"| {100 * statistics.mean(scores['f1']):.1f} "
                f"| {statistics.mean(scores['time']):.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
