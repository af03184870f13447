"""Client rectangles (RecognizeRegions): clipped to the image, read in the order asked for."""

from __future__ import annotations

from collections.abc import Sequence

from ocrhive.domain.recognition import Rect, Region


def clip(rect: Rect, size: tuple[int, int]) -> Rect | None:
    """``rect`` clipped to an image of ``size``; None when nothing of it is inside."""
    left, top = max(0, rect.left), max(0, rect.top)
    right, bottom = min(size[0], rect.right), min(size[1], rect.bottom)
    if right <= left or bottom <= top:
        return None
    return Rect(left=left, top=top, right=right, bottom=bottom)


def ordered(regions: Sequence[Region]) -> list[Region]:
    """Regions by ascending ``order``; equal orders keep the order they were given in."""
    return sorted(regions, key=lambda r: r.order)
