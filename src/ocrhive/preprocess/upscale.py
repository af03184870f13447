"""Enlargement of small text to the size Tesseract reads best, decided from measured x-height."""

from __future__ import annotations

from PIL import Image

from ocrhive.preprocess.textsize import x_height

#: Pages whose lowercase letters are at least this tall (pixels) are left alone.
MIN_X_HEIGHT = 14.0
#: Small text is enlarged so its lowercase letters become about this tall.
TARGET_X_HEIGHT = 22.0
#: Never enlarge more than this, whatever the measurement says.
MAX_FACTOR = 4.0
#: Never produce more pixels than this (memory and engine time grow with it).
MAX_PIXELS = 40_000_000


def upscale_factor(image: Image.Image) -> float:
    """How much to enlarge ``image``: 1.0 when its text is large enough or cannot be measured."""
    room = (MAX_PIXELS / max(1, image.width * image.height)) ** 0.5
    if room < 1.25:
        # no room for the smallest step: measuring a huge page's letters would be wasted work
        return 1.0
    measured = x_height(image)
    if measured is None or measured >= MIN_X_HEIGHT:
        return 1.0
    factor = min(TARGET_X_HEIGHT / max(measured, 1.0), MAX_FACTOR, room)
    # quarter steps keep reported scales and dpi values readable
    factor = int(factor * 4) / 4
    return factor if factor > 1.0 else 1.0


def upscale(image: Image.Image) -> tuple[Image.Image, float]:
    """``image`` enlarged so small text reaches :data:`TARGET_X_HEIGHT`, and the factor used.

    Returns:
        The image (the same object when nothing was done) and the scale factor (1.0 then).
    """
    factor = upscale_factor(image)
    return enlarge(image, factor), factor


def enlarge(image: Image.Image, factor: float) -> Image.Image:
    """``image`` scaled by ``factor`` (Lanczos); the same object for a factor of 1."""
    if factor == 1.0:
        return image
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.LANCZOS)
