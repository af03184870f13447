"""Dark scanner borders are found and painted paper-grey; shadows and text are left alone."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ocrhive.preprocess.borders import clear_dark_border, dark_border
from tests.unit.preprocess_fixtures import synthetic, text_page


def _faded_receipt() -> Image.Image:
    """Pale thermal print on a receipt lying on a black scanner lid with a torn top edge."""
    page = synthetic.low_contrast(text_page(size_px=40), ink=160, paper=240)
    canvas = Image.new("L", (page.width + 120, page.height + 200), 12)
    canvas.paste(page, (60, 100))
    draw = ImageDraw.Draw(canvas)
    # the torn edge: black teeth biting into the paper's top margin
    for x in range(60, page.width + 60, 40):
        draw.polygon([(x, 100), (x + 20, 130), (x + 40, 100)], fill=12)
    return canvas


def _arr(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def test_black_surround_and_torn_edge_are_found() -> None:
    receipt = _faded_receipt()
    mask = dark_border(_arr(receipt))
    black = _arr(receipt) < 40
    assert np.mean(mask[black]) > 0.99
    # the painted area stays near the paper's edge: the text block is untouched
    text_block = np.zeros_like(mask)
    text_block[100 + 80 : -100 - 80, 60 + 80 : -60 - 80] = True
    assert not mask[text_block].any()


def test_border_is_painted_paper_and_faded_ink_kept() -> None:
    receipt = _faded_receipt()
    out = _arr(clear_dark_border(receipt))
    assert out.shape == _arr(receipt).shape
    assert np.percentile(out, 0.5) > 150  # no black left anywhere
    ink = _arr(receipt) == 160
    assert np.mean(out[ink] == 160) > 0.99


def test_pages_without_a_border_are_returned_untouched() -> None:
    page = text_page()
    assert clear_dark_border(page) is page
    rgb = synthetic.low_contrast(page, ink=150, paper=205).convert("RGB")
    assert clear_dark_border(rgb) is rgb


def test_a_shadowed_corner_is_not_a_border() -> None:
    # a lamp falling to 15 % brightness darkens paper and text, but the paper stays paper
    lit = synthetic.uneven_light(synthetic.low_contrast(text_page(), 40, 235), 0.15)
    assert not dark_border(_arr(lit)).any()


def test_text_running_off_the_edge_is_kept() -> None:
    page = text_page(size_px=44)
    cropped = page.crop((120, 95, page.width, page.height))  # cut through the first line
    assert not dark_border(_arr(cropped)).any()


def test_light_text_on_dark_ground_is_left_alone() -> None:
    inverted = Image.fromarray(255 - np.asarray(text_page()))
    assert clear_dark_border(inverted) is inverted


def test_tiny_images_are_left_alone() -> None:
    assert not dark_border(np.zeros((5, 5), dtype=np.float32)).any()
