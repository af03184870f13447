"""The ImagePNG result: the preprocessed page image as PNG, keeping its bit depth."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image

# modes PNG stores natively; anything else is widened to the nearest of these
_NATIVE = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16"})


def render(images: Sequence[Image.Image], *, dpi: float | None = None) -> bytes:
    """The first image as PNG: bilevel stays 1-bit, grey stays 8-bit grey.

    Aspose's ImagePNG result is one image, so for a multi-page document this is the first
    page; the other pages' images are not returned.

    Args:
        images: The preprocessed page images, in page order.
        dpi: Written to the PNG's ``pHYs`` chunk when given.

    Returns:
        The PNG bytes.

    Raises:
        ValueError: If there is no image.
    """
    if not images:
        raise ValueError("an ImagePNG result needs at least one page image")
    image = images[0]
    if image.mode not in _NATIVE:
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    buffer = io.BytesIO()
    if dpi and dpi > 0:
        image.save(buffer, "PNG", dpi=(dpi, dpi))
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()
