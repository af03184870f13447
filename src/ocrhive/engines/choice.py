"""Which engine reads a page: Tesseract for documents, RapidOCR for receipts, labels and photos.

Tesseract's layout analysis keeps a document's columns and paragraphs in reading order, but its
recogniser reads receipts, signs and photographed words badly; RapidOCR (PP-OCR) reads those far
better and has no layout analysis, so its boxes are grouped into rows (:mod:`.rows`).

RecognizeReceipt and RecognizeLabel force RapidOCR; a ``dsrMode`` asking for block and column
analysis (``DsrNoFilter``), a region, a language other than English and a page over 16 MP keep
Tesseract. Otherwise (RecognizeImage) the page's shape and light pick the engine that reads
first — RapidOCR for images the size of a label, for receipt-shaped pages (tall and narrow) and
for unclear pages (unevenly lit, faded or grainy: Tesseract silently loses words there),
Tesseract for the rest — and the first read is checked: a document has lines of several words
(:func:`is_document`). A Tesseract read that is not a document, nor columns of prose side by
side (:func:`prose_columns`), is read again by RapidOCR, which wins if it read anything; a
RapidOCR read that is a document is read again by Tesseract, which wins only if it found columns
side by side. The measurements behind every threshold are in benchmarks/accuracy/README.md.
"""

from __future__ import annotations

import enum
import statistics
from dataclasses import dataclass

from PIL import Image

from ocrhive.domain.document import Block, Page
from ocrhive.domain.recognition import DsrMode, Family, Language, RecognitionSettings
from ocrhive.engines.base import Engine, EngineRequest, Segmentation
from ocrhive.engines.rows import as_rows
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.preprocess.contrast import Glance, glance


class PageKind(enum.Enum):
    """What a page is, as far as choosing its engine goes."""

    DOCUMENT = "document"  #: pages of prose, columns, forms: Tesseract's layout analysis
    RECEIPT = "receipt"  #: receipts, notices, screenshots: RapidOCR, read row by row
    LABEL = "label"  #: word crops, signs, labels: RapidOCR
    UNCLEAR = "unclear"  #: document pages unevenly lit, faded or grainy: RapidOCR, in rows


#: Images with fewer pixels than this are the size of a label or word crop (the generated
#: scene set: 6k-60k pixels) or of a few lines of text.
LABEL_PIXELS = 250_000
#: Pages at least this much taller than wide are shaped like a receipt: 55 of the 60 dev
#: receipts (the other five are A4 scans, 1.41); A4 and Letter pages are 1.41 and 1.29.
RECEIPT_ASPECT = 1.5
#: A document's lines hold at least this many words (median over the page's lines). Tesseract's
#: lines on the dev receipts: medians 2-5 words (it splits item and price apart), RapidOCR's
#: rows 3-5; generated prose pages 8.5-14, two-column pages 10.
DOCUMENT_WORDS_PER_LINE = 6.0
#: A page is unclear (:func:`unclear`) when, at a glance (:func:`glance`), its paper's brightness
#: varies by this many grey levels or more … (flat scans and generated pages: 0; 58 of the 60
#: dev receipts 0-17, a crumpled one 56 and one lit from the side 147, both read by RapidOCR
#: anyway; under a corner lamp falling to 15-30 %: 111-126, where Tesseract read the dark
#: corner's words as nothing at a mean confidence of 96, CER 0.23-0.44, RapidOCR 0.000)
UNEVEN_LIGHT = 48.0
#: … and a smooth fall of light explains this much of it (R², :class:`Glance`): under a lamp
#: 0.999; a page with a photograph above its text 0.41-0.46 — Tesseract reads that page
#: without an error and in a quarter of RapidOCR-then-Tesseract's time …
SMOOTH_LIGHT = 0.8
#: … or its ink and paper lie closer than this (faded print: 27-29; receipts 60-224, clean
#: pages 168-214; Tesseract lost 1-4 % of the faded pages, RapidOCR nothing) …
FAINT = 50.0
#: … or it is this grainy (grainy and faded prints: 0.09-0.12; receipts and clean pages at
#: most 0.04; Tesseract lost 4 % of a grainy page, RapidOCR nothing).
GRAINY = 0.08
#: Pages larger than this stay with Tesseract whatever their kind: RapidOCR takes the page as a
#: colour array (3 bytes a pixel, copied more than once), where Tesseract reads pages this large
#: as raw grey rows (the pipeline's 16 MP line). A 12 MP phone photo is under it.
RAPID_MAX_PIXELS = 16_000_000


#: The page kind each family's tasks are read as; None lets each page decide. Families not
#: listed read every page as a document (Tesseract), as they always did.
FAMILY_KINDS: dict[Family, PageKind | None] = {
    Family.RECOGNIZE_IMAGE: None,
    Family.RECOGNIZE_IMAGE_TRIAL: None,
    Family.RECOGNIZE_RECEIPT: PageKind.RECEIPT,
    Family.RECOGNIZE_LABEL: PageKind.LABEL,
}

#: The ``dsrMode`` that asks for the page's blocks and columns (Aspose: "complex structure
#: analysis", for contracts, books and newspapers): Tesseract's layout analysis carries it out on
#: every page. Every other mode lets the page choose its engine: an omitted mode is ``Regions``,
#: the modes for few lines and mixed batches (``NoDsrNoFilter``, which the SDK's example sends,
#: ``DsrAndFilter``) skip the analysis that RapidOCR's rows skip too, and the detector modes
#: (``TextDetector``, ``DsrPlusDetector``, …) are Aspose's choice for photos, signs and
#: screenshots, where RapidOCR is the detector. A document page is read by Tesseract in the
#: mode's own segmentation (:mod:`.segmentation`).
LAYOUT_MODES = frozenset({DsrMode.DSR_NO_FILTER})

#: The kinds RapidOCR reads.
READ_BY_RAPIDOCR = frozenset({PageKind.RECEIPT, PageKind.LABEL, PageKind.UNCLEAR})

#: What ``error.warnings`` says when RapidOCR read a page, by why it did.
CHOSEN_NOTES = {
    PageKind.RECEIPT: (
        "Read with RapidOCR (PP-OCR), lines grouped into rows: the page did not read as a "
        "document (lines of several words)"
    ),
    PageKind.LABEL: (
        "Read with RapidOCR (PP-OCR): the image is the size of a label or word crop and does "
        "not read as a document"
    ),
    PageKind.UNCLEAR: (
        "Read with RapidOCR (PP-OCR), lines grouped into rows: the page is unevenly lit, faded "
        "or grainy, where Tesseract loses words"
    ),
}
FORCED_NOTES = {
    PageKind.RECEIPT: "Read with RapidOCR (PP-OCR) as a receipt, lines grouped into rows",
    PageKind.LABEL: "Read with RapidOCR (PP-OCR) as a label",
}


def shape_kind(image: Image.Image) -> PageKind:
    """The kind a page's shape suggests: ``LABEL`` for small images, ``RECEIPT`` for tall and
    narrow ones, ``DOCUMENT`` for the rest."""
    if image.width * image.height < LABEL_PIXELS:
        return PageKind.LABEL
    if image.height >= RECEIPT_ASPECT * image.width:
        return PageKind.RECEIPT
    return PageKind.DOCUMENT


def unclear(seen: Glance) -> bool:
    """Whether a page's lighting is poor enough for Tesseract to lose words unnoticed:
    unevenly lit, faint or grainy (:data:`UNEVEN_LIGHT` and :data:`SMOOTH_LIGHT`, :data:`FAINT`,
    :data:`GRAINY`)."""
    uneven = seen.light_spread >= UNEVEN_LIGHT and seen.light_fit >= SMOOTH_LIGHT
    return uneven or seen.contrast < FAINT or seen.noise >= GRAINY


def page_kind(image: Image.Image) -> PageKind:
    """The kind a page's shape and lighting suggest: :func:`shape_kind`, except that a
    document-shaped page that is :func:`unclear` is ``UNCLEAR``."""
    kind = shape_kind(image)
    if kind is PageKind.DOCUMENT and unclear(glance(image)):
        return PageKind.UNCLEAR
    return kind


def is_document(page: Page) -> bool:
    """Whether a read of a page is a document: lines of several words (not receipt rows of an
    item and a price, nor a word or two of a label)."""
    counts = [len(line.words) for line in page.lines()]
    return bool(counts) and statistics.median(counts) >= DOCUMENT_WORDS_PER_LINE


#: RapidOCR's read of a whole upright receipt has a length-weighted mean confidence of 94-100;
#: the same receipts upside down read 64-81 (15 dev receipts), on quarter turns the lines are
#: vertical.
RAPID_UPRIGHT = 88.0


def rapid_reads_upright(page: Page) -> bool:
    """Whether RapidOCR's read of a whole page shows it upright (False says nothing): its
    lines lie across the page and it is sure of their letters."""
    across = sum(len(line.text) for line in page.lines() if line.bbox.width > line.bbox.height)
    letters = sum(len(w.text) for w in page.words())
    return bool(letters) and across >= 0.8 * letters and surety(page) >= RAPID_UPRIGHT


#: A block is a column of prose when it has at least this many lines … (a receipt's price
#: column, a form's fields: one or two words a line)
COLUMN_LINES = 3
#: … of at least this many words (median). Three to four columns of prose on a page (2-7 words a
#: line) read as lines of under six words (:data:`DOCUMENT_WORDS_PER_LINE`), and RapidOCR's rows
#: ran across their columns: CER 0.71-0.73 where Tesseract's own read was exact.
COLUMN_WORDS = 3.0


def _side_by_side(blocks: list[Block] | tuple[Block, ...]) -> bool:
    """Whether two of ``blocks`` stand side by side (overlapping rows, apart across)."""
    for index, a in enumerate(blocks):
        for b in blocks[index + 1 :]:
            rows = min(a.bbox.bottom, b.bbox.bottom) - max(a.bbox.top, b.bbox.top)
            across = min(a.bbox.right, b.bbox.right) - max(a.bbox.left, b.bbox.left)
            if rows > 0 and across <= 0:
                return True
    return False


def _prose(block: Block) -> bool:
    counts = [len(line.words) for line in block.lines]
    return len(counts) >= COLUMN_LINES and statistics.median(counts) >= COLUMN_WORDS


def prose_columns(page: Page) -> bool:
    """Whether two columns of prose stand side by side on ``page`` (:data:`COLUMN_LINES`,
    :data:`COLUMN_WORDS`): a page set in narrow columns, not a receipt's items and prices."""
    return _side_by_side([block for block in page.blocks if _prose(block)])


def single_column(page: Page) -> bool:
    """Whether no two blocks of ``page`` stand side by side (overlapping rows, apart across)."""
    return not _side_by_side(page.blocks)


def surety(page: Page) -> float:
    """Mean word confidence weighted by word length (0 for a page with no words)."""
    letters = sum(len(w.text) for w in page.words())
    weighted = sum(w.confidence * len(w.text) for w in page.words())
    return weighted / letters if letters else 0.0


class RowReader:
    """RapidOCR with its boxes grouped into rows (:func:`~ocrhive.engines.rows.as_rows`)."""

    name = "rapidocr"

    def __init__(self, rapid: Engine) -> None:
        self._rapid = rapid

    def recognize(self, image: Image.Image, request: EngineRequest) -> Page:
        return as_rows(self._rapid.recognize(image, request))

    def installed_languages(self) -> frozenset[Language]:
        return self._rapid.installed_languages()


@dataclass(frozen=True, kw_only=True)
class EngineChoice:
    """RapidOCR for the pages that are not documents, and when it may read them.

    Args:
        rapid: the RapidOCR engine (one per worker, loaded on first use and kept).
        languages: the languages RapidOCR reads receipts and labels in (its Latin alphabet has
            no accented letters, so only English).
    """

    rapid: Engine
    languages: frozenset[Language] = frozenset({Language.ENGLISH})

    @property
    def reader(self) -> Engine:
        """The engine that reads receipts and labels."""
        return RowReader(self.rapid)

    def plan(
        self,
        image: Image.Image,
        settings: RecognitionSettings,
        forced: PageKind | None,
        segmentation: Segmentation,
    ) -> tuple[PageKind, bool]:
        """How a page is read first, and whether its first read may send it to the other
        engine (:meth:`settle`).

        Args:
            image: the page as decoded.
            settings: the task's settings: languages other than :attr:`languages` are
                documents, and so is a page whose client asked for block and column analysis
                (:data:`LAYOUT_MODES`); Tesseract reads a document in its ``dsrMode``'s way.
            forced: the family's kind (:data:`FAMILY_KINDS`), None when pages decide.
            segmentation: how the caller asks the page to be segmented; anything but what
                the ``dsrMode`` asks for (a region's single block) keeps Tesseract.
        """
        language = settings.language
        if language not in self.languages or language not in self.rapid.installed_languages():
            return PageKind.DOCUMENT, False
        if image.width * image.height > RAPID_MAX_PIXELS:
            return PageKind.DOCUMENT, False
        if forced is not None:
            return forced, False
        if settings.dsr_mode in LAYOUT_MODES or segmentation is not segmentation_for(
            settings.dsr_mode
        ):
            return PageKind.DOCUMENT, False
        return page_kind(image), True

    @staticmethod
    def settle(kind: PageKind, page: Page) -> PageKind | None:
        """The kind to read a page again as, after a first read ``page`` as ``kind``; None
        keeps the first read."""
        if kind is PageKind.DOCUMENT:
            return None if is_document(page) or prose_columns(page) else PageKind.RECEIPT
        if is_document(page) or not any(True for _ in page.words()):
            return PageKind.DOCUMENT
        return None

    @staticmethod
    def keeps_second(first: Page, second: Page, second_kind: PageKind) -> bool:
        """Whether the second read wins: RapidOCR's whenever it read anything; Tesseract's
        when RapidOCR read nothing or Tesseract found columns side by side (RapidOCR's rows
        would run across them). On single-column pages RapidOCR read the generated degraded
        set without an error where Tesseract lost 4-30 % (small and JPEG-blocked print)."""
        if not any(True for _ in second.words()):
            return False
        if second_kind is not PageKind.DOCUMENT:
            return True
        return not any(True for _ in first.words()) or not single_column(second)


def engine_note(kind: PageKind, forced: PageKind | None) -> tuple[str, ...]:
    """What ``error.warnings`` says about the engine that read a page of ``kind``."""
    if kind not in READ_BY_RAPIDOCR:
        return ()
    return (FORCED_NOTES[kind] if forced is kind else CHOSEN_NOTES[kind],)
