"""Deterministic table images with known cells: ruled, unruled, zebra-striped and ruled with
merged header cells, at 200 or 300 dpi, slightly skewed and mildly noisy.

The same seed gives byte-identical images, so tests and the benchmark draw them on the fly and
nothing binary is kept in the repository.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
#: (regular, bold) pairs; one per table
FACES = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
)
KINDS = ("ruled", "unruled", "zebra", "merged")

#: Words written for this project for the first column and the text columns.
NAMES = (
    "Harbour",
    "North Gate",
    "Mill Street",
    "Riverside",
    "Old Town",
    "Station",
    "Orchard",
    "West Quay",
    "Market",
    "Hill Farm",
    "Lakeside",
    "Bridge End",
    "Chapel Row",
    "Dock Road",
)
THINGS = (
    "tiles",
    "bread",
    "lamps",
    "rope",
    "paper",
    "salt",
    "nails",
    "flour",
    "timber",
    "glass",
    "cement",
    "wool",
    "coal",
    "ink",
)
STATES = ("open", "closed", "pending", "paid", "late", "sent", "held", "done")
HEADERS = ("Place", "Item", "Count", "Price", "Date", "Status", "Code", "Total", "Weight")


@dataclass(frozen=True, kw_only=True)
class Merge:
    """A cell spanning ``row_span`` × ``col_span`` grid cells from (``row``, ``col``)."""

    row: int
    col: int
    row_span: int
    col_span: int


@dataclass(frozen=True, kw_only=True)
class TableSample:
    """One table image and its truth: ``cells[r][c]``; covered grid cells of a merge hold ""."""

    name: str
    kind: str
    dpi: int
    skew: float
    image: Image.Image
    cells: tuple[tuple[str, ...], ...]
    merges: tuple[Merge, ...] = ()

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.cells), len(self.cells[0])

    def png(self) -> bytes:
        """The image as PNG bytes carrying its resolution."""
        buffer = io.BytesIO()
        self.image.save(buffer, "PNG", dpi=(self.dpi, self.dpi))
        return buffer.getvalue()


def _value(rng: random.Random, column: str) -> str:
    if column == "Count":
        return str(rng.randint(1, 2400))
    if column in ("Price", "Total", "Weight"):
        return f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}"
    if column == "Date":
        return f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if column == "Status":
        return rng.choice(STATES)
    if column == "Code":
        letters = "ABCDEFGHKLMNPRSTVX"
        return f"{rng.choice(letters)}{rng.choice(letters)}-{rng.randint(100, 9999)}"
    if column == "Item":
        return rng.choice(THINGS)
    return rng.choice(NAMES)


def _contents(rng: random.Random, rows: int, cols: int) -> list[list[str]]:
    headers = ["Place", *rng.sample(HEADERS[1:], cols - 1)]
    body = [[_value(rng, h) for h in headers] for _ in range(rows - 1)]
    return [headers, *body]


def _merged_contents(
    rng: random.Random, rows: int, cols: int
) -> tuple[list[list[str]], list[Merge]]:
    """Two header rows: "Place" spans both, group titles span column pairs."""
    grid = _contents(rng, rows - 1, cols)
    top = ["Place"] + [""] * (cols - 1)
    merges = [Merge(row=0, col=0, row_span=2, col_span=1)]
    col = 1
    for title in ("First half", "Second half", "Rest"):
        if col >= cols:
            break
        span = min(2, cols - col)
        top[col] = title
        if span > 1:
            merges.append(Merge(row=0, col=col, row_span=1, col_span=span))
        col += span
    grid[0][0] = ""
    return [top, *grid], merges


def _covered(merges: list[Merge]) -> dict[tuple[int, int], Merge]:
    return {
        (m.row + r, m.col + c): m
        for m in merges
        for r in range(m.row_span)
        for c in range(m.col_span)
    }


def draw_table(
    cells: list[list[str]],
    merges: list[Merge],
    *,
    kind: str,
    dpi: int,
    faces: tuple[str, str],
    rng: random.Random,
) -> Image.Image:
    """The table on white paper in mode "L" (before skew and noise)."""
    size = round(rng.uniform(10.0, 12.0) / 72 * dpi)
    regular = ImageFont.truetype(str(FONT_DIR / faces[0]), size)
    bold = ImageFont.truetype(str(FONT_DIR / faces[1]), size)
    rows, cols = len(cells), len(cells[0])
    header_rows = 2 if kind == "merged" else 1
    pad_x, pad_y = round(size * 0.6), round(size * 0.45)
    gap = round(size * rng.uniform(1.6, 2.2)) if kind in ("unruled", "zebra") else 2 * pad_x
    covered = _covered(merges)
    widths = [0] * cols
    for r in range(rows):
        for c in range(cols):
            merge = covered.get((r, c))
            if merge is not None and merge.col_span > 1:
                continue
            face = bold if r < header_rows else regular
            widths[c] = max(widths[c], round(face.getlength(cells[r][c])))
    row_h = round(size * 1.25) + 2 * pad_y
    xs = [0]
    for w in widths:
        xs.append(xs[-1] + w + gap)
    ys = [r * row_h for r in range(rows + 1)]
    margin = round(dpi * 0.5)
    page = Image.new("L", (xs[-1] + 2 * margin, ys[-1] + 2 * margin), 255)
    draw = ImageDraw.Draw(page)
    ox, oy = margin, margin
    if kind == "zebra":
        for r in range(header_rows, rows, 2):
            draw.rectangle(
                (ox, oy + ys[r], ox + xs[-1], oy + ys[r + 1]), fill=rng.randint(215, 232)
            )
    line = max(2, round(dpi / 150))
    for r in range(rows):
        for c in range(cols):
            merge = covered.get((r, c))
            if merge is not None and (merge.row, merge.col) != (r, c):
                continue
            text = cells[r][c]
            right = xs[c + (merge.col_span if merge else 1)]
            bottom = ys[r + (merge.row_span if merge else 1)]
            face = bold if r < header_rows else regular
            length = face.getlength(text)
            numeric = text.replace(".", "").isdigit() and r >= header_rows
            if merge is not None and merge.col_span > 1:
                x = ox + (xs[c] + right) / 2 - length / 2
            elif numeric:
                x = ox + right - gap / 2 - length
            else:
                x = ox + xs[c] + gap / 2
            y = oy + (ys[r] + bottom) / 2 - size * 0.6
            draw.text((x, y), text, fill=0, font=face)
    if kind in ("ruled", "merged"):
        _rules(draw, xs, ys, covered, (ox, oy), line)
    elif kind == "unruled":
        under = oy + ys[header_rows]
        draw.rectangle((ox, under - line // 2, ox + xs[-1], under + line - line // 2 - 1), fill=0)
    return page


def _rules(
    draw: ImageDraw.ImageDraw,
    xs: list[int],
    ys: list[int],
    covered: dict[tuple[int, int], Merge],
    origin: tuple[int, int],
    line: int,
) -> None:
    """Grid lines, left out inside merged cells."""
    ox, oy = origin
    rows, cols = len(ys) - 1, len(xs) - 1
    for r in range(rows + 1):
        for c in range(cols):
            above, below = covered.get((r - 1, c)), covered.get((r, c))
            if above is not None and above is below:
                continue
            y = oy + ys[r]
            draw.rectangle(
                (ox + xs[c], y - line // 2, ox + xs[c + 1] + line // 2, y + line - line // 2 - 1),
                fill=0,
            )
    for c in range(cols + 1):
        for r in range(rows):
            left, right = covered.get((r, c - 1)), covered.get((r, c))
            if left is not None and left is right:
                continue
            x = ox + xs[c]
            draw.rectangle(
                (x - line // 2, oy + ys[r], x + line - line // 2 - 1, oy + ys[r + 1] + line // 2),
                fill=0,
            )


def _damage(page: Image.Image, skew: float, rng: random.Random) -> Image.Image:
    """Turned ``skew`` degrees clockwise, a grey paper, mild sensor noise."""
    turned = page.rotate(-skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    arr = np.asarray(turned, dtype=np.float32)
    arr = 20 + arr * (230 / 255)
    noisy = arr + np.random.default_rng(rng.randint(0, 2**31)).normal(0.0, 8.0, arr.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).round().astype(np.uint8), "L")


def table(
    kind: str, *, seed: int, dpi: int = 300, rows: int = 5, cols: int = 4, skew: float | None = None
) -> TableSample:
    """One generated table of ``kind`` (``rows`` counts header rows too)."""
    rng = random.Random(f"{kind}-{seed}-{dpi}-{rows}-{cols}")
    if kind == "merged":
        cells, merges = _merged_contents(rng, rows, cols)
    else:
        cells, merges = _contents(rng, rows, cols), []
    faces = FACES[seed % len(FACES)]
    page = draw_table(cells, merges, kind=kind, dpi=dpi, faces=faces, rng=rng)
    angle = rng.uniform(-2.0, 2.0) if skew is None else skew
    image = _damage(page, angle, rng)
    image.info["dpi"] = (dpi, dpi)
    return TableSample(
        name=f"{kind}-{dpi}dpi-{seed:02d}",
        kind=kind,
        dpi=dpi,
        skew=angle,
        image=image,
        cells=tuple(tuple(row) for row in cells),
        merges=tuple(merges),
    )


def benchmark_set(seed: int = 11, per_kind: int = 4) -> list[TableSample]:
    """``per_kind`` tables of every kind at 200 and at 300 dpi, shapes varying with ``seed``."""
    rng = random.Random(seed)
    samples = []
    for kind in KINDS:
        for index in range(per_kind):
            rows, cols = rng.randint(4, 8), rng.randint(3, 6)
            for dpi in (200, 300):
                samples.append(table(kind, seed=seed * 100 + index, dpi=dpi, rows=rows, cols=cols))
    return samples
