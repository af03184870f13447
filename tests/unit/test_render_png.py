"""PNG renderer: the image's own depth is kept, the first page stands for the document."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ocrhive.render import png


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()
    return image


@pytest.mark.parametrize("mode", ["1", "L", "RGB"])
def test_mode_is_kept(mode: str) -> None:
    image = Image.new(mode, (30, 20), "white")
    out = decode(png.render([image]))
    assert out.mode == mode
    assert out.size == (30, 20)


def test_bilevel_is_one_bit_on_disk() -> None:
    data = png.render([Image.new("1", (64, 8), 1)])
    # IHDR: width, height, bit depth, colour type (0 = greyscale)
    assert data[24:26] == bytes([1, 0])


def test_pixels_survive() -> None:
    image = Image.effect_noise((40, 40), 50).convert("L")
    assert decode(png.render([image])).tobytes() == image.tobytes()


def test_first_page_of_several_and_dpi() -> None:
    first = Image.new("L", (10, 10), 0)
    second = Image.new("L", (20, 20), 255)
    out = decode(png.render([first, second], dpi=300))
    assert out.size == (10, 10)
    assert round(out.info["dpi"][0]) == 300


def test_other_modes_are_widened() -> None:
    out = decode(png.render([Image.new("CMYK", (5, 5))]))
    assert out.mode == "RGB"


def test_no_pages_is_an_error() -> None:
    with pytest.raises(ValueError):
        png.render([])
