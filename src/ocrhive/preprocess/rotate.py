"""Rotation by a client-given number of degrees, clockwise, corners filled with the paper colour."""

from __future__ import annotations

import numpy as np
from PIL import Image


def paper_colour(image: Image.Image) -> int | tuple[int, ...]:
    """The page's background colour: the median of its border pixels."""
    arr = np.asarray(image)
    border = np.concatenate(
        [arr[0].reshape(-1, *arr.shape[2:]), arr[-1].reshape(-1, *arr.shape[2:]),
         arr[:, 0].reshape(-1, *arr.shape[2:]), arr[:, -1].reshape(-1, *arr.shape[2:])]
    )
    median = np.median(border, axis=0)
    if np.ndim(median) == 0:
        return int(median)
    return tuple(int(v) for v in median)


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """``image`` turned ``degrees`` clockwise; multiples of 90 are lossless transposes."""
    degrees = degrees % 360
    if degrees == 0:
        return image
    transposes = {
        90: Image.Transpose.ROTATE_270,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }
    if degrees in transposes:
        return image.transpose(transposes[degrees])
    # PIL rotates counter-clockwise for positive angles
    return image.rotate(
        -degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=paper_colour(image)
    )
