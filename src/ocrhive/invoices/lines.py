"""Text segments with their boxes, and where one segment lies relative to another.

A segment is a run of words on one visual line with no wide gap inside: a two-column header or
a label and its tab-stopped value become separate segments, so the parser can ask "what lies to
the right of this label on the same row" or "what lies below it" whichever layout the page has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ocrhive.domain.document import BBox, Page, Word

#: A gap wider than this many line heights splits a line into two segments. Words in a sentence
#: are ~0.3 heights apart; a tab stop or the gutter between columns is several heights.
SPLIT_GAP = 1.6


@dataclass(frozen=True, kw_only=True)
class Segment:
    """A run of text on one visual line, with the box it occupies on the page."""

    text: str
    box: BBox

    @property
    def middle(self) -> float:
        return (self.box.top + self.box.bottom) / 2


def from_page(page: Page) -> tuple[Segment, ...]:
    """The page's lines split at wide gaps, top to bottom then left to right."""
    segments: list[Segment] = []
    for line in page.lines():
        words = [w for w in line.words if w.text.strip()]
        if not words:
            continue
        height = max(1, line.bbox.height)
        run: list[Word] = [words[0]]
        for word in words[1:]:
            if word.bbox.left - run[-1].bbox.right > SPLIT_GAP * height:
                segments.append(_segment(run))
                run = []
            run.append(word)
        segments.append(_segment(run))
    return _reading_order(segments)


def _segment(words: list[Word]) -> Segment:
    return Segment(text=" ".join(w.text for w in words), box=BBox.union([w.bbox for w in words]))


#: the size of one character cell when plain text stands in for a page (tests, logs)
CELL_WIDTH = 10
CELL_HEIGHT = 20
ROW_PITCH = 30


def from_text(text: str) -> tuple[Segment, ...]:
    """Plain text as segments: each line one row, split at runs of three or more spaces.

    Characters are placed on a fixed grid, so column positions in the text become positions on
    a page; this lets the same geometry code parse typed-out invoices.
    """
    segments: list[Segment] = []
    for row, line in enumerate(text.splitlines()):
        top = row * ROW_PITCH
        for match in re.finditer(r"\S+(?: {1,2}\S+)*", line):
            segments.append(
                Segment(
                    text=match.group(),
                    box=BBox(
                        left=match.start() * CELL_WIDTH,
                        top=top,
                        right=match.end() * CELL_WIDTH,
                        bottom=top + CELL_HEIGHT,
                    ),
                )
            )
    return _reading_order(segments)


def _reading_order(segments: list[Segment]) -> tuple[Segment, ...]:
    return tuple(sorted(segments, key=lambda s: (s.box.top, s.box.left)))


def same_row(a: Segment, b: Segment) -> bool:
    """Whether ``b``'s middle lies within ``a``'s vertical extent (and the reverse)."""
    return a.box.top <= b.middle <= a.box.bottom or b.box.top <= a.middle <= b.box.bottom


def right_of(segment: Segment, segments: tuple[Segment, ...]) -> list[Segment]:
    """The segments on the same row to the right of ``segment``, nearest first."""
    found = [
        s
        for s in segments
        if s is not segment and same_row(segment, s) and s.box.left >= segment.box.right - 2
    ]
    return sorted(found, key=lambda s: s.box.left)


def overlaps_horizontally(a: Segment, b: Segment) -> bool:
    """Whether the two segments share some columns of the page."""
    return a.box.left < b.box.right and b.box.left < a.box.right


#: How many line heights of empty paper end a block of lines. Lines of one block are about one
#: height apart (1.45 line spacing, boxes of capital height); a blank line makes it about three.
BLOCK_GAP = 1.9


def below(
    segment: Segment, segments: tuple[Segment, ...], *, limit: int = 8, gap: float = BLOCK_GAP
) -> list[Segment]:
    """The lines under ``segment`` in its column, up to the first gap of ``gap`` line heights.

    A line belongs to the column when it starts near the segment's left edge or overlaps it;
    lines further right or left (another column) are skipped, not a reason to stop.
    """
    height = max(1, segment.box.height)
    column = [
        s
        for s in segments
        if s.box.top >= segment.box.bottom - height / 3
        and s is not segment
        and (abs(s.box.left - segment.box.left) <= 2 * height or overlaps_horizontally(s, segment))
        and s.box.left >= segment.box.left - 2 * height
    ]
    column.sort(key=lambda s: (s.box.top, s.box.left))
    block: list[Segment] = []
    bottom = segment.box.bottom
    for s in column:
        if s.box.top - bottom > gap * height:
            break
        if block and same_row(block[-1], s):
            continue  # a second segment on a row already taken belongs to another column
        block.append(s)
        bottom = s.box.bottom
        if len(block) == limit:
            break
    return block
