"""JPEG blocking: detecting the 8-pixel block grid of heavy compression, smoothing small text."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from ocrhive.preprocess.contrast import Gray, grey
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


def _grid_share(arr: Gray) -> tuple[float, int]:
    """Share of isolated horizontal steps that fall on a block boundary, and how many there are.

    A step is isolated when the differences on either side of it are at most half of it: the
    edge between two flat, differently quantised blocks. Glyph edges are isolated steps too, but
    they fall on every column alike.
    """
    diff = np.abs(np.diff(arr, axis=1))
    if diff.shape[1] < 3:
        return 0.0, 0
    mid, left, right = diff[:, 1:-1], diff[:, :-2], diff[:, 2:]
    isolated = (mid >= MIN_STEP) & (2 * left <= mid) & (2 * right <= mid)
    # diff[:, j] is the step between columns j and j + 1; a boundary has j + 1 divisible by 8
    columns = np.arange(1, diff.shape[1] - 1)
    per_column = isolated.sum(axis=0)
    total = int(per_column.sum())
    on_grid = int(per_column[(columns + 1) % BLOCK == 0].sum())
    return (on_grid / total if total else 0.0), total


def blockiness(arr: Gray) -> float:
    """How strongly ``arr`` shows JPEG's block grid: 0.125 for none, up to 1 (steps only there).

    Measured along both axes, as the share of isolated grey-level steps that lie on the 8-pixel
    block boundaries; a page resized or cropped after compression loses the alignment and
    scores like an uncompressed one.
    """
    across, n_across = _grid_share(arr)
    down, n_down = _grid_share(arr.T)
    if n_across + n_down == 0:
        return 0.0
    return (across * n_across + down * n_down) / (n_across + n_down)


def smooth_blocking(image: Image.Image) -> Image.Image:
    """``image`` lightly smoothed when it is a blocky JPEG of small text, else itself.

    Heavy JPEG compression leaves 8-pixel blocks whose edges cut through small glyphs; a light
    Gaussian blur (:data:`RADIUS`) melts the steps back into a glyph's grey edge, which
    Tesseract's LSTM reads well. Larger text is left alone (see :data:`SMALL_TEXT`).

    Returns:
        The same object when nothing was done; otherwise an "L" image of the same size.
    """
    arr = grey(image)
    if arr.size == 0 or blockiness(arr) < BLOCKY:
        return image
    letters = x_height(image)
    if letters is None or letters >= SMALL_TEXT:
        return image
    return image.convert("L").filter(ImageFilter.GaussianBlur(RADIUS))
