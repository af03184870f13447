"""decode → preprocess → recognize → post-process → mask → render, page by page; no I/O ports.

Everything is module-level and picklable so any worker (local process or Celery) can call it.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace

from PIL import Image

from ocrhive import postprocess, preprocess
from ocrhive.domain.document import BBox, Page
from ocrhive.domain.masking import DEFAULT_FRACTION, choose_masked, mask_word
from ocrhive.domain.recognition import ArtifactKind, DsrMode, Family, RecognitionSettings
from ocrhive.domain.task import Artifact, Outcome
from ocrhive.engines.base import Engine, EngineRequest, Segmentation
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.errors import TimeLimitExceeded
from ocrhive.geometry import Turns, clip, ordered, rectangle_list, rotated_size, to_source
from ocrhive.ingest.decode import image_dpi
from ocrhive.ingest.pages import PageLimits, PageSource
from ocrhive.preprocess.chain import OrientationDetector
from ocrhive.preprocess.rotate import rotate
from ocrhive.render import DocumentRenderer


@dataclass(frozen=True, kw_only=True)
class PipelineOptions:
    """Knobs the operator sets once for every task."""

    limits: PageLimits = field(default_factory=PageLimits)
    trial_fraction: float = DEFAULT_FRACTION
    #: seconds a task may take; checked between pages (the supervisor also enforces it)
    time_limit: float | None = None


@dataclass(frozen=True, kw_only=True)
class Readers:
    """The loaded models a worker keeps: the OCR engine and, optionally, page orientation."""

    engine: Engine
    orientation: OrientationDetector | None = None


@dataclass(frozen=True, kw_only=True)
class PageRead:
    """A page as read: its tree, the image the boxes refer to, the geometry applied, notes."""

    page: Page
    image: Image.Image
    turns: Turns
    warnings: tuple[str, ...]


def mask_page(page: Page, seed: bytes, fraction: float) -> Page:
    """Hide ``fraction`` of the page's words, the same words for the same ``seed``."""
    words = list(page.words())
    chosen = choose_masked(len(words), seed, fraction)
    return page.map_words({i: mask_word(words[i].text) for i in chosen})


#: how much surer (mean confidence points) a read of the border-painted page must be to win
PAINTED_MARGIN = 2.0


def surety(page: Page) -> float:
    """Mean word confidence weighted by word length (0 for a page with no words)."""
    words = list(page.words())
    letters = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / letters if letters else 0.0


def read_page(
    image: Image.Image,
    settings: RecognitionSettings,
    readers: Readers,
    segmentation: Segmentation,
) -> PageRead:
    """One page through preprocessing, the engine and post-processing (with its image)."""
    dpi = image_dpi(image)
    prepared = preprocess.apply(image, settings, readers.orientation)
    request = EngineRequest(
        language=settings.language,
        segmentation=segmentation,
        dpi=dpi * prepared.scale if dpi else None,
    )
    page = readers.engine.recognize(prepared.image, request)
    chosen = prepared.image
    if prepared.unpainted is not None:
        other = readers.engine.recognize(prepared.unpainted, request)
        if surety(page) < surety(other) + PAINTED_MARGIN:
            page, chosen = other, prepared.unpainted
    page = replace(page, rotation=prepared.rotation, skew=prepared.skew)
    page, notes = postprocess.apply(page, settings)
    turns = Turns(
        source_size=rotated_size(image.size, settings.rotate),
        turn=(prepared.rotation - settings.rotate) % 360,
        skew=prepared.skew,
        scale=prepared.scale,
        final_size=prepared.image.size,
    )
    return PageRead(page=page, image=chosen, turns=turns, warnings=prepared.warnings + notes)


def _deadline(options: PipelineOptions) -> float | None:
    return time.monotonic() + options.time_limit if options.time_limit else None


def _check(deadline: float | None, done: int, total: int, options: PipelineOptions) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise TimeLimitExceeded(
            f"Stopped after {done} of {total} pages: the task exceeded this server's time limit "
            f"of {options.time_limit:g} s."
        )


def _prefixed(notes: tuple[str, ...], index: int, total: int) -> list[str]:
    return [f"Page {index + 1}: {n}" if total > 1 else n for n in notes]


def run(
    data: bytes,
    family: Family,
    settings: RecognitionSettings,
    readers: Readers,
    options: PipelineOptions,
) -> Outcome:
    """Recognise one submitted file and render what ``settings`` ask for.

    Raises:
        TaskFailed: the input cannot be read or the engine cannot run (message for the client).
    """
    if family is Family.RECOGNIZE_REGIONS:
        return _recognize_regions(data, settings, readers, options)
    if family is Family.DETECT_REGIONS:
        return _detect_regions(data, settings, readers, options)
    source = PageSource(data, options.limits, all_pages=family is Family.RECOGNIZE_PDF)
    renderer = DocumentRenderer(settings.result_type.artifacts)
    warnings: list[str] = []
    deadline = _deadline(options)
    seed = hashlib.sha256(data).digest()
    try:
        for index, image in enumerate(source):
            _check(deadline, index, source.count, options)
            read = read_page(image, settings, readers, segmentation_for(settings.dsr_mode))
            page = read.page
            if family.is_trial:
                page = mask_page(page, seed + index.to_bytes(4, "big"), options.trial_fraction)
            renderer.add(page, read.image)
            warnings += _prefixed(read.warnings, index, source.count)
    finally:
        source.close()
    return Outcome(results=renderer.finish(), warnings=tuple(warnings))


def _recognize_regions(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Each region read on its own, results in ascending ``order`` (one set per region)."""
    source = PageSource(data, options.limits, all_pages=False)
    try:
        image = rotate(next(iter(source)), settings.rotate % 360)
    finally:
        source.close()
    per_region = replace(settings, rotate=0)
    # a region is usually a field or a few lines: read it as one block unless told otherwise
    segmentation = (
        Segmentation.SINGLE_BLOCK
        if settings.dsr_mode in (None, DsrMode.REGIONS)
        else segmentation_for(settings.dsr_mode)
    )
    regions = ordered(settings.regions)
    if not regions:
        boxes = [BBox(left=0, top=0, right=image.width, bottom=image.height)]
    else:
        boxes = []
        for region in regions:
            rect = clip(region.rect, image.size)
            boxes.append(
                BBox(left=rect.left, top=rect.top, right=rect.right, bottom=rect.bottom)
                if rect
                else BBox(left=0, top=0, right=0, bottom=0)
            )
    results: list[Artifact] = []
    warnings: list[str] = []
    deadline = _deadline(options)
    for index, box in enumerate(boxes):
        _check(deadline, index, len(boxes), options)
        renderer = DocumentRenderer(settings.result_type.artifacts)
        if box.width == 0 or box.height == 0:
            warnings.append(f"Region {index + 1} lies outside the image; its result is empty.")
            blank = Image.new("L", (1, 1), 255)
            renderer.add(Page(width=1, height=1), blank)
        else:
            crop = image.crop((box.left, box.top, box.right, box.bottom))
            crop.info["dpi"] = image.info.get("dpi", (0, 0))
            read = read_page(crop, per_region, readers, segmentation)
            renderer.add(read.page, read.image)
            warnings += [f"Region {index + 1}: {n}" for n in read.warnings]
        results.extend(renderer.finish())
    return Outcome(results=tuple(results), warnings=tuple(warnings))


def _detect_regions(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Text blocks as rectangles on the submitted image (after the client's Rotate)."""
    source = PageSource(data, options.limits, all_pages=False)
    try:
        image = next(iter(source))
    finally:
        source.close()
    read = read_page(image, settings, readers, segmentation_for(settings.dsr_mode))
    # map line boxes, not block boxes: a deskew grows a rotated box's bounding box with its size
    boxes = [
        BBox.union([to_source(b.bbox, read.turns) for b in block.lines or (block,)])
        for block in read.page.blocks
    ]
    boxes = [b for b in boxes if b.width > 0 and b.height > 0]
    artifact = Artifact(kind=ArtifactKind.OTHER, data=rectangle_list(boxes))
    return Outcome(results=(artifact,), warnings=read.warnings)
