"""DetectRegions' result: the text blocks found, as Aspose's list of rectangles."""

from __future__ import annotations

from collections.abc import Sequence

from ocrhive.domain.document import BBox


def rectangle_list(boxes: Sequence[BBox]) -> bytes:
    """Aspose's DetectRegions payload: a Python-style list ``[[x1, y1, x2, y2], ...]``."""
    return str([[b.left, b.top, b.right, b.bottom] for b in boxes]).encode("ascii")
