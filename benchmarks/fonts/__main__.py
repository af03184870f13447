"""Run IdentifyFont's handler with the real Tesseract engine over every generated sample."""

from __future__ import annotations

import argparse
import ast
import time
from collections import defaultdict

from benchmarks.fonts.samples import SEED, samples

from ocrhive.domain.recognition import BOOLEAN_DEFAULTS, Family, RecognitionSettings
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.errors import TaskFailed
from ocrhive.operations import font
from ocrhive.pipeline import PipelineOptions, Readers


def _percent(hits: int, total: int) -> str:
    return f"{100 * hits / total:5.1f} %" if total else "   —  "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", nargs="*", default=[])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--seed", type=int, default=SEED, help="other texts and noise (a held-out set)"
    )
    args = parser.parse_args()
    readers = Readers(engine=TesseractEngine())
    # what the official SDK sends for IdentifyFont when the caller sets nothing
    defaults = BOOLEAN_DEFAULTS[Family.IDENTIFY_FONT]
    settings = RecognitionSettings(
        skew_correct=defaults.skew_correct, binarization=defaults.binarization
    )
    options = PipelineOptions()
    # per row key: [samples, top-1, top-3, style right]
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    seconds: list[float] = []
    for sample in samples(args.seed, families=tuple(args.families)):
        started = time.perf_counter()
        try:
            outcome = font.run(sample.data, settings, readers, options)
            answer = ast.literal_eval(outcome.results[0].data.decode())
            ranked, style = list(answer["font"]), answer["style"]
        except TaskFailed as failure:
            ranked, style = [], f"failed: {failure.message}"
        seconds.append(time.perf_counter() - started)
        marks = (1, ranked[:1] == [sample.family], sample.family in ranked[:3])
        marks += (style == sample.style.value,)
        for key in (
            "all",
            f"family {sample.family}",
            f"style {sample.style.value}",
            f"condition {sample.condition.name}",
            f"file {sample.font_file}",
        ):
            rows[key] = [a + int(b) for a, b in zip(rows[key], marks, strict=True)]
        if args.verbose:
            print(f"{sample.name:50} {sample.family:10} {style:12} {ranked}", flush=True)
    print(f"| {'samples':40} | n | top-1 | top-3 | style |")
    print(f"|{'-' * 42}|---|---|---|---|")
    for key in sorted(rows, key=lambda k: (k != "all", k)):
        n, top1, top3, style_ok = rows[key]
        print(
            f"| {key:40} | {n} | {_percent(top1, n)} | {_percent(top3, n)} | "
            f"{_percent(style_ok, n)} |"
        )
    seconds.sort()
    print(f"\nseconds per sample: median {seconds[len(seconds) // 2]:.2f}, max {seconds[-1]:.2f}")


if __name__ == "__main__":
    main()
