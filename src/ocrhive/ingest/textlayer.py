"""A PDF page's own text: the characters pdfium found in its content (with their boxes), whether
they can stand in for OCR, and the page tree they make.

A born-digital page (fonts with a Unicode map) is read exactly and at once this way, as
OCRmyPDF's ``--skip-text`` leaves such pages alone. A scan, a page whose fonts map to nothing
usable, or a page that is mostly a picture with a few words on it is OCRed instead.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word

#: fewer characters than this are not worth trusting over OCR (a page number on a scan)
MIN_CHARACTERS = 20
#: at least this share of the characters must be real text (not U+FFFD, private use, controls)
MIN_GOOD_SHARE = 0.9
#: a page whose largest picture covers this much of it is a scan unless its text is substantial
SCAN_COVER = 0.5
#: the text on a scan-like page must be this long to be its own OCR layer, read as it is
SCAN_TEXT_CHARACTERS = 200
#: pixels per inch of the page tree built from the text (boxes in hOCR and JSON)
TREE_DPI = 300.0

_BREAKS = frozenset("\r\n")
_SPACES = frozenset(" \t\u00a0\u2002\u2003\u2009")
#: ligatures typesetters use, written out as the letters they join
_LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}


@dataclass(frozen=True, kw_only=True)
class TextLayer:
    """What pdfium reports of one page's text.

    ``codes`` are Unicode code points in content order (pdfium's generated spaces and line
    breaks included); ``boxes`` their (left, bottom, right, top) in PDF points, page origin at
    the bottom left; ``cover`` the share of the page its largest picture covers.
    """

    width_pt: float
    height_pt: float
    cover: float
    codes: tuple[int, ...]
    boxes: tuple[tuple[float, float, float, float], ...]

    @classmethod
    def from_json(cls, payload: bytes) -> TextLayer:
        raw = json.loads(payload)
        return cls(
            width_pt=float(raw["size"][0]),
            height_pt=float(raw["size"][1]),
            cover=float(raw["cover"]),
            codes=tuple(int(c) for c in raw["codes"]),
            boxes=tuple((float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in raw["boxes"]),
        )

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "size": [self.width_pt, self.height_pt],
                "cover": self.cover,
                "codes": list(self.codes),
                "boxes": [[round(v, 2) for v in b] for b in self.boxes],
            },
            separators=(",", ":"),
        ).encode()

    @property
    def text(self) -> str:
        return "".join(chr(c) for c in self.codes)

    def usable(self) -> bool:
        """Whether the page's own text can replace OCR."""
        visible = [c for c in self.codes if not chr(c).isspace()]
        if len(visible) < MIN_CHARACTERS:
            return False
        good = sum(1 for c in visible if _is_text(c))
        if good < MIN_GOOD_SHARE * len(visible):
            return False
        return self.cover < SCAN_COVER or len(visible) >= SCAN_TEXT_CHARACTERS

    def page(self, dpi: float = TREE_DPI) -> Page:
        """The page tree: words split at spaces, lines at pdfium's line breaks (or where the
        text jumps to another line), blocks where the gap between lines opens up."""
        scale = dpi / 72.0
        lines = [line for line in self._lines(scale) if line.words]
        blocks = _blocks(lines)
        return Page(
            width=max(1, round(self.width_pt * scale)),
            height=max(1, round(self.height_pt * scale)),
            blocks=tuple(blocks),
            dpi=dpi,
        )

    def _lines(self, scale: float) -> list[Line]:
        lines: list[Line] = []
        words: list[Word] = []
        letters: list[str] = []
        boxes: list[BBox] = []

        def end_word() -> None:
            if letters:
                words.append(Word(text="".join(letters), bbox=BBox.union(boxes), confidence=100.0))
                letters.clear()
                boxes.clear()

        def end_line() -> None:
            end_word()
            if words:
                lines.append(Line(bbox=BBox.union([w.bbox for w in words]), words=tuple(words)))
                words.clear()

        for code, raw in zip(self.codes, self.boxes, strict=True):
            char = chr(code)
            if char in _BREAKS:
                end_line()
                continue
            if char in _SPACES or char.isspace() or not _is_text(code):
                end_word()
                continue
            box = self._pixels(raw, scale)
            if box.width == 0 and box.height == 0:
                continue  # a character pdfium could not place
            last = boxes[-1] if boxes else (words[-1].bbox if words else None)
            if last is not None and _new_line(last, box):
                end_line()
            letters.append(_LIGATURES.get(char, char))
            boxes.append(box)
        end_line()
        return lines

    def _pixels(self, raw: tuple[float, float, float, float], scale: float) -> BBox:
        left, bottom, right, top = raw
        return BBox(
            left=max(0, round(left * scale)),
            top=max(0, round((self.height_pt - top) * scale)),
            right=max(0, round(right * scale)),
            bottom=max(0, round((self.height_pt - bottom) * scale)),
        )


def _is_text(code: int) -> bool:
    """Not a replacement, private-use, unassigned or control character."""
    if code in (0, 0xFFFD, 0xFFFE, 0xFFFF):
        return False
    category = unicodedata.category(chr(code))
    return category not in ("Co", "Cn", "Cs", "Cc") or chr(code) in "\r\n\t"


def _new_line(last: BBox, box: BBox) -> bool:
    """The next character lies on another line: no vertical overlap with the last, or it
    moved back to the left by more than a few characters (a new line without a break)."""
    overlap = min(last.bottom, box.bottom) - max(last.top, box.top)
    height = max(1, min(last.height, box.height))
    return overlap < 0.3 * height or box.right < last.left - 4 * height


def _blocks(lines: list[Line]) -> list[Block]:
    """Consecutive lines grouped while they stay close and overlap horizontally."""
    blocks: list[Block] = []
    group: list[Line] = []

    def close() -> None:
        if group:
            box = BBox.union([line.bbox for line in group])
            paragraph = Paragraph(bbox=box, lines=tuple(group))
            blocks.append(Block(bbox=box, paragraphs=(paragraph,), confidence=100.0))
            group.clear()

    for line in lines:
        if group:
            last = group[-1].bbox
            height = max(1, last.height, line.bbox.height)
            gap = line.bbox.top - last.bottom
            apart = line.bbox.left > last.right or line.bbox.right < last.left
            if gap > 1.2 * height or gap < -2 * height or apart:
                close()
        group.append(line)
    close()
    return blocks
