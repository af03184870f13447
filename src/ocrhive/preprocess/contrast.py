"""Local contrast normalisation: divide out the paper's lighting, then stretch what is left."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

Gray = npt.NDArray[np.float32]

#: Below this grey level the page is taken to be light text on a dark ground, which the
#: division by a brightest-neighbourhood background would destroy.
DARK_PAGE = 90.0
#: The stretch never multiplies the remaining contrast by more than this: stronger gains
#: turned scanner noise on blank paper into speckles that Tesseract read as punctuation.
MAX_GAIN = 4.0
#: Relative noise (see :func:`relative_noise`) above which the page is smoothed before the stretch.
NOISY = 0.08
#: A page whose paper brightness varies less than this (5th–95th percentile, grey levels) …
EVEN_LIGHT = 24.0
#: … whose ink and paper (:func:`ink_and_paper`) lie at least this far apart, and which is not
#: grainy, is clear already: contrast correction leaves it alone and binarization only stretches
#: it (paper white, ink black). Thresholding it only removed the grey edges of small and
#: JPEG-blurred glyphs that the engine reads (measured CER ×1.3–1.4 on small fonts, ×2.3–3.7 on
#: JPEG pages, "India" read "Indla" on clean scans); correcting the dev receipts that pass this
#: test moved their CER by −0.06 … +0.23 per receipt at random, × 1.04 on average.
STRONG_CONTRAST = 100.0


def grey(image: Image.Image) -> Gray:
    """``image`` as a float32 luminance array (0 black … 255 white)."""
    if image.mode in ("F", "L"):
        return np.asarray(image, dtype=np.float32)
    return np.asarray(image.convert("L"), dtype=np.float32)


#: Rows per strip for the whole-page filters below: their float64 scratch then costs a few
#: tens of MB however large the page, instead of three float64 copies of it (24 bytes/pixel).
STRIP_ROWS = 256


def box_mean(arr: Gray, radius: int) -> Gray:
    """The mean of each pixel's (2·radius+1)² neighbourhood, edges repeated, via integral images.

    Computed in strips of :data:`STRIP_ROWS` rows, each from its own integral image.
    """
    if radius <= 0:
        return arr.astype(np.float32)
    height, width = arr.shape
    size = 2 * radius + 1
    mean: Gray = np.empty(arr.shape, dtype=np.float32)
    for top in range(0, height, STRIP_ROWS):
        bottom = min(height, top + STRIP_ROWS)
        # one row above the window of the first output row is the integral's zero line
        rows = np.clip(np.arange(top - radius - 1, bottom + radius), 0, height - 1)
        block = np.pad(arr[rows].astype(np.float64), ((0, 0), (radius + 1, radius)), mode="edge")
        np.cumsum(block, axis=0, out=block)
        np.cumsum(block, axis=1, out=block)
        total = block[size:, size:] - block[:-size, size:] - block[size:, :-size]
        total += block[:-size, :-size]
        mean[top:bottom] = total[:, :width] / (size * size)
    return mean


def _block_size(shape: tuple[int, ...]) -> int:
    # ~200 blocks along the long side: coarse enough that a block is wider than a stroke,
    # fine enough to follow a shadow's edge.
    return max(4, round(max(shape) / 200))


def estimate_background(arr: Gray) -> Gray:
    """The paper's brightness at every pixel, as if the ink had been lifted off.

    Each block's 90th percentile (robust to bright speckles) is grown by a 5-block maximum, so a
    block that sits inside a bold glyph takes its neighbours' paper, then smoothed and scaled back.
    """
    height, width = arr.shape
    block = _block_size(arr.shape)
    rows, cols = -(-height // block), -(-width // block)
    coarse = np.empty((rows, cols), dtype=np.float32)
    # one row of blocks at a time: tiling the whole page at once copied it twice more
    for row in range(rows):
        lines = np.clip(np.arange(row * block, (row + 1) * block), 0, height - 1)
        band = np.pad(arr[lines], ((0, 0), (0, cols * block - width)), mode="edge")
        tiles = band.astype(np.float32).reshape(block, cols, block).transpose(1, 0, 2)
        coarse[row] = np.percentile(tiles.reshape(cols, -1), 90, axis=1)
    grown = np.asarray(Image.fromarray(coarse, "F").filter(ImageFilter.MaxFilter(5)))
    smooth = box_mean(box_mean(grown.astype(np.float32), 1), 1)
    size = (cols * block, rows * block)
    full = Image.fromarray(smooth, "F").resize(size, Image.Resampling.BILINEAR)
    return np.asarray(full, dtype=np.float32)[:height, :width]


def normalise(arr: Gray, background: Gray | None = None) -> Gray:
    """``arr`` divided by its background, in 0..1 (paper ≈ 1); unchanged scale for dark pages.

    ``background`` is :func:`estimate_background` of ``arr`` when the caller already has it.
    """
    if background is None:
        background = estimate_background(arr)
    if float(np.median(background)) < DARK_PAGE:
        background = np.full_like(arr, 255.0)
    norm: Gray = np.clip(arr / np.maximum(background, 1.0), 0.0, 1.0)
    return norm


def relative_noise(norm: Gray) -> float:
    """Pixel noise of a normalised page as a fraction of its ink contrast (0 for clean scans).

    The noise is the robust spread (MAD) of what a 3×3 mean removes; the contrast is paper (1.0)
    minus the ink level of the smoothed page, so faded print with mild grain scores as high as
    strong print under heavy grain.
    """
    residual = norm - box_mean(norm, 1)
    spread = float(1.4826 * np.median(np.abs(residual - np.median(residual))))
    ink = float(np.percentile(box_mean(norm, 1), 0.5))
    return spread / max(1.0 - ink, 0.02)


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


def ink_and_paper(arr: Gray) -> tuple[float, float]:
    """The grey level of solid ink and of paper: Otsu's light class mean for the paper; for the
    ink its dark class mean or the darkest 1 %, whichever is darker.

    Small or blurred glyphs are mostly grey edge, which lifts the dark class mean far above the
    ink (140–155 on the smoothed JPEG pages, whose glyph cores are near 60): judged by the mean,
    such clear pages looked faded and were thresholded, which tripled their CER.
    """
    _, dark, light = otsu(arr)
    return min(dark, float(np.percentile(arr, 1))), light


def evenly_lit_and_clear(arr: Gray, background: Gray | None = None) -> bool:
    """Whether a single global threshold separates ink from paper everywhere on the page."""
    if background is None:
        background = estimate_background(arr)
    spread = float(np.percentile(background, 95) - np.percentile(background, 5))
    if spread >= EVEN_LIGHT:
        return False
    dark, light = ink_and_paper(arr)
    if light - dark < STRONG_CONTRAST:
        return False
    norm: Gray = np.clip(arr / np.maximum(background, 1.0), 0.0, 1.0).astype(np.float32)
    return relative_noise(norm) <= NOISY


def flatten(arr: Gray, background: Gray | None = None) -> Gray:
    """Lighting divided out, grain smoothed when heavy, ink stretched towards 0; in 0..1."""
    norm = normalise(arr, background)
    if relative_noise(norm) > NOISY:
        norm = box_mean(box_mean(norm, 1), 1)
    # the darkest 0.5 % stands for the ink; a blank page has no ink to stretch towards
    ink = min(float(np.percentile(norm, 0.5)), 1.0 - 1.0 / MAX_GAIN)
    stretched: Gray = np.clip((norm - ink) / (1.0 - ink), 0.0, 1.0)
    return stretched


def correct_contrast(image: Image.Image) -> Image.Image:
    """Even out lighting and restore faded print, on pages that need it.

    A page that is evenly lit with clear, dark ink (:func:`evenly_lit_and_clear`) is returned
    untouched: there is nothing to correct, and Tesseract's layout analysis of real receipts
    swung by up to ±0.2 CER on changes of a few grey levels.

    The page is divided by its estimated paper brightness (shadows, gradients, tinted or
    yellowed paper become flat white). Grainy pages (see :func:`relative_noise`) are smoothed
    lightly, because Tesseract's own global threshold turned the grain into thousands of specks
    and read nothing at all. Then the darkest ink is stretched towards black with the gain
    capped at :data:`MAX_GAIN`, so a page that already has full contrast barely changes.

    Args:
        image: any Pillow image.

    Returns:
        ``image`` itself when it is clear already; otherwise an "L" image of the same size,
        paper near 255 and ink darker.
    """
    arr = grey(image)
    if arr.size == 0:
        return image.convert("L")
    background = estimate_background(arr)
    if evenly_lit_and_clear(arr, background):
        return image
    return Image.fromarray((flatten(arr, background) * 255.0).round().astype(np.uint8), "L")
