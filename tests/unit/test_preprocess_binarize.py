"""Binarization gives clean black-and-white pages despite shadows, tints and grain."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from ocrhive.preprocess.binarize import K, R, binarize, window_radius
from ocrhive.preprocess.contrast import ink_and_paper, otsu
from tests.unit.preprocess_fixtures import synthetic, text_page
from tests.unit.test_preprocess_contrast import damaged_pages, reference_box_mean, reference_flatten


def _agreement(a: Image.Image, b: Image.Image) -> float:
    """Share of pixels both images call ink (or both call paper)."""
    return float(np.mean((np.asarray(a) < 128) == (np.asarray(b) < 128)))


def test_output_is_pure_black_and_white() -> None:
    out = binarize(synthetic.low_contrast(text_page(), 120, 220))
    assert out.mode == "L"
    assert set(np.unique(np.asarray(out)).tolist()) <= {0, 255}


def test_survives_a_shadow() -> None:
    page = text_page()
    reference = binarize(page)
    shadowed = binarize(synthetic.uneven_light(synthetic.low_contrast(page, 40, 235), 0.2))
    assert _agreement(reference, shadowed) > 0.97
    # a global threshold at mid-grey would blacken the shadowed corner
    assert np.mean(np.asarray(shadowed) == 0) < 2 * np.mean(np.asarray(reference) < 128)


def test_coloured_background_becomes_white() -> None:
    ink = np.asarray(text_page()) < 128
    rgb = np.empty((*ink.shape, 3), dtype=np.uint8)
    rgb[...] = (250, 225, 120)  # yellow paper
    rgb[ink] = (30, 40, 140)  # blue ink
    out = np.asarray(binarize(Image.fromarray(rgb, "RGB")))
    assert np.mean(out[~ink] == 255) > 0.99
    assert np.mean(out[ink] == 0) > 0.9


def test_grainy_page_has_few_specks() -> None:
    page = text_page()
    grainy = synthetic.noise(synthetic.low_contrast(page, 60, 220), 35.0, seed=5)
    out = np.asarray(binarize(grainy))
    # paper at least 3 px from any ink: smoothing legitimately widens strokes a little
    open_paper = np.asarray(page.filter(ImageFilter.MinFilter(7))) == 255
    assert np.mean(out[open_paper] == 0) < 0.005
    assert np.mean(out[np.asarray(page) == 0] == 0) > 0.95


def test_a_clean_page_keeps_its_glyph_edges() -> None:
    page = text_page()
    out = np.asarray(binarize(page))
    edges = (np.asarray(page) > 0) & (np.asarray(page) < 255)
    assert edges.any() and np.mean((out[edges] > 0) & (out[edges] < 255)) > 0.5
    assert np.mean(out[np.asarray(page) == 255] == 255) > 0.99


def test_bilevel_input_is_returned_as_grey_levels() -> None:
    page = text_page().convert("1")
    out = binarize(page)
    assert out.mode == "L" and out.size == page.size


def _reference_binarize(image: Image.Image) -> np.ndarray:
    """Today's whole-page binarization (see reference_flatten), the oracle for pages ≤ 4 MP."""
    arr = np.asarray(image.convert("L"), dtype=np.float32)
    flat = reference_flatten(image)
    if flat is None:
        _, mean_ink, light = otsu(arr)
        dark = (mean_ink + ink_and_paper(arr)[0]) / 2
        stretched = (arr - dark) * (255.0 / (light - dark))
        return np.clip(stretched, 0, 255).round().astype(np.uint8)
    page = flat * np.float32(255.0)
    half = window_radius(page.shape)
    mean = reference_box_mean(page, half)
    square = reference_box_mean(page * page, half)
    deviation = np.sqrt(np.maximum(square - mean * mean, 0.0))
    threshold = mean * (1.0 + K * (deviation / R - 1.0))
    return np.where(page > threshold, 255, 0).astype(np.uint8)


def test_pages_up_to_4_mp_are_bit_identical_to_the_whole_page_algorithm() -> None:
    for name, page in damaged_pages().items():
        assert np.array_equal(np.asarray(binarize(page)), _reference_binarize(page)), name
