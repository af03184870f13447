"""The preprocessing chain: Rotate, cleanup, contrast → binarization → skew → upsampling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.preprocess.binarize import binarize
from ocrhive.preprocess.borders import clear_dark_border
from ocrhive.preprocess.contrast import correct_contrast
from ocrhive.preprocess.deskew import deskew
from ocrhive.preprocess.jpeg import smooth_blocking
from ocrhive.preprocess.rotate import rotate
from ocrhive.preprocess.upscale import enlarge, upscale

#: Answers how many degrees clockwise turn a page upright, and how sure it is; None when unsure.
OrientationDetector = Callable[[Image.Image], tuple[int, float] | None]


@dataclass(frozen=True, kw_only=True)
class Preprocessed:
    """The image to recognise and what was done to it."""

    image: Image.Image
    #: clockwise degrees applied (client Rotate plus any automatic orientation fix)
    rotation: int = 0
    #: deskew angle applied, clockwise degrees
    skew: float = 0.0
    #: how much the image was enlarged
    scale: float = 1.0
    warnings: tuple[str, ...] = ()
    #: the same page without its scanner border painted (same geometry), when painting it was
    #: not asked for: painting rescues pale print but moved some crumpled receipts' threshold
    #: the wrong way, so the caller reads both and keeps the surer read
    unpainted: Image.Image | None = None


def _upright_turn(page: Image.Image, detector: OrientationDetector) -> tuple[int, float] | None:
    """The detector's turn for ``page``, when it proposes one.

    No second opinion here: a projection-profile veto on quarter turns rejected 7 correct turns
    of real receipts (monospaced print has character columns as sharp as its rows) and never a
    wrong one; the detector itself demands a clear margin (benchmarks/orientation/README.md).
    """
    found = detector(page)
    if found is None or found[0] % 360 == 0:
        return None
    return found[0] % 360, found[1]


def orients(settings: RecognitionSettings) -> bool:
    """Whether :func:`apply` asks an orientation detector about pages read with ``settings``.

    Only with skew correction on, and never against an explicit Rotate: that is the client's
    decision (``Rotate: 90`` with makeSkewCorrect once came back "Page rotated 270°").
    """
    return settings.skew_correct and settings.rotate % 360 == 0


def apply(
    image: Image.Image,
    settings: RecognitionSettings,
    orientation_detector: OrientationDetector | None = None,
) -> Preprocessed:
    """Run the steps ``settings`` ask for, in the documented order.

    The client's ``Rotate`` comes first, then a dark scanner border around the paper is painted
    paper-grey: such a border made Tesseract's global threshold lose pale print entirely. When
    neither contrast correction nor binarization is asked, the unpainted page is kept too
    (``Preprocessed.unpainted``), turned and scaled alike. When they are asked, heavy JPEG
    blocking on small text is smoothed, since it would otherwise be stretched or thresholded as
    if it were ink. Then, as asked: contrast
    correction, binarization, skew correction (the page is first turned upright by
    ``orientation_detector`` when one is given, then deskewed within ±15°), upsampling.
    Orientation is judged on the page as received, since OSD misjudged binarized receipts with
    high confidence.

    Args:
        image: the decoded page.
        settings: the task's recognition settings.
        orientation_detector: e.g. :class:`ocrhive.engines.orientation.PageOrientation`;
            without one only the ±15° deskew runs.

    Returns:
        The image to recognise, the rotation, skew and scale applied, and human-readable notes.
    """
    notes: list[str] = []
    rotation = settings.rotate % 360
    image = rotate(image, rotation)
    received = image
    cleaning = settings.contrast_correction or settings.binarization
    painted = clear_dark_border(image)
    unpainted = image if painted is not image and not cleaning else None
    image = smooth_blocking(painted) if cleaning else painted
    if settings.contrast_correction:
        image = correct_contrast(image)
    if settings.binarization:
        image = binarize(image)
    skew = 0.0
    if settings.skew_correct:
        guess = orientation_detector if orients(settings) else None
        found = _upright_turn(received, guess) if guess else None
        if found is not None:
            turn, confidence = found
            image = rotate(image, turn)
            unpainted = rotate(unpainted, turn) if unpainted is not None else None
            rotation = (rotation + turn) % 360
            notes.append(
                f"Page rotated {turn}° clockwise to upright orientation "
                f"(confidence {confidence:.1f})"
            )
        image, skew = deskew(image)
        if skew and unpainted is not None:
            unpainted = rotate(unpainted, skew)
        if skew:
            notes.append(f"Deskewed by {skew:+.2f}°")
    scale = 1.0
    if settings.upsampling:
        image, scale = upscale(image)
        unpainted = enlarge(unpainted, scale) if unpainted is not None else None
        if scale != 1.0:
            notes.append(f"Enlarged {scale:g}× for small text")
    return Preprocessed(
        image=image,
        rotation=rotation,
        skew=skew,
        scale=scale,
        warnings=tuple(notes),
        unpainted=unpainted,
    )
