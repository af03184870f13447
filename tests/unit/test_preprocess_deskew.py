"""Deskew finds known skews to a fraction of a degree and never disturbs an upright page."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from ocrhive.preprocess.deskew import deskew, estimate_skew
from tests.unit.preprocess_fixtures import synthetic, text_page


@pytest.mark.parametrize("angle", [3.7, -8.2, 0.6, 14.5])
def test_known_skew_is_recovered(angle: float) -> None:
    estimate = estimate_skew(synthetic.skew(text_page(), angle))
    assert estimate is not None and estimate.confident
    assert estimate.angle == pytest.approx(angle, abs=0.3)


@settings(max_examples=8, deadline=None)
@given(angle=st.floats(min_value=-12.0, max_value=12.0))
def test_any_skew_within_range_is_recovered(angle: float) -> None:
    estimate = estimate_skew(synthetic.skew(text_page(size_px=30, paragraphs=1), angle))
    assert estimate is not None
    assert estimate.angle == pytest.approx(angle, abs=0.3)


def test_deskew_turns_back_and_reports_the_correction() -> None:
    skewed = synthetic.skew(text_page(), -8.2)
    out, applied = deskew(skewed)
    assert applied == pytest.approx(8.2, abs=0.3)
    after = estimate_skew(out)
    assert after is not None and abs(after.angle) < 0.3


def test_faded_noisy_skewed_page_is_measured() -> None:
    page = synthetic.skew(text_page(), 5.0)
    damaged = synthetic.noise(synthetic.low_contrast(page, 170, 200), 6.0, seed=2)
    estimate = estimate_skew(damaged)
    assert estimate is not None and estimate.angle == pytest.approx(5.0, abs=0.3)


def test_upright_page_is_left_exactly_as_it_was() -> None:
    page = text_page()
    out, applied = deskew(page)
    assert out is page and applied == 0.0


@pytest.mark.parametrize("turn", [90, 270])
def test_sideways_page_is_not_deskewed(turn: int) -> None:
    page = synthetic.turn(text_page(), turn)
    out, applied = deskew(page)
    assert out is page and applied == 0.0


def test_blank_page_is_a_no_op() -> None:
    blank = Image.new("L", (800, 600), 240)
    assert estimate_skew(blank) is None
    assert deskew(blank) == (blank, 0.0)


def test_corners_take_the_paper_colour() -> None:
    grey_page = synthetic.low_contrast(text_page(), ink=30, paper=190)
    skewed = grey_page.rotate(-6, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=190)
    out, applied = deskew(skewed)
    assert applied != 0.0
    arr = np.asarray(out)
    corners = [arr[0, 0], arr[0, -1], arr[-1, 0], arr[-1, -1]]
    assert all(abs(int(c) - 190) <= 2 for c in corners)
