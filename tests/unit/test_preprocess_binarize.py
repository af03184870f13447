"""Binarization gives clean black-and-white pages despite shadows, tints and grain."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from ocrhive.preprocess.binarize import binarize
from tests.unit.preprocess_fixtures import synthetic, text_page


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
