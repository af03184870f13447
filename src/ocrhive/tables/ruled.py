"""Ruled tables: horizontal and vertical lines found by morphology on the ink mask, joined into
a grid whose cells merge wherever the line between them is missing."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from ocrhive.domain.document import BBox
from ocrhive.tables.model import Cell, Table

Ink = npt.NDArray[np.uint8]

#: Opening lengths are this fraction of the page's longer side (but at least MIN_KERNEL): a
#: text stroke, even serifs running along a baseline, stays shorter.
KERNEL_SHARE = 1 / 45
MIN_KERNEL = 30
#: A line shorter than this many kernels is taken for a stroke, not a rule.
MIN_RULE_KERNELS = 2
#: Lines closer than this (pixels, plus their thickness) are one line: a double rule, or a
#: rule broken by noise into two pieces side by side.
SAME_LINE = 6
#: A cell border counts as drawn when lines cover this share of it; below that the cells on
#: either side are one merged cell.
DRAWN = 0.6
#: A table needs at least this many rows and columns of cells.
MIN_CELLS = 1


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A straight line: ``at`` is its position across (y of a horizontal one), ``start``/``end``
    its extent along, ``thick`` its thickness."""

    at: float
    start: int
    end: int
    thick: int


def _opened(mask: Ink, size: tuple[int, int]) -> Ink:
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    # rejoin a rule that noise broke: close along the line by a few pixels
    along = (9, 1) if size[0] > 1 else (1, 9)
    closed = cv2.morphologyEx(
        opened, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, along)
    )
    return np.asarray(closed, dtype=np.uint8)


def _kernel(mask: Ink) -> int:
    return max(MIN_KERNEL, round(int(max(mask.shape)) * KERNEL_SHARE))


def _long_only(lines: Ink, *, horizontal: bool, min_length: int) -> Ink:
    """``lines`` without the pieces shorter than ``min_length`` (tall letters' stems)."""
    _count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    lengths = stats[:, cv2.CC_STAT_WIDTH if horizontal else cv2.CC_STAT_HEIGHT]
    keep = lengths >= min_length
    keep[0] = False
    result: Ink = np.where(keep[labels], np.uint8(255), np.uint8(0)).astype(np.uint8)
    return result


def line_masks(mask: Ink) -> tuple[Ink, Ink]:
    """The horizontal and the vertical lines of an ink mask, each as a mask of its own."""
    kernel = _kernel(mask)
    least = MIN_RULE_KERNELS * kernel
    return (
        _long_only(_opened(mask, (kernel, 1)), horizontal=True, min_length=least),
        _long_only(_opened(mask, (1, kernel)), horizontal=False, min_length=least),
    )


def _rules(lines: Ink, *, horizontal: bool, min_length: int) -> list[Rule]:
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    rules = []
    for index in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[index])
        length, thick = (w, h) if horizontal else (h, w)
        if length < min_length or thick > length / 4:
            continue
        at = y + h / 2 if horizontal else x + w / 2
        start, end = (x, x + w) if horizontal else (y, y + h)
        rules.append(Rule(at=at, start=start, end=end, thick=thick))
    return rules


def _positions(rules: list[Rule]) -> list[float]:
    """Where the distinct lines are across (rules closer than SAME_LINE are one)."""
    found: list[list[Rule]] = []
    for rule in sorted(rules, key=lambda r: r.at):
        if found and rule.at - found[-1][-1].at <= SAME_LINE + rule.thick:
            found[-1].append(rule)
        else:
            found.append([rule])
    return [
        sum(r.at * (r.end - r.start) for r in g) / sum(r.end - r.start for r in g) for g in found
    ]


def _with_open_edges(positions: list[float], start: int, end: int, slack: int) -> list[float]:
    """Add the lines a table without an outer border implies: where the crossing lines end."""
    out = list(positions)
    if out and out[0] - start > slack:
        out.insert(0, float(start))
    if out and end - out[-1] > slack:
        out.append(float(end))
    return out


def _drawn(lines: Ink, *, horizontal: bool, at: float, lo: float, hi: float, reach: int) -> bool:
    """Whether a line covers ``DRAWN`` of the border at ``at`` between ``lo`` and ``hi``."""
    a0, a1 = max(0, round(at) - reach), round(at) + reach + 1
    b0, b1 = round(lo) + reach, round(hi) - reach
    if b1 <= b0:
        return True
    band = lines[a0:a1, b0:b1] if horizontal else lines[b0:b1, a0:a1]
    if band.size == 0:
        return False
    covered = band.any(axis=0 if horizontal else 1)
    return float(covered.mean()) >= DRAWN


def _grid_cells(
    h_lines: Ink, v_lines: Ink, ys: list[float], xs: list[float], reach: int
) -> list[tuple[int, int, int, int]]:
    """Cells as (row, col, row_span, col_span): grid cells joined across undrawn borders."""
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _drawn(
                v_lines, horizontal=False, at=xs[c + 1], lo=ys[r], hi=ys[r + 1], reach=reach
            ):
                parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows and not _drawn(
                h_lines, horizontal=True, at=ys[r + 1], lo=xs[c], hi=xs[c + 1], reach=reach
            ):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    taken: set[tuple[int, int]] = set()
    cells: list[tuple[int, int, int, int]] = []
    for members in sorted(groups.values()):
        r0, c0 = min(r for r, _ in members), min(c for _, c in members)
        r1, c1 = max(r for r, _ in members), max(c for _, c in members)
        spanned = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if spanned & taken:  # a ragged group: keep its grid cells on their own
            cells.extend((r, c, 1, 1) for r, c in members if (r, c) not in taken)
            taken.update(members)
            continue
        taken |= spanned
        cells.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    return sorted(cells)


def find_ruled(mask: Ink) -> list[Table]:
    """The ruled tables in an ink mask (255 = ink), top to bottom; cells carry no text yet."""
    h_lines, v_lines = line_masks(mask)
    kernel = _kernel(mask)
    joined = cv2.dilate(h_lines | v_lines, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    tables = []
    for index in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[index])
        box = (slice(y, y + h), slice(x, x + w))
        hs = _rules(h_lines[box], horizontal=True, min_length=MIN_RULE_KERNELS * kernel)
        vs = _rules(v_lines[box], horizontal=False, min_length=MIN_RULE_KERNELS * kernel)
        if len(hs) < 1 or len(vs) < 1:
            continue
        thick = max(2, int(np.median([r.thick for r in hs + vs])))
        slack = 3 * thick + SAME_LINE
        ys = _with_open_edges(
            _positions(hs), min(r.start for r in vs), max(r.end for r in vs), slack
        )
        xs = _with_open_edges(
            _positions(vs), min(r.start for r in hs), max(r.end for r in hs), slack
        )
        if len(ys) < MIN_CELLS + 1 or len(xs) < MIN_CELLS + 1 or (len(ys) - 1) * (len(xs) - 1) < 2:
            continue
        reach = thick + 2
        spans = _grid_cells(h_lines[box], v_lines[box], ys, xs, reach)
        cells = tuple(
            Cell(
                row=r,
                col=c,
                row_span=rs,
                col_span=cs,
                bbox=BBox(
                    left=x + round(xs[c]),
                    top=y + round(ys[r]),
                    right=x + round(xs[c + cs]),
                    bottom=y + round(ys[r + rs]),
                ),
            )
            for r, c, rs, cs in spans
        )
        tables.append(
            Table(
                rows=len(ys) - 1,
                cols=len(xs) - 1,
                cells=cells,
                bbox=BBox(left=x, top=y, right=x + w, bottom=y + h),
                ruled=True,
            )
        )
    return sorted(tables, key=lambda t: (t.bbox.top, t.bbox.left))
