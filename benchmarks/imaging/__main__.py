"""Runs the image-processing families on generated pages and compares OCR before and after.

    python -m benchmarks.imaging                 # 4 pages per set, every operation
    python -m benchmarks.imaging --per-set 8 --ops deskew,dewarp -v

Each page goes through the family's handler exactly as a task would (PNG bytes in, PNG bytes
out); the raw Tesseract engine (no preprocessing) reads the page before and after. Deskew's
angle error is the skew it measured against the angle the generator turned the page by.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections import defaultdict

from benchmarks.accuracy import synthetic
from benchmarks.accuracy.metrics import cer
from benchmarks.imaging.pages import SETS, generate
from PIL import Image

from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.engines.base import EngineRequest
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.operations import imaging
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.preprocess.deskew import estimate_skew
from ocrhive.render.text import page_text

OPERATIONS = {
    "binarize": imaging.binarize,
    "deskew": imaging.deskew,
    "dewarp": imaging.dewarp,
    "upscale": imaging.upscale,
}


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-set", type=int, default=4)
    parser.add_argument("--ops", default=",".join(OPERATIONS))
    parser.add_argument("-v", "--verbose", action="store_true", help="per-page CER on stderr")
    args = parser.parse_args()
    ops = [o for o in args.ops.split(",") if o]
    engine = TesseractEngine()
    readers = Readers(engine=engine)
    options, settings = PipelineOptions(), RecognitionSettings()

    def read(image: Image.Image) -> str:
        return page_text(engine.recognize(image, EngineRequest()))

    # (set, op) → [(cer in, cer out, seconds)]
    rows: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    angle_errors: list[float] = []
    for page in generate(args.seed, args.per_set):
        before = cer(page.truth, read(page.image))
        data = png_bytes(page.image)
        if page.set == "skewed":
            estimate = estimate_skew(page.image)
            angle_errors.append(abs(estimate.angle - page.angle) if estimate else 99.0)
        for op in ops:
            start = time.perf_counter()
            outcome = OPERATIONS[op](data, settings, readers, options)
            seconds = time.perf_counter() - start
            after = cer(page.truth, read(decoded(outcome.results[0].data)))
            rows[(page.set, op)].append((before, after, seconds))
            if args.verbose:
                note = "; ".join(outcome.warnings)[:90]
                print(
                    f"{page.set:15} {page.name:16} {op:9} {before:.3f} → {after:.3f}  {note}",
                    file=sys.stderr,
                )
    print("| set | operation | pages | mean CER in | mean CER out | pages worse | s/page |")
    print("|---|---|---|---|---|---|---|")
    for set_name in SETS:
        for op in ops:
            got = rows[(set_name, op)]
            if not got:
                continue
            worse = sum(1 for b, a, _ in got if a > b + 1e-9)
            print(
                f"| {set_name} | {op} | {len(got)} | {statistics.mean(b for b, _, _ in got):.3f} "
                f"| {statistics.mean(a for _, a, _ in got):.3f} | {worse} "
                f"| {statistics.mean(s for _, _, s in got):.2f} |"
            )
    if angle_errors:
        print(
            f"\ndeskew angle error on {len(angle_errors)} skewed pages: "
            f"max {max(angle_errors):.2f}°, mean {statistics.mean(angle_errors):.2f}°"
        )
    # the acceptance check: a page turned 7° comes back upright
    page, _ = synthetic.render_page(synthetic.PROSE[:2], size_px=38)
    for angle in (7.0, -7.0):
        outcome = imaging.deskew(png_bytes(synthetic.skew(page, angle)), settings, readers, options)
        left = estimate_skew(decoded(outcome.results[0].data))
        remaining = f"{left.angle:+.2f}°" if left else "?"
        print(f"{angle:+.0f}° page: {outcome.warnings[0]}; skew measured after: {remaining}")


if __name__ == "__main__":
    main()
