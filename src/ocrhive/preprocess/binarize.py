"""Adaptive black-and-white conversion: Sauvola thresholds on a lighting-normalised page."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ocrhive.preprocess.borders import clear_dark_border
from ocrhive.preprocess.contrast import Lighting, levels, otsu_of_histogram, to_image
from ocrhive.preprocess.jpeg import smooth_blocking
from ocrhive.preprocess.strips import Gray, Rows, window_mean

#: Sauvola's sensitivity: lower keeps more faint ink. 0.2 is the usual value for documents.
K = 0.2
#: Sauvola's dynamic range of the standard deviation, in grey levels.
R = 128.0


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
    arr = levels(image)
    if arr.size == 0:
        return image.convert("L")
    lighting = Lighting(arr)
    if lighting.evenly_lit_and_clear():
        # already dark ink on even paper: paper to white and ink to black by a linear stretch,
        # keeping the grey edges of small and blurred glyphs that Tesseract's LSTM reads and
        # any threshold would throw away. The ink end lies halfway between Otsu's dark class
        # mean and the solid ink (ink_and_paper): stretching to the mean clipped the strokes of
        # smoothed JPEG text into blobs (a whole line lost once enlarged, CER × 2.2 of raw),
        # stretching to the solid ink left tiny fonts too faint (× 1.09; × 0.94 halfway)
        _, mean_ink, light = otsu_of_histogram(lighting.facts.histogram)
        dark = (mean_ink + lighting.facts.ink_and_paper()[0]) / 2
        gain = 255.0 / (light - dark)
        return to_image(lighting.page, lambda band: (band - dark) * gain)
    # Sauvola's fixed range R leaves faded print (ink at 85 % of the paper) entirely white:
    # threshold the contrast-corrected page instead
    page = lighting.flattened().map(lambda band: band * np.float32(255.0))
    half = radius if radius is not None else window_radius(page.shape)
    return to_image(_sauvola(page, half, k))


def _sauvola(page: Rows, half: int, k: float) -> Rows:
    """255 where ``page`` is lighter than Sauvola's threshold over its window, else 0.

    Each band's window (``half`` rows above and below) is taken once for both the mean and the
    mean square.
    """
    width = page.shape[1]

    def band(top: int, bottom: int) -> Gray:
        window = page.take(top - half - 1, bottom + half)
        mean = window_mean(window, half, width)
        square = window_mean(window * window, half, width)
        deviation = np.sqrt(np.maximum(square - mean * mean, 0.0))
        threshold = mean * (1.0 + k * (deviation / R - 1.0))
        out: Gray = np.where(page.rows(top, bottom) > threshold, np.float32(255.0), np.float32(0.0))
        return out

    return Rows.banded(page.shape, band)


#: Where :func:`black_and_white` cuts the grey glyph edges :func:`binarize` keeps: pixels at
#: least ~⅓ ink become ink. Against cutting halfway (128) on ten generated pages with small or
#: JPEG-damaged text, CER fell on eight (0.37 → 0.17 on 5-pixel letters, 0.074 → 0.054 on
#: heavy JPEG) and rose on two (0.47 → 0.52, 0.007 → 0.012); larger text was read the same.
CUT = 160


def black_and_white(image: Image.Image) -> Image.Image:
    """``image`` as a bilevel (mode "1") page, as the recognition chain would binarize it.

    A dark scanner border is painted paper-grey and heavy JPEG blocking on small text smoothed
    first (as :func:`ocrhive.preprocess.chain.apply` does before cleaning: smoothing halved the
    thresholded JPEG pages' CER); then :func:`binarize`, whose grey glyph edges on an already
    clean page (kept there for OCR) are cut at :data:`CUT`.
    """
    cleaned = binarize(smooth_blocking(clear_dark_border(image)))
    return Image.fromarray(np.asarray(cleaned) >= CUT)
