"""Which engine reads a page: Tesseract for documents, RapidOCR for receipts, labels and photos.

Tesseract's layout analysis keeps a document's columns and paragraphs in reading order, but its
recogniser reads receipts, signs and photographed words badly; RapidOCR (PP-OCR) reads those far
better and has no layout analysis. So a page is read the way its kind asks:

* ``LABEL`` — a small image (a word crop, a sign, a short label): RapidOCR alone.
* ``RECEIPT`` — RapidOCR, its boxes grouped into rows read left to right (:mod:`.rows`).
* ``DOCUMENT`` — Tesseract with its layout analysis, as before.

RecognizeReceipt and RecognizeLabel force their kind. RecognizeImage with no ``dsrMode`` lets
the page decide: small images are labels; other pages are read by Tesseract first and handed
to RapidOCR only when Tesseract's read does not look like a document it read well
(:func:`looks_like_document`). An explicit ``dsrMode`` keeps Tesseract's layout modes. The
measurements behind each threshold are in benchmarks/accuracy/README.md.
"""

from __future__ import annotations

import enum
import statistics
from dataclasses import dataclass

from PIL import Image

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import Language
from ocrhive.engines.base import Engine, EngineRequest
from ocrhive.engines.rows import as_rows


class PageKind(enum.Enum):
    """What a page is, as far as choosing its engine goes."""

    DOCUMENT = "document"  #: pages of prose, columns, forms: Tesseract's layout analysis
    RECEIPT = "receipt"  #: receipts, notices, screenshots: RapidOCR, read row by row
    LABEL = "label"  #: word crops, signs, labels: RapidOCR


#: Images with fewer pixels than this, or a short side under :data:`LABEL_SHORT_SIDE`, are
#: labels: a word crop or a sign (the generated scene set is 40-250 px tall).
LABEL_PIXELS = 250_000
LABEL_SHORT_SIDE = 200

#: A Tesseract read counts as a document it read well when its length-weighted mean word
#: confidence reaches this and its lines are long enough (see :func:`looks_like_document`).
DOCUMENT_SURETY = 85.0
#: Median words per line of a prose page (receipts' rows are split by Tesseract into short
#: lines of one to four words).
DOCUMENT_WORDS_PER_LINE = 6.0

#: What ``error.warnings`` says about the engine that read a page.
READ_WITH_RAPIDOCR = {
    PageKind.RECEIPT: (
        "Read with RapidOCR (PP-OCR), lines grouped into rows: the page looked like a receipt "
        "or notice rather than a document"
    ),
    PageKind.LABEL: (
        "Read with RapidOCR (PP-OCR): the image looked like a label, sign or word crop"
    ),
}
FORCED_NOTE = {
    PageKind.RECEIPT: "Read with RapidOCR (PP-OCR) as a receipt, lines grouped into rows",
    PageKind.LABEL: "Read with RapidOCR (PP-OCR) as a label",
}


def kind_by_size(image: Image.Image) -> PageKind | None:
    """``LABEL`` for an image too small to be a page; None when its size does not tell."""
    if image.width * image.height < LABEL_PIXELS or min(image.size) < LABEL_SHORT_SIDE:
        return PageKind.LABEL
    return None


def looks_like_document(page: Page) -> bool:
    """Whether Tesseract's read of a page is a document read well: sure, with long lines."""
    words = list(page.words())
    if not words:
        return False
    letters = sum(len(w.text) for w in words)
    surety = sum(w.confidence * len(w.text) for w in words) / max(1, letters)
    per_line = statistics.median(len(line.words) for line in page.lines())
    return surety >= DOCUMENT_SURETY and per_line >= DOCUMENT_WORDS_PER_LINE


@dataclass(frozen=True, kw_only=True)
class EngineChoice:
    """RapidOCR for the pages that are not documents, and when the choice applies.

    Args:
        rapid: the RapidOCR engine (one per worker, loaded on first use and kept).
        languages: the languages RapidOCR reads well enough for receipts and labels.
    """

    rapid: Engine
    languages: frozenset[Language] = frozenset({Language.ENGLISH})

    def applies(self, language: Language) -> bool:
        """Whether pages in ``language`` may be read by RapidOCR."""
        return language in self.languages and language in self.rapid.installed_languages()

    def read(self, image: Image.Image, request: EngineRequest, kind: PageKind) -> Page:
        """``image`` read by RapidOCR; receipts' boxes grouped into rows."""
        page = self.rapid.recognize(image, request)
        return as_rows(page)
