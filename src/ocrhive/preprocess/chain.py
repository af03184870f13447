"""The preprocessing chain: Rotate, then contrast → binarization → skew → upsampling."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.preprocess.rotate import rotate


@dataclass(frozen=True, kw_only=True)
class Preprocessed:
    """The image to recognise and what was done to it."""

    image: Image.Image
    #: clockwise degrees applied (client Rotate plus any automatic orientation fix)
    rotation: int = 0
    #: deskew angle applied, degrees
    skew: float = 0.0
    #: how much the image was enlarged
    scale: float = 1.0
    warnings: tuple[str, ...] = ()


def apply(image: Image.Image, settings: RecognitionSettings) -> Preprocessed:
    """Run the steps ``settings`` ask for, in the documented order."""
    rotation = settings.rotate % 360
    image = rotate(image, rotation)
    return Preprocessed(image=image, rotation=rotation)
