"""The last fraction of a degree of skew, which the page deskew leaves (it acts from 1°) but a
grid of lines or columns of words does not forgive."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from ocrhive.preprocess.deskew import estimate_skew
from ocrhive.preprocess.rotate import rotate
from ocrhive.preprocess.textsize import ink_mask

#: A table at most this far turned is levelled here; farther is the page deskew's business.
LIMIT = 3.0
#: Smaller residues are left alone: 0.1° moves a 2000-pixel-wide rule by 3.5 pixels.
MIN_ANGLE = 0.1
#: Horizontal ink runs at least this long (pixels) are taken for pieces of ruling lines.
RUN = 30
#: A ruling line must be this long to vote on the angle.
MIN_RULE = 150

Ink = npt.NDArray[np.uint8]


def ink(image: Image.Image) -> Ink:
    """255 where ``image`` has ink, 0 elsewhere."""
    return ink_mask(image).astype(np.uint8) * 255


def rule_angle(mask: Ink) -> float | None:
    """The clockwise angle of the page's long horizontal rules, length-weighted; None without.

    Each rule's centre line is fitted by least squares, so the angle is as exact as the rule is
    long: a fraction of a pixel over a thousand pixels.
    """
    pieces = cv2.morphologyEx(
        mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (RUN, 1))
    )
    count, labels, stats, _ = cv2.connectedComponentsWithStats(pieces, connectivity=8)
    angles: list[float] = []
    weights: list[float] = []
    for index in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[index])
        if w < MIN_RULE or h > w * np.tan(np.radians(LIMIT)) + 12:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == index)
        slope = float(np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0])
        angles.append(float(np.degrees(np.arctan(slope))))
        weights.append(float(w))
    if not angles:
        return None
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    return angles[int(order[np.searchsorted(cumulative, cumulative[-1] / 2)])]


def level(image: Image.Image) -> tuple[Image.Image, float]:
    """``image`` turned so its rules (or, without rules, its text rows) are horizontal.

    Returns:
        The image (the same object when nothing was done) and the clockwise degrees applied.
    """
    angle = rule_angle(ink(image))
    if angle is None:
        estimate = estimate_skew(image, limit=LIMIT)
        if estimate is None or not estimate.confident:
            return image, 0.0
        angle = estimate.angle
    if abs(angle) < MIN_ANGLE or abs(angle) > LIMIT:
        return image, 0.0
    return rotate(image, -angle), -angle
