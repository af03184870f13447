"""BinarizeImage, DeskewImage, DewarpImage, UpscaleImage: an image → one processed PNG.

The body is ``{image}`` only, so the settings are ignored; the first page of what was sent is
decoded with the operator's limits, processed by a step of :mod:`ocrhive.preprocess`, and
returned as PNG whatever the input format, with its resolution (scaled when enlarged).
"""

from __future__ import annotations

import math

from PIL import Image

from ocrhive.domain.recognition import ArtifactKind, RecognitionSettings
from ocrhive.domain.task import Artifact, Outcome
from ocrhive.ingest.decode import image_dpi
from ocrhive.ingest.pages import PageSource
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.preprocess.binarize import black_and_white
from ocrhive.preprocess.deskew import MIN_PEAK, estimate_skew
from ocrhive.preprocess.dewarp import dewarp as straighten_lines
from ocrhive.preprocess.rotate import rotate
from ocrhive.preprocess.textsize import x_height
from ocrhive.preprocess.upscale import MAX_PIXELS, enlarge, upscale_factor
from ocrhive.render import png

#: DeskewImage corrects tilts from this many degrees: the caller asked for a straight page, so
#: the recognition pipeline's 1° threshold (below which OCR does not care) does not apply.
MIN_DESKEW = 0.1
#: ... and only when a text line drifts at least this many pixels across the page's width:
#: less is within what the measurement can tell on a small image.
MIN_DRIFT = 2.0
#: BinarizeImage warns when lowercase letters are shorter than this (pixels): on generated
#: 100 dpi pages with 5-pixel letters the black-and-white page read worse than the grey one.
SMALL_TEXT = 8.0
#: UpscaleImage enlarges at least this much; pages with small text as much as it needs to reach
#: the x-height Tesseract reads best (:mod:`ocrhive.preprocess.upscale`).
MIN_UPSCALE = 2.0


def _first_page(data: bytes, options: PipelineOptions) -> Image.Image:
    source = PageSource(data, options.limits, all_pages=False)
    try:
        return next(iter(source))
    finally:
        source.close()


def _result(
    image: Image.Image, notes: tuple[str, ...], *, source: Image.Image, scale: float = 1.0
) -> Outcome:
    """One ImagePNG result, with ``source``'s resolution times ``scale`` when it had one."""
    dpi = image_dpi(source)
    data = png.render([image], dpi=dpi * scale if dpi else None)
    return Outcome(results=(Artifact(kind=ArtifactKind.IMAGE_PNG, data=data),), warnings=notes)


def binarize(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """The page in pure black and white (a 1-bit PNG), lighting and background removed first.

    Raises:
        TaskFailed: the image cannot be read or is too large.
    """
    image = _first_page(data, options)
    bilevel = black_and_white(image)
    measured = x_height(image)
    notes: tuple[str, ...] = ()
    if measured is not None and measured < SMALL_TEXT:
        notes = (
            f"Lowercase letters are only about {measured:.0f} px tall: in pure black and white "
            "such small print loses detail that OCR of the grey image would use.",
        )
    return _result(bilevel, notes, source=image)


def deskew(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """The page turned so its text lines are horizontal (tilts up to 15° either way).

    The canvas grows to keep every corner; the exposed corners take the paper colour.

    Raises:
        TaskFailed: the image cannot be read or is too large.
    """
    image = _first_page(data, options)
    estimate = estimate_skew(image)
    if estimate is None or estimate.peak < MIN_PEAK:
        note = "No clear lines of text were found to straighten by; the image is unchanged."
        return _result(image, (note,), source=image)
    # the caller asked for a straight page: the pipeline's demand that the turn be worth it
    # for OCR (a gain over the page as it is) does not apply, only that it shows
    drift = abs(math.tan(math.radians(estimate.angle))) * image.width
    if abs(estimate.angle) < MIN_DESKEW or drift < MIN_DRIFT:
        note = "The text lines are already level; the image is unchanged."
        return _result(image, (note,), source=image)
    turned = rotate(image, -estimate.angle)
    return _result(turned, (f"Deskewed by {-estimate.angle:+.2f}°",), source=image)


def dewarp(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """The page with curved text lines straightened (curled book pages, lens bulge).

    Raises:
        TaskFailed: the image cannot be read or is too large.
    """
    image = _first_page(data, options)
    straight, warp = straighten_lines(image)
    if warp is None:
        note = (
            "No measurable curvature of text lines was found (or too little text to measure "
            "it); the image is unchanged."
        )
        return _result(image, (note,), source=image)
    note = (
        f"Dewarped by up to {warp.largest:.0f} px: a smooth vertical displacement (polynomial "
        f"across and down the page) fitted to {warp.pieces} text line pieces, not a neural "
        "model; sideways stretching of the page is not corrected."
    )
    return _result(straight, (note,), source=image)


def upscale(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """The page enlarged: 2×, or more when its text is small (up to 4×).

    Raises:
        TaskFailed: the image cannot be read or is too large.
    """
    image = _first_page(data, options)
    pixels = image.width * image.height
    room = min(MAX_PIXELS, options.limits.decode.max_pixels) / max(1, pixels)
    factor = max(MIN_UPSCALE, upscale_factor(image))
    # quarter steps, within the pixels this server will hold
    factor = min(factor, int(4 * room**0.5) / 4)
    if factor <= 1.0:
        note = (
            f"The image ({image.width}×{image.height}) is too large to enlarge on this "
            "server; it is unchanged."
        )
        return _result(image, (note,), source=image)
    bigger = enlarge(image, factor)
    note = f"Upscaled {factor:g}× with Lanczos resampling (not a neural model)."
    return _result(bigger, (note,), source=image, scale=factor)
