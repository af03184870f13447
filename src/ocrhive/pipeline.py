"""decode → preprocess → recognize → post-process → mask → render, page by page; no I/O ports.

Everything is module-level and picklable so any worker (local process or Celery) can call it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from PIL import Image

from ocrhive import postprocess, preprocess
from ocrhive.domain.document import BBox, Page
from ocrhive.domain.masking import DEFAULT_FRACTION, choose_masked, mask_word
from ocrhive.domain.recognition import ArtifactKind, DsrMode, Family, RecognitionSettings
from ocrhive.domain.regions import clip, ordered
from ocrhive.domain.task import Artifact, Outcome
from ocrhive.engines.base import Engine, EngineRequest, Segmentation
from ocrhive.engines.choice import (
    FAMILY_KINDS,
    READ_BY_RAPIDOCR,
    EngineChoice,
    PageKind,
    RowReader,
    engine_note,
    rapid_reads_upright,
    surety,
)
from ocrhive.engines.orientation import calibrated, reads_upright
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.errors import TimeLimitExceeded
from ocrhive.ingest.decode import image_dpi
from ocrhive.ingest.pages import PageLimits, PageSource
from ocrhive.preprocess.chain import OrientationDetector, Preprocessed, orients
from ocrhive.preprocess.rotate import rotate
from ocrhive.preprocess.turns import Turns, rotated_size, to_source
from ocrhive.render import DocumentRenderer
from ocrhive.render.rectangles import rectangle_list


@dataclass(frozen=True, kw_only=True)
class PipelineOptions:
    """Knobs the operator sets once for every task."""

    limits: PageLimits = field(default_factory=PageLimits)
    #: the no-token trial's smaller limits (None: the same as everyone's)
    trial_limits: PageLimits | None = None
    trial_fraction: float = DEFAULT_FRACTION
    #: seconds a task may take; checked between pages (the supervisor also enforces it)
    time_limit: float | None = None


@dataclass(frozen=True, kw_only=True)
class Readers:
    """The loaded models a worker keeps: the OCR engine, optionally page orientation and the
    engine choice (RapidOCR for receipts and labels), and how this task's pages are read."""

    engine: Engine
    orientation: OrientationDetector | None = None
    #: RapidOCR for the pages that are not documents (None: ``engine`` reads every page)
    choice: EngineChoice | None = None
    #: the kind this task's pages are read as, or None to let each page decide
    kind: PageKind | None = PageKind.DOCUMENT

    def for_family(self, family: Family) -> Readers:
        """These readers as a task of ``family`` uses them: RecognizeImage lets each page
        choose its engine, RecognizeReceipt and RecognizeLabel force theirs."""
        return replace(self, kind=FAMILY_KINDS.get(family, PageKind.DOCUMENT))


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
#: A read of the page as received (its dark border unpainted) at least this sure is kept without
#: reading the painted page too. Painting rescued reads that failed (sroie_415: 0 → 68); of the
#: 11 bordered dev receipts, the painted read won otherwise only where the unpainted read was
#: under 77 (sroie_163 at 68, where it was better; sroie_614 at 76, where it was worse).
SURE_UNPAINTED = 70.0


#: results that show the page image itself, so a colour page keeps its colour for them
_IMAGE_KINDS = frozenset({ArtifactKind.PDF, ArtifactKind.IMAGE_PNG})


def shows_image(settings: RecognitionSettings) -> bool:
    """Whether the results ``settings`` ask for include the page image (PDF, PNG)."""
    return not _IMAGE_KINDS.isdisjoint(settings.result_type.artifacts)


#: Colour pages at least this large are read in greyscale: Pillow keeps RGB in four bytes per
#: pixel. Smaller ones are read as before, in colour, so the measured accuracy tables hold.
GREY_FROM_PIXELS = 16_000_000


def for_reading(image: Image.Image, *, keep_colour: bool) -> Image.Image:
    """``image`` in greyscale when it is large and its colour is not wanted in the results."""
    if keep_colour or image.mode == "L" or image.width * image.height < GREY_FROM_PIXELS:
        return image
    grey = image.convert("L")
    grey.info = dict(image.info)
    return grey


def read_page(
    image: Image.Image,
    settings: RecognitionSettings,
    readers: Readers,
    segmentation: Segmentation,
) -> PageRead:
    """One page through preprocessing, the engine and post-processing (with its image).

    The page is read in greyscale unless the results show its image (:func:`shows_image`).
    """
    image = for_reading(image, keep_colour=shows_image(settings))
    choice = readers.choice
    kind, may_switch = (
        choice.plan(image, settings, readers.kind, segmentation)
        if choice is not None
        else (PageKind.DOCUMENT, False)
    )
    engine = choice.reader if choice is not None and kind in READ_BY_RAPIDOCR else readers.engine
    prepared, page, chosen = _read_upright(image, settings, engine, segmentation, readers)
    again = choice.settle(kind, page) if choice is not None and may_switch else None
    if choice is not None and again is not None:
        other = readers.engine if again is PageKind.DOCUMENT else choice.reader
        dpi = image_dpi(image)
        request = EngineRequest(
            language=settings.language,
            segmentation=segmentation,
            dpi=dpi * prepared.scale if dpi else None,
        )
        second = other.recognize(chosen, request)
        if choice.keeps_second(page, second, again):
            page, kind = second, again
    page = replace(page, rotation=prepared.rotation, skew=prepared.skew)
    page, notes = postprocess.apply(page, settings)
    notes = engine_note(kind, readers.kind) + notes
    turns = Turns(
        source_size=rotated_size(image.size, settings.rotate),
        turn=(prepared.rotation - settings.rotate) % 360,
        skew=prepared.skew,
        scale=prepared.scale,
        final_size=prepared.image.size,
    )
    return PageRead(page=page, image=chosen, turns=turns, warnings=prepared.warnings + notes)


def _read_upright(
    image: Image.Image,
    settings: RecognitionSettings,
    engine: Engine,
    segmentation: Segmentation,
    readers: Readers,
) -> tuple[Preprocessed, Page, Image.Image]:
    """:func:`_prepare_and_read`, turning the page upright first only when its read looks
    wrong (orientation by reading costs a read of its own)."""
    detector = readers.orientation
    upright = _upright_test(engine, settings) if orients(settings) else None
    prepared, page, chosen = _prepare_and_read(
        image, settings, engine, segmentation, None if upright else detector
    )
    if upright is not None and detector is not None and not upright(page):
        found = detector(image)
        if found is not None and found[0] % 360:
            prepared, page, chosen = _prepare_and_read(
                image, settings, engine, segmentation, lambda _page: found
            )
    return prepared, page, chosen


def _upright_test(engine: Engine, settings: RecognitionSettings) -> Callable[[Page], bool] | None:
    """How ``engine``'s read of a whole page shows it upright; None: orientation is asked first."""
    if calibrated(engine, settings.language):
        return reads_upright
    if engine.name == RowReader.name:
        return rapid_reads_upright
    return None


def _prepare_and_read(
    image: Image.Image,
    settings: RecognitionSettings,
    engine: Engine,
    segmentation: Segmentation,
    detector: OrientationDetector | None,
) -> tuple[Preprocessed, Page, Image.Image]:
    """Preprocess ``image`` and read it: what was done, the page read, the image it refers to.

    A page with a dark border is read as received first; the painted page only when that read
    is unsure (:data:`SURE_UNPAINTED`), and it must then be surer by :data:`PAINTED_MARGIN`.
    """
    prepared = preprocess.apply(image, settings, detector)
    dpi = image_dpi(image)
    request = EngineRequest(
        language=settings.language,
        segmentation=segmentation,
        dpi=dpi * prepared.scale if dpi else None,
    )
    chosen = prepared.image if prepared.unpainted is None else prepared.unpainted
    page = engine.recognize(chosen, request)
    if prepared.unpainted is not None and surety(page) < SURE_UNPAINTED:
        painted = engine.recognize(prepared.image, request)
        if surety(painted) >= surety(page) + PAINTED_MARGIN:
            page, chosen = painted, prepared.image
    return prepared, page, chosen


#: reports a document's page count once known, and answers the task's time limit for it
PageCountHook = Callable[[int], float]


def _deadline(limit: float | None) -> float | None:
    return time.monotonic() + limit if limit else None


def _check(deadline: float | None, done: int, total: int, limit: float | None) -> None:
    if deadline is not None and limit is not None and time.monotonic() > deadline:
        raise TimeLimitExceeded(
            f"Stopped after {done} of {total} pages: the task exceeded this server's time limit "
            f"of {limit:g} s for a {total}-page document."
        )


def _prefixed(notes: tuple[str, ...], index: int, total: int) -> list[str]:
    return [f"Page {index + 1}: {n}" if total > 1 else n for n in notes]


def run(
    data: bytes,
    family: Family,
    settings: RecognitionSettings,
    readers: Readers,
    options: PipelineOptions,
    *,
    on_page_count: PageCountHook | None = None,
) -> Outcome:
    """Recognise one submitted file and render what ``settings`` ask for.

    ``on_page_count`` hears the page count as soon as it is known and answers the time limit
    the task has for that many pages (the service scales it); without it the limit is
    ``options.time_limit``.

    Raises:
        TaskFailed: the input cannot be read or the engine cannot run (message for the client).
    """
    readers = readers.for_family(family)  # the family's engine choice (engines/choice.py)
    if family is Family.RECOGNIZE_REGIONS:
        return _recognize_regions(data, settings, readers, options)
    if family is Family.DETECT_REGIONS:
        return _detect_regions(data, settings, readers, options)
    limits = options.trial_limits if family.is_trial and options.trial_limits else options.limits
    source = PageSource(data, limits, all_pages=family is Family.RECOGNIZE_PDF)
    renderer = DocumentRenderer(settings.result_type.artifacts)
    warnings: list[str] = []
    limit = on_page_count(source.count) if on_page_count else options.time_limit
    deadline = _deadline(limit)
    seed = hashlib.sha256(data).digest()
    try:
        for index, image in enumerate(source):
            _check(deadline, index, source.count, limit)
            # converted before the call, so the decoded colour page is freed before preprocessing
            image = for_reading(image, keep_colour=shows_image(settings))
            read = read_page(image, settings, readers, segmentation_for(settings.dsr_mode))
            del image
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
        image = for_reading(next(iter(source)), keep_colour=shows_image(settings))
        image = rotate(image, settings.rotate % 360)
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
    deadline = _deadline(options.time_limit)
    for index, box in enumerate(boxes):
        _check(deadline, index, len(boxes), options.time_limit)
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
        image = for_reading(next(iter(source)), keep_colour=False)
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
