"""DjVu2PDF: a DjVu document → a PDF of its page images (searchable when asked).

A plain request (``resultType`` Pdf, no ``dsrMode``) converts only: each page's original image
goes into the PDF as it is (bilevel pages as CCITT G4, the rest as Flate or JPEG), turned by
``Rotate`` when one is given. Any other
result type, or a ``dsrMode``, asks for recognition: every page is also read by the pipeline
and its words laid over the original image as an invisible text layer, with the Text, hOCR or
JSON results asked for beside the PDF.
"""

from __future__ import annotations

import time
from dataclasses import replace

from PIL import Image

from ocrhive import pipeline
from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import ArtifactKind, RecognitionSettings, ResultType
from ocrhive.domain.task import Outcome
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.errors import TimeLimitExceeded
from ocrhive.ingest.djvu import DjvuDocument
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.preprocess.rotate import rotate
from ocrhive.preprocess.turns import Turns, to_source
from ocrhive.render import DocumentRenderer

#: the results a recognising conversion can give, in wire order; the PDF is always one of them
_ORDER = (ArtifactKind.TEXT, ArtifactKind.PDF, ArtifactKind.HOCR, ArtifactKind.JSON)


def recognises(settings: RecognitionSettings) -> bool:
    """Whether a DjVu2PDF request asks for its pages to be read (see the module docstring)."""
    return settings.dsr_mode is not None or settings.result_type is not ResultType.PDF


def result_kinds(settings: RecognitionSettings) -> tuple[ArtifactKind, ...]:
    """The PDF, plus the textual results ``settings`` ask for when they ask for recognition."""
    if not recognises(settings):
        return (ArtifactKind.PDF,)
    wanted = settings.result_type.artifacts
    return tuple(k for k in _ORDER if k is ArtifactKind.PDF or k in wanted)


def run(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Convert a DjVu document to one PDF, page by page (one decoded page in memory at a time).

    Raises:
        TaskFailed: the document cannot be read, is over the limits, or the task ran out of time.
    """
    reading = recognises(settings)
    renderer = DocumentRenderer(result_kinds(settings))
    warnings: list[str] = []
    started = time.monotonic()
    with DjvuDocument(data, options.limits) as document:
        for index in range(document.count):
            _check_time(started, options.time_limit, index, document.count)
            image = document.render(index)
            dpi = float(image.info["dpi"][0])
            if reading:
                page, notes = _read(image, settings, readers, dpi)
                warnings += [f"Page {index + 1}: {n}" if document.count > 1 else n for n in notes]
            # the boxes are on the page as the client's Rotate turned it: the PDF shows it so
            image = rotate(image, settings.rotate)
            if not reading:
                page = Page(width=image.width, height=image.height, dpi=dpi)
            renderer.add(page, image)
            del image
    if not reading:
        warnings.append(
            "Converted without recognition: the PDF holds the page images only. Ask for a "
            "resultType with text (e.g. TextAndPdf) or give a dsrMode for a searchable PDF."
        )
    return Outcome(results=renderer.finish(), warnings=tuple(warnings))


def _check_time(started: float, limit: float | None, done: int, total: int) -> None:
    if limit and time.monotonic() - started > limit:
        raise TimeLimitExceeded(
            f"Stopped after {done} of {total} pages: the task exceeded this server's time "
            f"limit of {limit:g} s."
        )


def _read(
    image: Image.Image, settings: RecognitionSettings, readers: Readers, dpi: float
) -> tuple[Page, tuple[str, ...]]:
    """The page read by the pipeline, its boxes on ``image`` (the original page)."""
    grey = image.convert("L") if image.mode == "1" else image
    grey.info["dpi"] = (dpi, dpi)
    read = pipeline.read_page(grey, settings, readers, segmentation_for(settings.dsr_mode))
    del grey
    return on_source(read.page, read.turns, dpi), read.warnings


def on_source(page: Page, turns: Turns, dpi: float) -> Page:
    """``page``, recognised on a preprocessed image, with its boxes on the source image.

    Words keep their own boxes (mapped); lines get the union of their words, so a deskewed
    line's box stays tight; baselines are dropped when the geometry changed.
    """
    width, height = turns.source_size
    if (turns.turn, turns.skew, turns.scale) == (0, 0.0, 1.0):
        return replace(page, width=width, height=height, dpi=dpi)

    def word(w: Word) -> Word:
        return replace(w, bbox=to_source(w.bbox, turns))

    def line(ln: Line) -> Line:
        words = tuple(word(w) for w in ln.words)
        box = BBox.union([w.bbox for w in words]) if words else to_source(ln.bbox, turns)
        return Line(bbox=box, words=words)

    def block(b: Block) -> Block:
        paragraphs = tuple(
            Paragraph(bbox=to_source(p.bbox, turns), lines=tuple(line(ln) for ln in p.lines))
            for p in b.paragraphs
        )
        return replace(b, bbox=to_source(b.bbox, turns), paragraphs=paragraphs)

    return replace(
        page,
        width=width,
        height=height,
        dpi=dpi,
        blocks=tuple(block(b) for b in page.blocks),
    )
