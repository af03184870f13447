"""Segmentations that take more than one engine pass: the size rule and layout + sparse merging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PIL import Image

from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.engines.base import Segmentation

#: Images with fewer pixels than this are "small" for ``Segmentation.BY_SIZE`` and are read as
#: one block: about a business card or a few-line screenshot (1000 x 1000), a quarter of an A4
#: page at 200 dpi. Larger images get full layout analysis (see docs/layout.md).
SMALL_IMAGE_PIXELS = 1_000_000

#: A sparse-pass word counts as already read when this share of its box lies under a word of the
#: layout pass; Tesseract's two passes place the same word within a few pixels of each other.
OVERLAP_SHARE = 0.5

#: One engine pass: read ``image`` with a single plain segmentation.
Read = Callable[[Image.Image, Segmentation], Page]


def resolve_by_size(image: Image.Image) -> Segmentation:
    """The plain segmentation ``Segmentation.BY_SIZE`` stands for on ``image``."""
    if image.width * image.height < SMALL_IMAGE_PIXELS:
        return Segmentation.SINGLE_BLOCK
    return Segmentation.AUTO


def read_with(read: Read, image: Image.Image, segmentation: Segmentation) -> Page:
    """Carry out ``segmentation`` with ``read``, splitting composite ones into plain passes."""
    if segmentation is Segmentation.BY_SIZE:
        return read(image, resolve_by_size(image))
    if segmentation is Segmentation.AUTO_PLUS_SPARSE:
        return add_missed_words(read(image, Segmentation.AUTO), read(image, Segmentation.SPARSE))
    return read(image, segmentation)


def _covered_share(box: BBox, other: BBox) -> float:
    width = min(box.right, other.right) - max(box.left, other.left)
    height = min(box.bottom, other.bottom) - max(box.top, other.top)
    if width <= 0 or height <= 0:
        return 0.0
    return (width * height) / max(1, box.width * box.height)


def add_missed_words(layout: Page, sparse: Page) -> Page:
    """``layout`` with the words of ``sparse`` that no layout word covers appended as blocks.

    The layout pass keeps its reading order; the extra words keep the sparse pass's grouping
    into lines and blocks and come after it, top to bottom.
    """
    seen = [w.bbox for w in layout.words()]
    extra: list[Block] = []
    for block in sparse.blocks:
        paragraphs: list[Paragraph] = []
        for par in block.paragraphs:
            lines: list[Line] = []
            for line in par.lines:
                words = tuple(
                    w
                    for w in line.words
                    if all(_covered_share(w.bbox, s) < OVERLAP_SHARE for s in seen)
                )
                if words:
                    box = BBox.union([w.bbox for w in words])
                    lines.append(replace(line, bbox=box, words=words))
            if lines:
                box = BBox.union([line.bbox for line in lines])
                paragraphs.append(Paragraph(bbox=box, lines=tuple(lines)))
        if paragraphs:
            kept: list[Word] = [w for p in paragraphs for line in p.lines for w in line.words]
            extra.append(
                Block(
                    bbox=BBox.union([p.bbox for p in paragraphs]),
                    paragraphs=tuple(paragraphs),
                    confidence=round(sum(w.confidence for w in kept) / len(kept), 2),
                )
            )
    if not extra:
        return layout
    extra.sort(key=lambda b: (b.bbox.top, b.bbox.left))
    return replace(layout, blocks=layout.blocks + tuple(extra))
