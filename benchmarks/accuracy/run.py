"""Run decode → preprocess → TesseractEngine over labelled images and print accuracy tables.

Usage (from the repository root, with the virtualenv active)::

    python -m benchmarks.accuracy.run                      # generated degraded set
    python -m benchmarks.accuracy.run --folder /work/shared/datasets/dev-receipts --no-synthetic

Every image is read with no preprocessing at all ("raw") and with each settings combination, in
the same process with the same engine, so the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.accuracy import metrics, synthetic
from PIL import Image

from ocrhive import pipeline
from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.engines.base import EngineRequest
from ocrhive.engines.orientation import PageOrientation
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.ingest.decode import DecodeLimits, image_dpi, open_image
from ocrhive.render.text import page_text

_OFF = RecognitionSettings(skew_correct=False)

#: Settings combinations, by the name the tables use. "raw" is the engine with no preprocessing.
COMBOS: dict[str, RecognitionSettings] = {
    "raw": _OFF,
    "defaults": RecognitionSettings(),  # what the SDK sends: makeSkewCorrect only
    "skew+bin": RecognitionSettings(binarization=True),  # RecognizePdf/Regions defaults
    "contrast": replace(_OFF, contrast_correction=True),
    "binarize": replace(_OFF, binarization=True),
    "upsample": replace(_OFF, upsampling=True),
    "all": RecognitionSettings(binarization=True, contrast_correction=True, upsampling=True),
}

#: The combination that answers each generated damage category (the acceptance bars' "flags").
MATCHING = {
    "clean": "defaults",
    "skew": "defaults",
    "low_contrast": "contrast",
    "uneven_light": "contrast",
    "noise": "contrast",
    "jpeg": "contrast",
    "dpi150": "upsample",
    "small_font": "upsample",
    "rotated": "defaults",
}


@dataclass(frozen=True, kw_only=True)
class Item:
    """One labelled image, as encoded bytes (so decoding runs as in production)."""

    group: str
    name: str
    data: bytes
    truth: str


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def synthetic_items(seed: int, count: int) -> Iterator[Item]:
    """The generated degraded set, grouped by damage category."""
    for sample in synthetic.degraded_set(seed, count):
        yield Item(
            group=f"gen/{sample.category}",
            name=sample.name,
            data=_png(sample.image),
            truth=sample.truth,
        )


def folder_items(folder: Path) -> Iterator[Item]:
    """``name.png|jpg`` + ``name.gt.txt`` pairs in ``folder``, grouped by the folder's name."""
    for truth_file in sorted(folder.glob("*.gt.txt")):
        stem = truth_file.name.removesuffix(".gt.txt")
        images = [p for p in folder.glob(f"{stem}.*") if p.suffix.lower() in (".png", ".jpg")]
        if images:
            yield Item(
                group=folder.name,
                name=stem,
                data=images[0].read_bytes(),
                truth=truth_file.read_text(encoding="utf-8"),
            )


@dataclass
class Scores:
    """Accumulated measures of one (group, combination) cell."""

    cer: list[float]
    wer: list[float]
    f1: list[float]
    seconds: list[float]


def read(
    item: Item,
    settings: RecognitionSettings,
    engine: TesseractEngine,
    detector: PageOrientation | None,
) -> tuple[str, float]:
    """The text the pipeline's pieces read from ``item`` and the seconds it took."""
    started = time.perf_counter()
    image = open_image(item.data, DecodeLimits())
    if settings is _OFF:
        # the baseline: the engine on the decoded image, no preprocessing step at all
        page = engine.recognize(image, EngineRequest(dpi=image_dpi(image)))
        return page_text(page), time.perf_counter() - started
    readers = pipeline.Readers(engine=engine, orientation=detector)
    page = pipeline.read_page(image, settings, readers, segmentation_for(settings.dsr_mode)).page
    return page_text(page), time.perf_counter() - started


def _ratio(value: float, base: float) -> str:
    if base == 0:
        return "=" if value == 0 else "n/a"
    return f"{value / base:.2f}"


def table(results: dict[tuple[str, str], Scores], combos: list[str]) -> str:
    """A Markdown table: per group, mean CER (ratio to raw), WER and bag-of-words F1 per combo."""
    groups = sorted({group for group, _ in results})
    head = "| group | n | " + " | ".join(combos) + " |"
    rule = "|---|---:|" + "---:|" * len(combos)
    lines = [
        "CER (× raw) · WER · bag-of-words F1 · s/img; **bold** = the category's matching flags",
        "",
        head,
        rule,
    ]
    for group in groups:
        raw = statistics.fmean(results[group, "raw"].cer)
        cells = []
        for combo in combos:
            s = results[group, combo]
            c = statistics.fmean(s.cer)
            cell = (
                f"{c:.3f} (×{_ratio(c, raw)}) · {statistics.fmean(s.wer):.3f} · "
                f"{statistics.fmean(s.f1):.3f} · {statistics.fmean(s.seconds):.2f}"
            )
            if MATCHING.get(group.removeprefix("gen/")) == combo and group.startswith("gen/"):
                cell = f"**{cell}**"
            cells.append(cell)
        lines.append(f"| {group} | {len(results[group, 'raw'].cer)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (Markdown) to stdout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, action="append", default=[])
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=6, help="clean pages to generate")
    parser.add_argument("--combos", default=",".join(COMBOS), help="comma-separated names")
    parser.add_argument("--verbose", action="store_true", help="print every image's CER")
    args = parser.parse_args(argv)
    combos = [c for c in args.combos.split(",") if c]
    if "raw" not in combos:
        combos.insert(0, "raw")
    unknown = set(combos) - set(COMBOS)
    if unknown:
        parser.error(f"unknown combos: {sorted(unknown)}")

    items: list[Item] = []
    if not args.no_synthetic:
        items.extend(synthetic_items(args.seed, args.count))
    for folder in args.folder:
        items.extend(folder_items(folder))
    engine = TesseractEngine()
    engine.warm_up()
    detector = PageOrientation()
    results: dict[tuple[str, str], Scores] = defaultdict(lambda: Scores([], [], [], []))
    for item in items:
        for combo in combos:
            text, seconds = read(item, COMBOS[combo], engine, detector)
            cell = results[item.group, combo]
            cell.cer.append(metrics.cer(item.truth, text))
            cell.wer.append(metrics.wer(item.truth, text))
            cell.f1.append(metrics.bag_f1(item.truth, text))
            cell.seconds.append(seconds)
            if args.verbose:
                print(f"{item.name:32s} {combo:9s} CER {cell.cer[-1]:.3f}", file=sys.stderr)
    print(table(results, combos))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
