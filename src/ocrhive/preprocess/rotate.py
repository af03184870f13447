"""Rotation by a client-given number of degrees, clockwise, corners filled with the paper colour."""

from __future__ import annotations

from typing import cast

import numpy as np
from PIL import Image

#: Modes Pillow rotates with bicubic resampling and a fill colour; others are converted first.
_ROTATABLE = frozenset({"L", "RGB", "RGBA", "I", "F"})

_TRANSPOSES = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def paper_colour(image: Image.Image) -> int | tuple[int, ...]:
    """The page's background colour: the per-channel median of its border pixels."""
    arr = np.asarray(image)
    channels = arr.shape[2:]
    border = np.concatenate(
        [
            arr[0].reshape(-1, *channels),
            arr[-1].reshape(-1, *channels),
            arr[:, 0].reshape(-1, *channels),
            arr[:, -1].reshape(-1, *channels),
        ]
    )
    median = np.median(border, axis=0)
    if np.ndim(median) == 0:
        return int(median)
    return tuple(int(v) for v in median)


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """``image`` turned ``degrees`` clockwise; multiples of 90 are lossless transposes.

    Other angles enlarge the canvas so no ink is cut off, and the exposed corners take the
    paper colour: white or black corners on a grey or yellowed page were read as text edges and
    cost tens of CER points.
    """
    degrees = degrees % 360
    if degrees == 0:
        return image
    if degrees in _TRANSPOSES:
        return image.transpose(_TRANSPOSES[int(degrees)])
    if image.mode not in _ROTATABLE:
        image = image.convert("L" if image.mode in ("1", "LA") else "RGB")
    # Pillow's stubs list fixed-length tuples; the colour has one entry per band of ``image``
    fill = cast("int | tuple[int, int, int]", paper_colour(image))
    # Pillow turns counter-clockwise for positive angles
    return image.rotate(-degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
