"""JPEG blocking: detecting the 8-pixel block grid of heavy compression, smoothing small text."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

from ocrhive.preprocess.contrast import Gray, Levels, levels
from ocrhive.preprocess.strips import STRIP_ROWS
from ocrhive.preprocess.textsize import x_height

#: JPEG codes the image in blocks of this many pixels on a side.
BLOCK = 8
#: A step must be at least this many grey levels to count. Ordinary JPEG quality leaves steps
#: of a few levels in smooth paper, which do not change a glyph (two dev receipts with small
#: text measured as blocky at 2 levels, and smoothing them cost CER +0.015 and +0.035); heavy
#: compression leaves steps of tens of levels at the glyphs' edges.
MIN_STEP = 16.0
#: Share of isolated steps lying on the block grid above which a page counts as blocky.
#: Uncompressed pages put 1/8 (0.125) of their steps there by chance; the generated JPEG pages
#: (quality 6–10) measured 0.21–0.28, every other generated page at most 0.17.
BLOCKY = 0.185
#: Blocking is smoothed only when lowercase letters are shorter than this (pixels): then an
#: 8-pixel block is as tall as a letter and its steps change the glyph's shape. Most dev
#: receipts are blocky JPEGs too, but with letters of 18–32 px; smoothing them moved their CER
#: both ways (−0.07 … +0.05) at random.
SMALL_TEXT = 14.0
#: Gaussian radius of the smoothing, pixels. Measured on the generated JPEG pages: 0.5 gave
#: CER × 0.45, 0.8 gave × 0.2, 1.2 blurred letters together again (× 0.6 and worse).
RADIUS = 0.8


def _isolated_steps(lines: Gray) -> npt.NDArray[np.int64]:
    """How many isolated steps lie between each pair of neighbouring columns of ``lines``.

    Entry ``i`` counts the steps between columns ``i + 1`` and ``i + 2``. A step is isolated when
    the differences on either side of it are at most half of it: the edge between two flat,
    differently quantised blocks. Glyph edges are isolated steps too, but they fall on every
    column alike.
    """
    diff = np.abs(np.diff(lines, axis=1))
    mid, left, right = diff[:, 1:-1], diff[:, :-2], diff[:, 2:]
    isolated = (mid >= MIN_STEP) & (2 * left <= mid) & (2 * right <= mid)
    counts: npt.NDArray[np.int64] = isolated.sum(axis=0, dtype=np.int64)
    return counts


def _share(per_step: npt.NDArray[np.int64]) -> tuple[float, int]:
    """Share of the counted steps on a block boundary, and their number; entry ``i`` is the
    step after pixel ``i + 1``, which is a boundary when ``i + 2`` is divisible by 8."""
    total = int(per_step.sum())
    on_grid = int(per_step[(np.arange(per_step.size) + 2) % BLOCK == 0].sum())
    return (on_grid / total if total else 0.0), total


def blockiness(arr: Levels) -> float:
    """How strongly ``arr`` shows JPEG's block grid: 0.125 for none, up to 1 (steps only there).

    Measured along both axes, as the share of isolated grey-level steps that lie on the 8-pixel
    block boundaries; a page resized or cropped after compression loses the alignment and
    scores like an uncompressed one. Counted a band of rows at a time (plus two rows of
    overlap for the steps down the page), so an 8-bit page is never copied whole as floats.
    """
    height, width = arr.shape
    across = np.zeros(max(0, width - 3), dtype=np.int64)
    down = np.zeros(max(0, height - 3), dtype=np.int64)
    for top in range(0, height, STRIP_ROWS):
        bottom = min(height, top + STRIP_ROWS)
        if width >= 4:
            across += _isolated_steps(arr[top:bottom].astype(np.float32))
        # the down steps after rows top + 1 … bottom need rows top … bottom + 2
        if height >= 4 and top + 1 < height - 2:
            lines = arr[top : min(height, bottom + 3)].astype(np.float32)
            counts = _isolated_steps(lines.T)
            down[top : top + counts.size] += counts
    (share_across, n_across), (share_down, n_down) = _share(across), _share(down)
    if n_across + n_down == 0:
        return 0.0
    return (share_across * n_across + share_down * n_down) / (n_across + n_down)


def smooth_blocking(image: Image.Image) -> Image.Image:
    """``image`` lightly smoothed when it is a blocky JPEG of small text, else itself.

    Heavy JPEG compression leaves 8-pixel blocks whose edges cut through small glyphs; a light
    Gaussian blur (:data:`RADIUS`) melts the steps back into a glyph's grey edge, which
    Tesseract's LSTM reads well. Larger text is left alone (see :data:`SMALL_TEXT`).

    Returns:
        The same object when nothing was done; otherwise an "L" image of the same size.
    """
    arr = levels(image)
    if arr.size == 0 or blockiness(arr) < BLOCKY:
        return image
    letters = x_height(image)
    if letters is None or letters >= SMALL_TEXT:
        return image
    return image.convert("L").filter(ImageFilter.GaussianBlur(RADIUS))
