"""What each preprocessing step and flag costs, in CPU seconds per page, in one process.

Every step is timed on its own on the decoded page (process CPU time, steadier than the wall
clock on a shared machine), next to the bare engine read it is compared with; then the whole
``pipeline.read_page`` with every flag off and with the defaults, and how often the defaults'
extra passes ran (orientation by reading, the second read of a bordered scan).

    python -m benchmarks.speed.steps [--pages 4] [--receipts 12]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.speed import corpus
from PIL import Image

from ocrhive import pipeline, preprocess
from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.engines.base import EngineRequest
from ocrhive.engines.orientation import PageOrientation, reads_upright
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.ingest.decode import DecodeLimits, image_dpi, open_image
from ocrhive.preprocess.binarize import binarize
from ocrhive.preprocess.borders import clear_dark_border
from ocrhive.preprocess.contrast import correct_contrast
from ocrhive.preprocess.deskew import GLANCE_SIDE, deskew, estimate_skew
from ocrhive.preprocess.jpeg import smooth_blocking
from ocrhive.preprocess.upscale import upscale

OFF = RecognitionSettings(skew_correct=False)
DEFAULTS = RecognitionSettings()
FLAGS = {
    "contrast": replace(OFF, contrast_correction=True),
    "binarize": replace(OFF, binarization=True),
    "upsample": replace(OFF, upsampling=True),
}


def cpu(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.process_time()
    out = fn()
    return out, time.process_time() - started


@dataclass
class Costs:
    """CPU seconds per step summed over a set's pages, and how often extra passes ran."""

    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    ran: dict[str, int] = field(default_factory=dict)

    def add(self, step: str, seconds: float) -> None:
        self.seconds[step] = self.seconds.get(step, 0.0) + seconds

    def count(self, what: str) -> None:
        self.ran[what] = self.ran.get(what, 0) + 1


def _steps(
    image: Image.Image, request: EngineRequest, engine: TesseractEngine, detector: PageOrientation
) -> dict[str, Callable[[], Any]]:
    """Each step alone on ``image``, by the name the report gives it."""
    return {
        "engine read (bare)": lambda: engine.recognize(image, request),
        "border check": lambda: clear_dark_border(image),
        "deskew glance": lambda: estimate_skew(image, side=GLANCE_SIDE),
        "deskew (as run)": lambda: deskew(image),
        "orientation by reading": lambda: detector(image),
        "contrast": lambda: correct_contrast(image),
        "jpeg smoothing": lambda: smooth_blocking(image),
        "binarize": lambda: binarize(image),
        "upsample": lambda: upscale(image),
    }


def _read_cpu(
    image: Image.Image, settings: RecognitionSettings, readers: pipeline.Readers
) -> float:
    return cpu(lambda: pipeline.read_page(image, settings, readers, segmentation_for(None)))[1]


def measure(images: list[Image.Image], engine: TesseractEngine, detector: PageOrientation) -> Costs:
    readers = pipeline.Readers(engine=engine, orientation=detector)
    costs = Costs()
    for what in ("bordered (unpainted read first)", "second read of a bordered scan"):
        costs.ran[what] = 0
    costs.ran["orientation by reading"] = 0
    for image in images:
        costs.pages += 1
        request = EngineRequest(dpi=image_dpi(image))
        for step, fn in _steps(image, request, engine, detector).items():
            costs.add(step, cpu(fn)[1])
        for name, settings in {"flags off": OFF, "defaults": DEFAULTS, **FLAGS}.items():
            costs.add(f"read_page: {name}", _read_cpu(image, settings, readers))
        prepared = preprocess.apply(image, DEFAULTS)
        if prepared.unpainted is not None:
            costs.count("bordered (unpainted read first)")
        first = engine.recognize(prepared.unpainted or prepared.image, request)
        if prepared.unpainted is not None and pipeline.surety(first) < pipeline.SURE_UNPAINTED:
            costs.count("second read of a bordered scan")
        if not reads_upright(first):
            costs.count("orientation by reading")
    return costs


def report(name: str, costs: Costs) -> None:
    base = costs.seconds["engine read (bare)"]
    print(f"\n{name}: {costs.pages} pages, CPU ms per page and share of the bare engine read")
    for step, seconds in costs.seconds.items():
        print(f"  {step:34s} {1000 * seconds / costs.pages:8.0f} ms {seconds / base:7.2f}×")
    for what, times in costs.ran.items():
        print(f"  ran: {what:28s} {times} of {costs.pages} pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=4, help="clean A4 pages")
    parser.add_argument("--receipts", type=int, default=12)
    args = parser.parse_args()
    engine = TesseractEngine()
    engine.warm_up()
    detector = PageOrientation()
    limits = DecodeLimits()
    clean = [open_image(data, limits) for data in corpus.clean_pages(args.pages)]
    scans = [open_image(Path(p).read_bytes(), limits) for p in corpus.receipts(args.receipts)]
    report("clean A4 pages (300 dpi)", measure(clean, engine, detector))
    report("receipts", measure(scans, engine, detector))


if __name__ == "__main__":
    main()
