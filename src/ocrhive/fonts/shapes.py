"""Word shapes: the ink of a word crop and of the same word rendered in a reference face, brought
to one height, and how far apart they are."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from ocrhive.preprocess.contrast import ink_and_paper

Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float32]

#: Words are compared at this ink height (pixels). 40 px keeps serifs and stroke contrast of
#: text scanned at 200–300 dpi (x-height 15–30 px) without inventing detail.
HEIGHT = 40
#: Reference words are rendered at this size (pixels per em) and scaled down, so one render
#: serves every size the word may be found in.
RENDER_PX = 96
#: A crop whose ink and paper differ by fewer grey levels than this holds no readable word.
MIN_CONTRAST = 40.0


@dataclass(frozen=True, kw_only=True)
class Shape:
    """A word's ink at :data:`HEIGHT` pixels high, and the proportions of its ink box."""

    mask: Mask
    #: ink box width / height before scaling
    aspect: float
    #: share of the ink box that is ink (stroke weight)
    fill: float


def _trimmed(mask: Mask) -> Mask | None:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return None
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _scaled(mask: Mask, width: int, height: int) -> Mask:
    resized = cv2.resize(mask.astype(np.float32), (width, height), interpolation=cv2.INTER_AREA)
    scaled: Mask = resized >= 0.5
    return scaled


def shape_of(mask: Mask) -> Shape | None:
    """The :class:`Shape` of the ink in ``mask`` (None when there is none)."""
    ink = _trimmed(mask)
    if ink is None or ink.shape[0] < 2:
        return None
    aspect = ink.shape[1] / ink.shape[0]
    width = max(1, round(aspect * HEIGHT))
    normal = _scaled(ink, width, HEIGHT)
    return Shape(mask=normal, aspect=aspect, fill=float(normal.mean()))


def crop_shape(grey: npt.NDArray[np.float32]) -> Shape | None:
    """The word in a grey crop (dark ink on light paper), or None for a crop without contrast.

    The ink is what is darker than halfway between solid ink and paper: where a blurred edge
    crosses half its height, which is where the reference renderings are cut too (half
    coverage). Otsu's threshold sits nearer the paper on small blurred words and made regular
    text look bold.
    """
    ink, paper = ink_and_paper(grey)
    if paper - ink < MIN_CONTRAST:
        return None
    return shape_of(grey < (ink + paper) / 2)


@lru_cache(maxsize=64)
def _font(path: Path) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), RENDER_PX)


# a task compares up to 24 words × 44 faces; 1024 shapes of ~8 kB keep a worker ~8 MB larger
@lru_cache(maxsize=1024)
def rendered_shape(path: Path, text: str) -> Shape | None:
    """``text`` set in the font file at ``path``, as a :class:`Shape`."""
    font = _font(path)
    left, top, right, bottom = font.getbbox(text)
    pad = RENDER_PX // 4
    canvas = Image.new("L", (int(right - left) + 2 * pad, int(bottom - top) + 2 * pad), 0)
    ImageDraw.Draw(canvas).text((pad - left, pad - top), text, font=font, fill=255)
    return shape_of(np.asarray(canvas) >= 128)


def _distance_to_ink(mask: Mask) -> Floats:
    # distance of every pixel to the nearest ink pixel (0 on ink)
    paper = np.where(mask, 0, 255).astype(np.uint8)
    distances = cv2.distanceTransform(paper, cv2.DIST_L2, 3)
    return np.asarray(distances, dtype=np.float32)


@dataclass(frozen=True, kw_only=True)
class Difference:
    """How a word crop differs from a rendering, in three measures (0: identical)."""

    #: mean distance between the two inks, in :data:`HEIGHT` units (both ways, averaged)
    outline: float
    #: |log| of the ratio of the ink boxes' proportions: set widths differ between families
    width: float
    #: |log| of the ratio of the ink shares: stroke weight
    weight: float


def difference(word: Shape, reference: Shape) -> Difference:
    """How far ``reference`` is from ``word``, once stretched onto the word's ink box."""
    height, width = word.mask.shape
    stretched = _scaled(reference.mask, width, height)
    width_change = abs(float(np.log(reference.aspect / word.aspect)))
    if not stretched.any():
        return Difference(outline=1.0, width=width_change, weight=1.0)
    to_word = _distance_to_ink(word.mask)
    to_reference = _distance_to_ink(stretched)
    outline = 0.5 * (float(to_word[stretched].mean()) + float(to_reference[word.mask].mean()))
    fill = float(stretched.mean())
    return Difference(
        outline=outline / HEIGHT,
        width=width_change,
        weight=abs(float(np.log(max(fill, 1e-3) / max(word.fill, 1e-3)))),
    )
