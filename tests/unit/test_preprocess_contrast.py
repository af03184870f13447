"""Contrast correction restores faded and unevenly lit pages and leaves clean ones alone."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from ocrhive.preprocess.contrast import (
    box_mean,
    correct_contrast,
    evenly_lit_and_clear,
    ink_and_paper,
    normalise,
    otsu,
    relative_noise,
)
from tests.unit.preprocess_fixtures import synthetic, text_page


def _spread(image: Image.Image) -> float:
    arr = np.asarray(image.convert("L"), dtype=np.float64)
    return float(np.percentile(arr, 99) - np.percentile(arr, 1))


def test_box_mean_matches_a_direct_window_mean() -> None:
    arr = np.arange(42, dtype=np.float32).reshape(6, 7)
    assert box_mean(arr, 1)[2, 3] == arr[1:4, 2:5].mean()
    assert box_mean(arr, 1).shape == arr.shape


def test_faded_page_gets_much_more_contrast() -> None:
    faded = synthetic.low_contrast(text_page(), ink=170, paper=205)
    out = correct_contrast(faded)
    assert out.mode == "L" and out.size == faded.size
    assert _spread(out) >= 3 * _spread(faded)


def test_uneven_lighting_is_flattened() -> None:
    page = text_page()
    lit = synthetic.uneven_light(page, darkest=0.25)
    out = np.asarray(correct_contrast(lit), dtype=np.float64)
    paper = np.asarray(page) == 255
    # the paper was 255 → ~64 across the page; afterwards it is one even white
    assert np.percentile(out[paper], 5) > 220
    ink = np.asarray(page) == 0
    assert np.percentile(out[ink], 95) < 100


def test_clean_page_is_almost_unchanged() -> None:
    page = text_page()
    diff = np.abs(np.asarray(correct_contrast(page), dtype=np.int16) - np.asarray(page))
    assert float(diff.mean()) < 1.0


def test_blank_paper_stays_blank() -> None:
    rng = np.random.default_rng(1)
    blank = Image.fromarray((200 + rng.normal(0, 2, (300, 400))).clip(0, 255).astype(np.uint8))
    out = np.asarray(correct_contrast(blank))
    # the stretch gain is capped, so two grey levels of grain cannot become black specks
    assert out.min() > 150


def test_noise_is_measured_relative_to_contrast() -> None:
    page = text_page()
    grainy = synthetic.noise(synthetic.low_contrast(page, 170, 205), 6.0, seed=3)
    assert relative_noise(normalise(np.asarray(page, dtype=np.float32))) < 0.02
    assert relative_noise(normalise(np.asarray(grainy, dtype=np.float32))) > 0.08


def test_colour_input_that_needs_correction_gives_greyscale_output() -> None:
    page = synthetic.low_contrast(text_page(), ink=150, paper=205).convert("RGB")
    out = correct_contrast(page)
    assert out.mode == "L" and out.size == page.size


def test_a_clear_page_is_returned_untouched() -> None:
    # even light and dark ink: nothing to correct, so not even the grey conversion happens
    # (Tesseract's layout analysis of real receipts swung by ±0.2 CER on such small changes)
    for page in (text_page(), text_page().convert("RGB")):
        assert correct_contrast(page) is page
        assert evenly_lit_and_clear(np.asarray(page.convert("L"), dtype=np.float32))


def test_faded_shadowed_and_grainy_pages_are_not_clear() -> None:
    page = text_page()
    for damaged in (
        synthetic.low_contrast(page, ink=170, paper=205),
        synthetic.uneven_light(page, darkest=0.3),
        synthetic.noise(synthetic.low_contrast(page, 60, 220), 35.0, seed=2),
    ):
        assert not evenly_lit_and_clear(np.asarray(damaged, dtype=np.float32))


def test_ink_of_small_blurred_glyphs_is_their_dark_core() -> None:
    small = synthetic.resample(text_page(size_px=40), 0.3)
    blurred = np.asarray(small.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float32)
    ink, paper = ink_and_paper(blurred)
    # the dark class mean sits in the grey edges; the page is still clear black on white
    assert ink < otsu(blurred)[1] - 30
    assert paper > 240 and evenly_lit_and_clear(blurred)
