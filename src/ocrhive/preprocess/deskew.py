"""Skew detection by projection profiles (coarse-to-fine) and the correcting rotation."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

from ocrhive.preprocess.rotate import rotate
from ocrhive.preprocess.textsize import ink_mask

#: The search range, degrees either way (the API promises deskew for tilts up to 15°).
LIMIT = 15.0
#: Pages are measured at most this many pixels on the long side: plenty for ±0.05°.
MEASURE_SIDE = 1600
#: A first glance measures the page at most this many pixels on the long side (a quarter of the
#: pixels: finding the ink is what costs, ~0.3 s of a 300-dpi A4 page at ``MEASURE_SIDE``) ...
GLANCE_SIDE = 800
#: ... and when it sees clear rows of ink within this many degrees of level, the page is left
#: as it is without the full measurement: half of ``MIN_ANGLE``, several times the glance's
#: resolution (one pixel over a ~500-px line at that size is ~0.1°).
LEVEL = 0.5
#: At most this many ink pixels enter the profile; more only costs time.
MAX_POINTS = 120_000
#: Smaller corrections are not applied: Tesseract reads such pages as well, and the resampling
#: a rotation needs would only soften the glyphs.
MIN_ANGLE = 1.0
#: The best angle's profile must be this much sharper than the unrotated page's, and this much
#: sharper than a typical angle's, or the estimate is not trusted (pictures, blank pages,
#: vertical text).
MIN_GAIN = 0.1
MIN_PEAK = 4.0

Points = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class SkewEstimate:
    """How far the text lines are turned, and how sure the search is."""

    #: clockwise degrees the text lines are turned from horizontal
    angle: float
    #: profile sharpness at ``angle`` over that of the page as it is (≥ 1)
    gain: float
    #: profile sharpness at ``angle`` over the median over all angles searched (≥ 1)
    peak: float

    @property
    def confident(self) -> bool:
        """Whether the estimate is clear enough to act on."""
        return self.gain >= 1.0 + MIN_GAIN and self.peak >= MIN_PEAK


def _ink_points(image: Image.Image, side: int) -> Points | None:
    scale = min(1.0, side / max(image.size))
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.convert("L").resize(size, Image.Resampling.BOX)
    ys, xs = np.nonzero(ink_mask(image))
    if ys.size < 100:
        return None
    if ys.size > MAX_POINTS:
        # an even stride keeps the result deterministic and the spatial spread intact
        keep = np.linspace(0, ys.size - 1, MAX_POINTS).astype(np.int64)
        ys, xs = ys[keep], xs[keep]
    return np.stack([xs - xs.mean(), ys - ys.mean()]).astype(np.float64)


def _sharpness(points: Points, degrees: float) -> float:
    """Postl's criterion: the sum of squared differences of the profile along ``degrees``."""
    theta = math.radians(degrees)
    offsets = points[1] * math.cos(theta) - points[0] * math.sin(theta)
    bins = (offsets - offsets.min()).astype(np.int64)
    profile = np.bincount(bins).astype(np.float64)
    return float(np.sum(np.diff(profile) ** 2))


def _search(points: Points, angles: npt.NDArray[np.float64]) -> tuple[float, list[float]]:
    scores = [_sharpness(points, float(a)) for a in angles]
    return float(angles[int(np.argmax(scores))]), scores


def estimate_skew(
    image: Image.Image, *, limit: float = LIMIT, side: int = MEASURE_SIDE
) -> SkewEstimate | None:
    """Find the angle that makes the rows of ink sharpest, within ±``limit`` degrees.

    A coarse pass every 0.25° is refined twice (0.05°, then 0.01°) around the best angle.
    The page is measured at most ``side`` pixels on its long side.

    Returns:
        The estimate, or None when the page has too little ink to measure.
    """
    points = _ink_points(image, side)
    if points is None:
        return None
    coarse = np.arange(-limit, limit + 1e-9, 0.25)
    best, scores = _search(points, coarse)
    typical = float(np.median(scores))
    for step, span in ((0.05, 0.25), (0.01, 0.05)):
        best, _ = _search(points, np.arange(best - span, best + span + 1e-9, step))
    best = float(np.clip(best, -limit, limit))
    top = _sharpness(points, best)
    level = _sharpness(points, 0.0)
    return SkewEstimate(
        angle=round(best, 2) + 0.0,  # no "-0.0" in reports
        gain=top / level if level > 0 else math.inf,
        peak=top / typical if typical > 0 else math.inf,
    )


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    """Turn ``image`` so its text lines are horizontal, when the skew is clear and worth fixing.

    Coarse to fine: a glance at a quarter of the pixels ends the search on clearly level pages;
    any other page is measured in full.

    Returns:
        The image (the same object when nothing was done) and the clockwise degrees applied
        (0.0 when nothing was done). Corners exposed by the rotation take the paper colour.
    """
    glance = estimate_skew(image, side=GLANCE_SIDE)
    if glance is not None and glance.peak >= MIN_PEAK and abs(glance.angle) < LEVEL:
        return image, 0.0  # clearly level: the common case costs only the glance
    estimate = estimate_skew(image)
    if estimate is None or not estimate.confident or abs(estimate.angle) < MIN_ANGLE:
        return image, 0.0
    correction = -estimate.angle
    return rotate(image, correction), correction


def line_sharpness(image: Image.Image) -> float:
    """How clearly ``image`` shows horizontal rows of ink (peak over typical, 0 without ink)."""
    estimate = estimate_skew(image)
    return 0.0 if estimate is None else estimate.peak
