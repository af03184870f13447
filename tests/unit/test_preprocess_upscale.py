"""Upsampling enlarges small text to a readable size, measured, and leaves large text alone."""

from __future__ import annotations

import pytest
from PIL import Image

from ocrhive.preprocess import upscale as upscale_module
from ocrhive.preprocess.textsize import x_height
from ocrhive.preprocess.upscale import TARGET_X_HEIGHT, upscale, upscale_factor
from tests.unit.preprocess_fixtures import synthetic, text_page


def test_x_height_is_measured_from_the_text() -> None:
    # DejaVu Serif's lowercase body is a bit over half the em
    measured = x_height(text_page(size_px=40))
    assert measured is not None and 18 <= measured <= 24
    small = x_height(synthetic.resample(text_page(size_px=40), 0.25))
    assert small is not None and 4 <= small <= 7


def test_small_text_is_enlarged_towards_the_target() -> None:
    small = synthetic.resample(text_page(size_px=40), 0.25)
    out, factor = upscale(small)
    assert 2.5 <= factor <= 4.0
    assert out.size == (round(small.width * factor), round(small.height * factor))
    after = x_height(out)
    assert after is not None and after == pytest.approx(TARGET_X_HEIGHT, rel=0.35)


def test_large_text_is_left_alone() -> None:
    page = text_page(size_px=40)
    out, factor = upscale(page)
    assert out is page and factor == 1.0


def test_blank_page_is_left_alone() -> None:
    blank = Image.new("L", (400, 300), 255)
    assert upscale(blank) == (blank, 1.0)


def test_pixel_count_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    small = synthetic.resample(text_page(size_px=40), 0.25)
    monkeypatch.setattr(upscale_module, "MAX_PIXELS", small.width * small.height * 2)
    factor = upscale_factor(small)
    assert 1.0 < factor <= 2**0.5
