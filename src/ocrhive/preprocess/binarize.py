"""Adaptive black-and-white conversion: Sauvola thresholds on a lighting-normalised page."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ocrhive.preprocess.contrast import (
    NOISY,
    Gray,
    box_mean,
    estimate_background,
    flatten,
    grey,
    relative_noise,
)

#: Sauvola's sensitivity: lower keeps more faint ink. 0.2 is the usual value for documents.
K = 0.2
#: Sauvola's dynamic range of the standard deviation, in grey levels.
R = 128.0
#: A page whose paper brightness varies less than this (5th–95th percentile, grey levels) …
EVEN_LIGHT = 24.0
#: … whose ink and paper (Otsu's class means) lie at least this far apart, and which is not
#: grainy, is only stretched (paper white, ink black): thresholding it only removed the grey edges
#: of small and JPEG-blurred glyphs that the engine reads (measured CER ×1.3–1.4 on small fonts,
#: ×2.3–3.7 on JPEG pages, "India" read "Indla" on clean scans).
STRONG_CONTRAST = 100.0


def otsu(arr: Gray) -> tuple[float, float, float]:
    """Otsu's global threshold of ``arr`` and the mean grey of the dark and light classes."""
    hist = np.bincount(np.clip(arr, 0, 255).astype(np.uint8).ravel(), minlength=256)
    levels = np.arange(256, dtype=np.float64)
    weight = hist.cumsum().astype(np.float64)
    total = weight[-1]
    mass = (hist * levels).cumsum()
    dark = weight
    light = total - weight
    with np.errstate(divide="ignore", invalid="ignore"):
        dark_mean = mass / dark
        light_mean = (mass[-1] - mass) / light
        between = dark * light * (dark_mean - light_mean) ** 2
    between = np.nan_to_num(between)
    t = int(np.argmax(between))
    if dark[t] == 0 or light[t] == 0:
        return float(t), float(t), float(t)
    return float(t) + 0.5, float(dark_mean[t]), float(light_mean[t])


def evenly_lit_and_clear(arr: Gray) -> bool:
    """Whether a single global threshold separates ink from paper everywhere on the page."""
    background = estimate_background(arr)
    spread = float(np.percentile(background, 95) - np.percentile(background, 5))
    if spread >= EVEN_LIGHT:
        return False
    _, dark, light = otsu(arr)
    if light - dark < STRONG_CONTRAST:
        return False
    norm: Gray = np.clip(arr / np.maximum(background, 1.0), 0.0, 1.0).astype(np.float32)
    return relative_noise(norm) <= NOISY


def window_radius(shape: tuple[int, ...]) -> int:
    """Half the side of the local window: ~1/60 of the page's long side, at least 8 pixels.

    Because the background has already been divided out, the window only needs to span a few
    characters; a smaller one hollowed out bold headings.
    """
    return max(8, round(max(shape) / 60))


def binarize(image: Image.Image, *, k: float = K, radius: int | None = None) -> Image.Image:
    """Ink black (0), everything else white (255), thresholded locally where it has to be.

    An evenly lit, clear page is only stretched so its paper is white and its ink black, grey
    glyph edges kept: the switch must never make such a page worse.
    Shadows, coloured or tinted paper and fading are removed first by the contrast correction
    (:func:`ocrhive.preprocess.contrast.flatten`: background division, light smoothing of grain,
    capped stretch); then each pixel is compared with Sauvola's threshold
    ``m·(1 + k·(s/R − 1))`` over its window, where ``m`` and ``s`` come from integral images,
    so the cost does not depend on the window.

    Args:
        image: any Pillow image.
        k: Sauvola's sensitivity.
        radius: half-window in pixels; chosen from the page size when omitted.

    Returns:
        An "L" image the size of ``image``: only 0 and 255, or (for a page that was already
        clean) white paper, black ink and grey glyph edges.
    """
    if image.mode == "1":
        return image.convert("L")
    arr = grey(image)
    if arr.size == 0:
        return image.convert("L")
    if evenly_lit_and_clear(arr):
        # already dark ink on even paper: paper to white and ink to black by a linear stretch,
        # keeping the grey edges of small and blurred glyphs that Tesseract's LSTM reads and
        # any threshold would throw away
        _, dark, light = otsu(arr)
        stretched = (arr - dark) * (255.0 / (light - dark))
        return Image.fromarray(np.clip(stretched, 0, 255).round().astype(np.uint8), "L")
    # Sauvola's fixed range R leaves faded print (ink at 85 % of the paper) entirely white:
    # threshold the contrast-corrected page instead
    page = flatten(arr) * np.float32(255.0)
    half = radius if radius is not None else window_radius(page.shape)
    mean = box_mean(page, half)
    square = box_mean(page * page, half)
    deviation = np.sqrt(np.maximum(square - mean * mean, 0.0))
    threshold = mean * (1.0 + k * (deviation / R - 1.0))
    out = np.where(page > threshold, 255, 0).astype(np.uint8)
    return Image.fromarray(out, "L")
