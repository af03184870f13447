"""Measurements of the text on a page: which pixels are ink, how tall lowercase letters are."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image

from ocrhive.preprocess.contrast import NOISY, Lighting, divided, levels, noise_of
from ocrhive.preprocess.strips import boxed, sample

Mask = npt.NDArray[np.bool_]

#: A page whose darkest pixels are within this fraction of the paper has no ink worth measuring.
MIN_CONTRAST = 0.08
#: Vertical strips the x-height is measured in, so lines of neighbouring columns do not merge.
STRIPS = 4
#: A row belongs to a line's lowercase body when it holds this fraction of the line's peak ink:
#: the peaks sit on the baseline and x-line (horizontal strokes), body rows hold ~⅓ of that,
#: ascender and descender rows far less.
BODY = 0.2


def ink_mask(image: Image.Image) -> Mask:
    """True where ``image`` has ink: darker than halfway between paper and the darkest ink.

    Works on the lighting-normalised page, so shadows and faded print are measured like clean
    print; light-on-dark pages are inverted first. A blank page gives an all-False mask. The
    only page-sized array is the mask itself: the normalised page exists a band at a time.
    """
    arr = levels(image)
    if arr.size == 0:
        return np.zeros(arr.shape, dtype=np.bool_)
    lighting = Lighting(arr)
    norm = divided(lighting.page, None if lighting.facts.dark else lighting.background)
    if float(np.median(sample(norm))) < 0.5:
        norm = norm.map(lambda band: 1.0 - band)
    if noise_of(norm) > NOISY:
        norm = boxed(boxed(norm, 1), 1)
    ink = float(np.percentile(sample(norm), 1.0))
    if 1.0 - ink < MIN_CONTRAST:
        return np.zeros(arr.shape, dtype=np.bool_)
    mask: Mask = np.empty(arr.shape, dtype=np.bool_)
    for top, band in norm.bands():
        mask[top : top + band.shape[0]] = band < 1.0 - 0.5 * (1.0 - ink)
    return mask


def _band_x_heights(profile: npt.NDArray[np.int64], min_ink: int) -> list[int]:
    """x-heights of the text lines in one strip's row profile (rows dense with ink)."""
    rows = profile >= min_ink
    heights: list[int] = []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], rows.astype(np.int8), [0]))))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        band = profile[start:stop]
        if stop - start < 2:
            continue
        # the lowercase body is where a line's ink is densest: ascenders and descenders are few
        heights.append(int(np.count_nonzero(band >= BODY * band.max())))
    return heights


def x_height(image: Image.Image) -> float | None:
    """The median height of lowercase letters in pixels, or None when no text lines are found.

    Measured from horizontal projection profiles of the ink in a few vertical strips: each run of
    inked rows is a text line, and the rows holding a good share of its peak ink are its body.
    Lines that touch merge and read taller, which errs towards "big enough" (no enlargement).
    Assumes the text is roughly horizontal (run it after deskew).
    """
    mask = ink_mask(image)
    width = mask.shape[1]
    if not mask.any():
        return None
    heights: list[int] = []
    step = max(1, -(-width // STRIPS))
    for left in range(0, width, step):
        strip = mask[:, left : left + step]
        profile = strip.sum(axis=1).astype(np.int64)
        if profile.max() == 0:
            continue
        # a row with a speck or two of noise is not part of a line
        heights.extend(_band_x_heights(profile, max(1, int(0.02 * strip.shape[1]))))
    if len(heights) < 3:
        return None
    return float(np.median(heights))
