"""The engine-neutral result tree: Page → Block → Paragraph → Line → Word, with pixel boxes.

Engines produce it, renderers (text, hOCR, PDF, JSON) consume it; neither side knows the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace


@dataclass(frozen=True, kw_only=True)
class BBox:
    """A box in page pixels: (left, top) inclusive, (right, bottom) exclusive."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return max(0, self.right - self.left)

    @property
    def height(self) -> int:
        return max(0, self.bottom - self.top)

    @staticmethod
    def union(boxes: list[BBox] | tuple[BBox, ...]) -> BBox:
        """The smallest box holding every box given (an empty box at 0,0 for none)."""
        if not boxes:
            return BBox(left=0, top=0, right=0, bottom=0)
        return BBox(
            left=min(b.left for b in boxes),
            top=min(b.top for b in boxes),
            right=max(b.right for b in boxes),
            bottom=max(b.bottom for b in boxes),
        )


@dataclass(frozen=True, kw_only=True)
class Word:
    """One recognised word; ``confidence`` is 0–100."""

    text: str
    bbox: BBox
    confidence: float


@dataclass(frozen=True, kw_only=True)
class Line:
    """A text line; ``baseline`` is (slope, offset from the box's bottom-left) as hOCR has it."""

    bbox: BBox
    words: tuple[Word, ...]
    baseline: tuple[float, float] = (0.0, 0.0)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True, kw_only=True)
class Paragraph:
    """A run of lines the layout analysis kept together."""

    bbox: BBox
    lines: tuple[Line, ...]


@dataclass(frozen=True, kw_only=True)
class Block:
    """A text block (column, region) of the page."""

    bbox: BBox
    paragraphs: tuple[Paragraph, ...]
    confidence: float = 0.0

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for par in self.paragraphs for line in par.lines)


@dataclass(frozen=True, kw_only=True)
class Page:
    """One recognised page.

    ``width``/``height`` are the pixel size of the image the boxes refer to (after
    preprocessing); ``dpi`` its resolution; ``rotation`` the clockwise degrees applied before
    recognition and ``skew`` the deskew angle applied, both as reported to the client.
    """

    width: int
    height: int
    blocks: tuple[Block, ...] = ()
    dpi: float = 300.0
    rotation: int = 0
    skew: float = 0.0
    language: str = "eng"

    def words(self) -> Iterator[Word]:
        """Every word in reading order."""
        for block in self.blocks:
            for par in block.paragraphs:
                for line in par.lines:
                    yield from line.words

    def lines(self) -> Iterator[Line]:
        """Every line in reading order."""
        for block in self.blocks:
            for par in block.paragraphs:
                yield from par.lines

    def map_words(self, change: dict[int, str]) -> Page:
        """A copy whose words at the given reading-order indexes carry new text."""
        if not change:
            return self
        counter = iter(range(1 << 62))
        blocks = []
        for block in self.blocks:
            pars = []
            for par in block.paragraphs:
                lines = []
                for line in par.lines:
                    words = []
                    for word in line.words:
                        index = next(counter)
                        words.append(replace(word, text=change[index]) if index in change else word)
                    lines.append(replace(line, words=tuple(words)))
                pars.append(replace(par, lines=tuple(lines)))
            blocks.append(replace(block, paragraphs=tuple(pars)))
        return replace(self, blocks=tuple(blocks))


@dataclass(frozen=True, kw_only=True)
class Document:
    """The pages of one task, in order, plus non-fatal warnings the pipeline collected."""

    pages: tuple[Page, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
