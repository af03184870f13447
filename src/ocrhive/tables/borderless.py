"""Tables without lines: rows are text lines, columns the x ranges that no word of the table
crosses (the projection of the word boxes onto the x axis)."""

from __future__ import annotations

import itertools
from statistics import median

from ocrhive.domain.document import BBox, Word
from ocrhive.tables.model import Cell, Table
from ocrhive.tables.wordlines import group_lines, line_box

#: A gap between words this many line heights wide separates cells; the space between words of
#: one cell is about a third of a line height, a column gap over one.
CELL_GAP = 0.9
#: A table needs this many lines of two or more cells.
MIN_ROWS = 2
#: Words of this share of the table's rows (rounded down) may cross a column gap: a header or
#: total spanning two columns does not join them for every row.
CROSSING = 0.15


def _segments(line: list[Word], gap: float) -> list[BBox]:
    """A line's words run together into cells wherever they stand closer than ``gap``."""
    runs: list[list[Word]] = [[line[0]]]
    for word in line[1:]:
        if word.bbox.left - runs[-1][-1].bbox.right > gap:
            runs.append([word])
        else:
            runs[-1].append(word)
    return [BBox.union([w.bbox for w in run]) for run in runs]


def _runs(multi: list[bool]) -> list[tuple[int, int]]:
    """Index ranges [start, end) of table lines: multi-cell lines, and single-cell lines
    between two of them (a row with empty cells)."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for index, flag in enumerate([*multi, False]):
        inside = flag or (
            start is not None and index + 1 < len(multi) and multi[index + 1] and not flag
        )
        if inside and start is None:
            start = index
        elif not inside and start is not None:
            if sum(multi[start:index]) >= MIN_ROWS:
                runs.append((start, index))
            start = None
    return runs


def _columns(segments: list[list[BBox]], left: int, right: int) -> list[tuple[int, int]]:
    """Column x ranges: where the count of crossing segments stays above the allowance."""
    allowed = int(CROSSING * len(segments))
    width = right - left
    cover = [0] * (width + 1)
    for line in segments:
        for box in line:
            for x in range(box.left - left, box.right - left):
                cover[x] += 1
    columns: list[tuple[int, int]] = []
    start: int | None = None
    for x, count in enumerate(cover):
        if count > allowed and start is None:
            start = x
        elif count <= allowed and start is not None:
            columns.append((left + start, left + x))
            start = None
    return columns


def find_borderless(words: list[Word]) -> list[Table]:
    """Tables made of aligned words, top to bottom; cells carry no text yet."""
    words = [w for w in words if w.text.strip() and w.bbox.width > 0]
    if not words:
        return []
    lines = group_lines(words)
    height = median(w.bbox.height for w in words)
    segments = [_segments(line, CELL_GAP * height) for line in lines]
    tables = []
    for start, end in _runs([len(s) >= 2 for s in segments]):
        rows = lines[start:end]
        boxes = [line_box(r) for r in rows]
        left, right = min(b.left for b in boxes), max(b.right for b in boxes)
        columns = _columns(segments[start:end], left, right)
        if len(columns) < 2:
            continue
        # cell borders halfway between neighbouring columns and rows
        xs = [left] + [(a[1] + b[0]) // 2 for a, b in itertools.pairwise(columns)]
        xs.append(right)
        ys = [boxes[0].top] + [(a.bottom + b.top) // 2 for a, b in itertools.pairwise(boxes)]
        ys.append(boxes[-1].bottom)
        cells = tuple(
            Cell(row=r, col=c, bbox=BBox(left=xs[c], top=ys[r], right=xs[c + 1], bottom=ys[r + 1]))
            for r in range(len(rows))
            for c in range(len(columns))
        )
        tables.append(
            Table(
                rows=len(rows),
                cols=len(columns),
                cells=cells,
                bbox=BBox(left=left, top=ys[0], right=right, bottom=ys[-1]),
                ruled=False,
            )
        )
    return tables
