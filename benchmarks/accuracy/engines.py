"""Tesseract alone, RapidOCR alone and ocrhive's engine choice, side by side, per set.

Usage (from the repository root, with the virtualenv active)::

    python -m benchmarks.accuracy.engines                    # every set
    python -m benchmarks.accuracy.engines --sets receipts-odd,scene --verbose

Two columns are the engines as shipped, nothing of ocrhive's around them (:mod:`.bare`):

* ``bare tesseract`` — tesserocr on the decoded image (the issue's "bare Tesseract");
* ``bare rapidocr`` — RapidOCR with the library's defaults (the issue's "RapidOCR alone").

The others put every image through ``pipeline.read_page`` with the production pieces (the engine
registry, the orientation detector, preprocessing, post-processing) in one process:

* ``tesseract`` — RecognizeImage's defaults as before the choice (every page to Tesseract);
* ``rapidocr`` — RecognizeImage's defaults, every page to RapidOCR (boxes grouped into rows);
* ``choice`` — RecognizeImage's defaults with the engine choice (engines/choice.py);
* ``family`` — RecognizeReceipt (receipt sets) or RecognizeLabel (scene set) with that
  family's own defaults (receipts: binarization on; labels: skew correction off).

Cells: mean CER (case-insensitive CER for the scene set, as the issue measures word crops) and
mean CPU seconds per image. Receipts are split by sorted index: even = tuning, odd = held out.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.accuracy import metrics, scene, synthetic
from benchmarks.accuracy.bare import BareRapidOcr, BareTesseract
from benchmarks.engines import pages
from PIL import Image

from ocrhive import pipeline
from ocrhive.domain.recognition import BOOLEAN_DEFAULTS, Family, Language, RecognitionSettings
from ocrhive.engines.choice import EngineChoice, PageKind
from ocrhive.engines.orientation import PageOrientation
from ocrhive.engines.registry import EngineRegistry
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.ingest.decode import DecodeLimits, open_image
from ocrhive.render.text import page_text

RECEIPTS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "dev-receipts"


@dataclass(frozen=True, kw_only=True)
class Item:
    """One labelled image as encoded bytes (decoded as in production)."""

    name: str
    data: bytes
    truth: str
    language: Language = Language.ENGLISH


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def receipts(half: int) -> Iterator[Item]:
    """Every other dev receipt (sorted by name), starting at ``half`` (0 or 1)."""
    truths = sorted(RECEIPTS.glob("*.gt.txt"))[half::2]
    for truth in truths:
        stem = truth.name.removesuffix(".gt.txt")
        data = (RECEIPTS / f"{stem}.jpg").read_bytes()
        yield Item(name=stem, data=data, truth=truth.read_text(encoding="utf-8"))


def generated_pages() -> Iterator[Item]:
    """The accuracy benchmark's six clean generated pages plus three two-column articles."""
    for stem, page, truth in synthetic.clean_pages(7, 6):
        yield Item(name=stem, data=_png(page), truth=truth)
    for seed in range(3):
        page, truth = pages.two_columns(seed)
        yield Item(name=f"two-columns-{seed}", data=_png(page), truth=truth)


#: (columns, column width, letter size) of the narrow-column pages: lines of 2-7 words
NARROW_COLUMNS = ((3, 700, 34), (3, 640, 30), (4, 560, 28))


def narrow_columns() -> Iterator[Item]:
    """Magazine-like pages of three and four narrow columns (two pages of each shape)."""
    for count, width, size_px in NARROW_COLUMNS:
        for seed in (1, 2):
            page, truth = pages.columns(seed, count, width=width, size_px=size_px)
            yield Item(name=f"columns-{count}x{width}-{seed}", data=_png(page), truth=truth)


def pictured() -> Iterator[Item]:
    """Three clean pages and three two-column articles, each below a grey photograph (the
    picture makes the page look unevenly lit at a glance)."""
    for stem, page, truth in synthetic.clean_pages(5, 3):
        image = synthetic.with_picture(page, seed=len(stem) + int(stem[1:]))
        yield Item(name=f"{stem}-pictured", data=_png(image), truth=truth)
    for seed in range(3):
        page, truth = pages.two_columns(seed)
        image = synthetic.with_picture(page, seed=10 + seed)
        yield Item(name=f"two-columns-{seed}-pictured", data=_png(image), truth=truth)


def degraded() -> Iterator[Item]:
    """The generated degraded set (three pages, every damage category)."""
    for sample in synthetic.degraded_set(7, 3):
        if sample.category != "clean":
            yield Item(name=sample.name, data=_png(sample.image), truth=sample.truth)


def scene_crops(seed: int = 11, height: int | None = None, tight: bool = False) -> Iterator[Item]:
    """The generated scene-text word crops (40 of ``seed``; seed 11 tuned the choice), scaled
    to ``height`` pixels when given (real word crops are often 20-40 px tall), cut close to
    the lettering when ``tight``."""
    for sample in scene.scene_set(seed, 40, tight=tight):
        image = sample.image
        if height is not None:
            image = image.resize((round(image.width * height / image.height), height))
        yield Item(name=sample.name, data=_png(image), truth=sample.truth)


def cjk() -> Iterator[Item]:
    """Generated Chinese and Japanese pages (whitespace is ignored when they are scored)."""
    for language, lines in ((Language.CHINESE, pages.CHINESE), (Language.JAPANESE, pages.JAPANESE)):
        page, truth = pages.cjk_page(lines)
        yield Item(name=language.value, data=_png(page), truth=truth, language=language)


#: set name → (items, family whose forced path is the "family" column, case-insensitive CER)
SETS: dict[str, tuple[Callable[[], Iterator[Item]], Family | None, bool]] = {
    "receipts-even": (lambda: receipts(0), Family.RECOGNIZE_RECEIPT, False),
    "receipts-odd": (lambda: receipts(1), Family.RECOGNIZE_RECEIPT, False),
    "scene": (scene_crops, Family.RECOGNIZE_LABEL, True),
    "scene-held-out": (lambda: scene_crops(23), Family.RECOGNIZE_LABEL, True),
    "scene-small": (lambda: scene_crops(23, 24), Family.RECOGNIZE_LABEL, True),
    "scene-tight": (lambda: scene_crops(23, tight=True), Family.RECOGNIZE_LABEL, True),
    "scene-tight-small": (lambda: scene_crops(23, 32, tight=True), Family.RECOGNIZE_LABEL, True),
    "generated": (generated_pages, None, False),
    "narrow-columns": (narrow_columns, None, False),
    "pictured": (pictured, None, False),
    "degraded": (degraded, None, False),
    "cjk": (cjk, None, False),
}


def _settings(family: Family, language: Language) -> RecognitionSettings:
    flags = BOOLEAN_DEFAULTS[family]
    return RecognitionSettings(
        language=language,
        skew_correct=flags.skew_correct,
        binarization=flags.binarization,
    )


def score(item: Item, text: str, ignore_case: bool) -> float:
    """The CER of ``text`` against the item's truth, as the set is scored."""
    truth, found = item.truth, text
    if item.language in (Language.CHINESE, Language.JAPANESE):
        truth, found = "".join(truth.split()), "".join(found.split())
    if ignore_case:
        truth, found = truth.lower(), found.lower()
    return metrics.cer(truth, found)


def _note(
    cell: tuple[list[float], list[float]],
    item: Item,
    text: str,
    seconds: float,
    ignore_case: bool,
) -> None:
    cell[0].append(score(item, text, ignore_case))
    cell[1].append(seconds)


def _tell(
    verbose: bool,
    name: str,
    item: Item,
    column: str,
    cell: tuple[list[float], list[float]],
    warnings: Sequence[str],
) -> None:
    if verbose:
        print(
            f"{name} {item.name:28s} {column:14s} CER {cell[0][-1]:.3f} {cell[1][-1]:.2f}s "
            f"{tuple(warnings)}",
            file=sys.stderr,
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Run the sets and print one Markdown table (CER · CPU s per image per column)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--verbose", action="store_true", help="every image's CER on stderr")
    args = parser.parse_args(argv)
    registry = EngineRegistry()
    registry.warm_up()
    rapid = registry.engine("rapidocr")
    getattr(rapid, "warm_up", lambda: None)()
    base = pipeline.Readers(engine=registry, orientation=PageOrientation())
    chooser = replace(base, choice=EngineChoice(rapid=rapid))
    columns: dict[str, tuple[pipeline.Readers, Family]] = {
        "tesseract": (base, Family.RECOGNIZE_IMAGE),
        "rapidocr": (replace(chooser, kind=PageKind.RECEIPT), Family.RECOGNIZE_IMAGE),
        "choice": (chooser.for_family(Family.RECOGNIZE_IMAGE), Family.RECOGNIZE_IMAGE),
    }
    bare: dict[str, Callable[[Image.Image, Language], str]] = {
        engine.name: engine.read for engine in (BareTesseract(), BareRapidOcr())
    }
    names = [*bare, *columns, "family"]
    print("| set | n | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for name in [s for s in args.sets.split(",") if s]:
        make, family, ignore_case = SETS[name]
        items = list(make())
        runs = dict(columns)
        if family is not None:
            runs["family"] = (chooser.for_family(family), family)
        cells: dict[str, tuple[list[float], list[float]]] = {c: ([], []) for c in [*bare, *runs]}
        for item in items:
            for column, read_bare in bare.items():
                started = time.process_time()
                try:
                    text = read_bare(open_image(item.data, DecodeLimits()), item.language)
                except LookupError:  # no model for the language: the cell stays empty
                    continue
                _note(cells[column], item, text, time.process_time() - started, ignore_case)
                _tell(args.verbose, name, item, column, cells[column], ())
            for column, (readers, fam) in runs.items():
                settings = _settings(fam, item.language)
                started = time.process_time()
                image = open_image(item.data, DecodeLimits())
                read = pipeline.read_page(image, settings, readers, segmentation_for(None))
                seconds = time.process_time() - started
                _note(cells[column], item, page_text(read.page), seconds, ignore_case)
                _tell(args.verbose, name, item, column, cells[column], read.warnings[:1])
        row = [
            f"{statistics.fmean(cells[c][0]):.3f} · {statistics.fmean(cells[c][1]):.2f}s"
            if c in cells and cells[c][0]
            else "—"
            for c in names
        ]
        print(f"| {name} | {len(items)} | " + " | ".join(row) + " |", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process (both engines loaded): {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
