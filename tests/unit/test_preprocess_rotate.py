"""Client rotation: clockwise, any integer, corners in the paper colour."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ocrhive.preprocess.rotate import paper_colour, rotate


def _marked() -> Image.Image:
    image = Image.new("L", (40, 20), 255)
    image.putpixel((0, 0), 0)  # top-left marker
    return image


@pytest.mark.parametrize(
    ("degrees", "size", "marker"),
    [(90, (20, 40), (19, 0)), (180, (40, 20), (39, 19)), (270, (20, 40), (0, 39))],
)
def test_quarter_turns_are_clockwise_and_lossless(
    degrees: int, size: tuple[int, int], marker: tuple[int, int]
) -> None:
    out = rotate(_marked(), degrees)
    assert out.size == size
    assert out.getpixel(marker) == 0


@pytest.mark.parametrize(("given", "same_as"), [(-90, 270), (450, 90), (360, 0), (-720, 0)])
def test_any_integer_is_normalised(given: int, same_as: int) -> None:
    assert rotate(_marked(), given).tobytes() == rotate(_marked(), same_as).tobytes()


def test_zero_returns_the_same_image() -> None:
    image = _marked()
    assert rotate(image, 0) is image


@pytest.mark.parametrize(("mode", "paper"), [("L", 180), ("RGB", (230, 220, 190))])
def test_free_angles_fill_corners_with_paper(mode: str, paper: int | tuple[int, ...]) -> None:
    image = Image.new(mode, (200, 100), paper)
    out = rotate(image, 10)
    assert out.size[0] > 200 and out.size[1] > 100
    corner = out.getpixel((0, 0))
    assert corner == paper
    assert paper_colour(image) == paper


def test_bilevel_images_rotate_without_error() -> None:
    out = rotate(Image.new("1", (50, 50), 1), 5)
    assert out.mode == "L"
    assert np.asarray(out).min() == 255
