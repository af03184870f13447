"""Dark scanner borders: finding the scanner lid or table around the paper, painting it paper."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

from ocrhive.preprocess.contrast import DARK_PAGE, Gray

Mask = npt.NDArray[np.bool_]
Grey8 = npt.NDArray[np.uint8]

#: The border is looked for on a copy about this many pixels on the long side: strokes of
#: ordinary print blur to grey there, while the scanner's background stays black.
WORK_SIDE = 400
#: A border starts where the image is black: darker than this fraction of the paper level. The
#: scanner lid around the dev receipts measured 0–6 % of the paper; the dark corner of a
#: shadowed page (paper at 15–30 % brightness, with its text) must never qualify.
BLACK = 0.1
#: … and takes with it the dark pixels connected to it, darker than this fraction: the ragged,
#: JPEG-blurred edge of torn paper. Faded thermal ink (60–70 % of the paper) never qualifies.
DARK = 0.45
#: Only dark regions at least this thick (pixels of the working copy, ≈ 20 px of a 1600-px
#: receipt) seed a border, so glyphs, rules and bold headings are never taken for one.
THICK = 5
#: A border touching dark regions covering more than this share of the page is the page itself
#: (a photo, light text on dark ground): nothing is painted then.
MAX_SHARE = 0.5
#: Borders smaller than this share of the page are left as they are: they cannot move the
#: engine's global threshold or the ink level of the stretch, and any change to a page is a
#: gamble with Tesseract's layout analysis (painting a 0.2 % corner of one dev receipt moved its
#: CER from 0.39 to 0.61). The dark borders that mattered covered 2–4 %.
MIN_SHARE = 0.01
#: How far (working-copy pixels) the painted area reaches past the dark region, to take the
#: grey, JPEG-blurred fringe of a torn paper edge with it.
FRINGE = 1


def _shrink(arr: Gray | Grey8) -> tuple[Gray, int]:
    factor = max(1, round(max(arr.shape) / WORK_SIDE))
    if factor == 1:
        return arr.astype(np.float32), 1
    size = (max(1, arr.shape[1] // factor), max(1, arr.shape[0] // factor))
    # 8-bit pages shrink as 8-bit: a float copy of a 100 MP page is 400 MB, and the averages
    # only lose half a grey level to rounding
    mode = "L" if arr.dtype == np.uint8 else "F"
    small = Image.fromarray(arr, mode).resize(size, Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32), factor


def _dilate(mask: Mask, size: int) -> Mask:
    image = Image.fromarray(mask.astype(np.uint8) * 255, "L").filter(ImageFilter.MaxFilter(size))
    grown: Mask = np.asarray(image) > 0
    return grown


def _reconstruct(seed: Mask, within: Mask) -> Mask:
    """Every pixel of ``within`` connected (4-neighbours) to ``seed``; morphological
    reconstruction by repeated one-pixel growth, which on a ~400-px copy takes at most a few
    hundred cheap steps."""
    region = seed & within
    while True:
        grown = region.copy()
        grown[1:] |= region[:-1]
        grown[:-1] |= region[1:]
        grown[:, 1:] |= region[:, :-1]
        grown[:, :-1] |= region[:, 1:]
        grown &= within
        if np.array_equal(grown, region):
            return region
        region = grown


def dark_border(arr: Gray | Grey8) -> Mask:
    """Where ``arr`` (grey levels) shows the scanner's dark background around the paper.

    A border is a black region thicker than any stroke that touches the image's edge, together
    with everything dark connected to it (the ragged edge of torn receipt paper) and a thin
    fringe. Blank masks come back for pages without one, for dark pages (light text on a dark
    ground), for borders too small to matter (:data:`MIN_SHARE`) and when the "border" would be
    most of the image.

    Args:
        arr: the page's grey levels, 0 black … 255 white.

    Returns:
        A boolean mask the size of ``arr``, True on the border.
    """
    empty = np.zeros(arr.shape, dtype=np.bool_)
    if arr.size == 0 or min(arr.shape) < 3 * THICK:
        return empty
    small, factor = _shrink(arr)
    paper = float(np.percentile(small, 90))
    if paper < DARK_PAGE:
        return empty
    dark: Mask = small < DARK * paper
    # windows of THICK² pixels that are black throughout (an erosion of the black pixels)
    eroded = ~_dilate(~(small < BLACK * paper), THICK)
    frame = np.zeros_like(dark)
    frame[:THICK, :] = frame[-THICK:, :] = True
    frame[:, :THICK] = frame[:, -THICK:] = True
    seed = _dilate(eroded & frame, THICK) & dark
    if not seed.any():
        return empty
    region = _reconstruct(seed, dark)
    if not MIN_SHARE <= region.mean() <= MAX_SHARE:
        return empty
    region = _dilate(region, 2 * FRINGE + 1)
    full = Image.fromarray(region.astype(np.uint8) * 255, "L").resize(
        (region.shape[1] * factor, region.shape[0] * factor), Image.Resampling.NEAREST
    )
    mask: Mask = np.zeros(arr.shape, dtype=np.bool_)
    big = np.asarray(full) > 0
    rows, cols = min(arr.shape[0], big.shape[0]), min(arr.shape[1], big.shape[1])
    mask[:rows, :cols] = big[:rows, :cols]
    # the last rows and columns a whole-factor shrink dropped take their neighbours' verdict
    if rows < arr.shape[0]:
        mask[rows:, :] = mask[rows - 1 : rows, :]
    if cols < arr.shape[1]:
        mask[:, cols:] = mask[:, cols - 1 : cols]
    return mask


def clear_dark_border(image: Image.Image) -> Image.Image:
    """``image`` with its dark scanner border painted in the paper's grey.

    A black lid or torn-paper edge around a pale receipt made Tesseract's global threshold fall
    between black and paper, so the faded ink counted as paper and nothing was read at all; the
    contrast stretch likewise took the border for the darkest ink.

    Returns:
        The same object when there is no border; otherwise an "L" image of the same size.
    """
    arr: Grey8 = np.asarray(image if image.mode == "L" else image.convert("L"))
    mask = dark_border(arr)
    if not mask.any():
        return image
    # the median of what is left is paper: ink covers far less than half of a document
    paper = float(np.median(arr[~mask]))
    out = arr.copy()
    out[mask] = np.uint8(round(min(max(paper, 0.0), 255.0)))
    return Image.fromarray(out, "L")
