"""What preprocessing did to a page's geometry (quarter turn, deskew, scale), and boxes found on
the preprocessed page mapped back to the image the client sent."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ocrhive.domain.document import BBox


@dataclass(frozen=True, kw_only=True)
class Turns:
    """What preprocessing did to a page's geometry, in order: a quarter-turn (``turn`` degrees
    clockwise), a deskew (``skew`` degrees clockwise, canvas expanded), then a ``scale``."""

    source_size: tuple[int, int]
    turn: int = 0
    skew: float = 0.0
    scale: float = 1.0
    final_size: tuple[int, int] = (0, 0)


def _rotate_about(
    x: float, y: float, degrees: float, src: tuple[float, float], dst: tuple[float, float]
) -> tuple[float, float]:
    """(x, y) around ``src``'s centre by ``degrees`` clockwise (y down), re-centred on ``dst``."""
    rad = math.radians(degrees)
    dx, dy = x - src[0] / 2, y - src[1] / 2
    return (
        dst[0] / 2 + dx * math.cos(rad) - dy * math.sin(rad),
        dst[1] / 2 + dx * math.sin(rad) + dy * math.cos(rad),
    )


def rotated_size(size: tuple[int, int], degrees: float) -> tuple[int, int]:
    """The canvas size of an image of ``size`` rotated by ``degrees`` with the canvas expanded."""
    degrees %= 360
    if degrees in (0, 180):
        return size
    if degrees in (90, 270):
        return size[1], size[0]
    rad = math.radians(degrees)
    cos, sin = abs(math.cos(rad)), abs(math.sin(rad))
    return (
        math.ceil(size[0] * cos + size[1] * sin - 1e-6),
        math.ceil(size[0] * sin + size[1] * cos - 1e-6),
    )


def to_source(box: BBox, turns: Turns) -> BBox:
    """``box`` (on the preprocessed image) as a box on the source image, clipped to it."""
    w0, h0 = turns.source_size
    turned = (h0, w0) if turns.turn % 180 == 90 else (w0, h0)
    deskewed = (turns.final_size[0] / turns.scale, turns.final_size[1] / turns.scale)
    xs: list[float] = []
    ys: list[float] = []
    corners: tuple[tuple[float, float], ...] = (
        (box.left, box.top),
        (box.right, box.top),
        (box.left, box.bottom),
        (box.right, box.bottom),
    )
    for cx, cy in corners:
        x, y = cx / turns.scale, cy / turns.scale
        if turns.skew:
            x, y = _rotate_about(x, y, -turns.skew, deskewed, turned)
        if turns.turn % 360:
            x, y = _rotate_about(x, y, -(turns.turn % 360), turned, (w0, h0))
        xs.append(x)
        ys.append(y)
    return BBox(
        left=max(0, math.floor(min(xs))),
        top=max(0, math.floor(min(ys))),
        right=min(w0, math.ceil(max(xs))),
        bottom=min(h0, math.ceil(max(ys))),
    )
