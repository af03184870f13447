"""Contrast correction restores faded and unevenly lit pages and leaves clean ones alone."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from ocrhive.preprocess.contrast import (
    box_mean,
    correct_contrast,
    estimate_background,
    evenly_lit_and_clear,
    ink_and_paper,
    normalise,
    otsu,
    relative_noise,
)
from ocrhive.preprocess.strips import EXACT_PIXELS, STRIP_ROWS, Rows, boxed
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


# The whole-page algorithm as it was before the steps were computed band by band (one float32
# array per intermediate, statistics over every pixel), kept as the oracle the band-wise code
# must match bit for bit on pages up to strips.EXACT_PIXELS: the tuned accuracy was measured
# with it.
def reference_box_mean(arr: np.ndarray, radius: int) -> np.ndarray:
    height, width = arr.shape
    size = 2 * radius + 1
    mean = np.empty(arr.shape, dtype=np.float32)
    for top in range(0, height, 256):
        bottom = min(height, top + 256)
        rows = np.clip(np.arange(top - radius - 1, bottom + radius), 0, height - 1)
        block = np.pad(arr[rows].astype(np.float64), ((0, 0), (radius + 1, radius)), mode="edge")
        np.cumsum(block, axis=0, out=block)
        np.cumsum(block, axis=1, out=block)
        total = block[size:, size:] - block[:-size, size:] - block[size:, :-size]
        total += block[:-size, :-size]
        mean[top:bottom] = total[:, :width] / (size * size)
    return mean


def _ref_background(arr: np.ndarray) -> np.ndarray:
    height, width = arr.shape
    block = max(4, round(max(arr.shape) / 200))
    rows, cols = -(-height // block), -(-width // block)
    coarse = np.empty((rows, cols), dtype=np.float32)
    for row in range(rows):
        lines = np.clip(np.arange(row * block, (row + 1) * block), 0, height - 1)
        band = np.pad(arr[lines], ((0, 0), (0, cols * block - width)), mode="edge")
        tiles = band.astype(np.float32).reshape(block, cols, block).transpose(1, 0, 2)
        coarse[row] = np.percentile(tiles.reshape(cols, -1), 90, axis=1)
    grown = np.asarray(Image.fromarray(coarse, "F").filter(ImageFilter.MaxFilter(5)))
    smooth = reference_box_mean(reference_box_mean(grown.astype(np.float32), 1), 1)
    full = Image.fromarray(smooth, "F").resize((cols * block, rows * block), Image.BILINEAR)
    return np.asarray(full, dtype=np.float32)[:height, :width]


def _ref_noise(norm: np.ndarray) -> float:
    residual = norm - reference_box_mean(norm, 1)
    spread = float(1.4826 * np.median(np.abs(residual - np.median(residual))))
    return spread / max(1.0 - float(np.percentile(reference_box_mean(norm, 1), 0.5)), 0.02)


def reference_flatten(image: Image.Image) -> np.ndarray | None:
    """Today's flattened page in 0..1, or None where the page counted as clear."""
    arr = np.asarray(image.convert("L"), dtype=np.float32)
    background = _ref_background(arr)
    spread = float(np.percentile(background, 95) - np.percentile(background, 5))
    _, dark, light = otsu(arr)
    ink = min(dark, float(np.percentile(arr, 1)))
    norm = np.clip(arr / np.maximum(background, 1.0), 0.0, 1.0).astype(np.float32)
    if spread < 24.0 and light - ink >= 100.0 and _ref_noise(norm) <= 0.08:
        return None
    if float(np.median(background)) < 90.0:
        background = np.full_like(arr, 255.0)
    norm = np.clip(arr / np.maximum(background, 1.0), 0.0, 1.0)
    if _ref_noise(norm) > 0.08:
        norm = reference_box_mean(reference_box_mean(norm, 1), 1)
    ink = min(float(np.percentile(norm, 0.5)), 0.75)
    stretched: np.ndarray = np.clip((norm - ink) / (1.0 - ink), 0.0, 1.0)
    return stretched


def damaged_pages() -> dict[str, Image.Image]:
    """Pages of every kind the steps treat differently, a few bands tall and not band-aligned."""
    page = text_page(width=900)
    return {
        "clean": page,
        "faded": synthetic.low_contrast(page, ink=170, paper=205),
        "shadowed": synthetic.uneven_light(page, darkest=0.25),
        "grainy": synthetic.noise(synthetic.low_contrast(page, 60, 220), 35.0, seed=4),
        "dark": ImageOps.invert(synthetic.low_contrast(page, ink=120, paper=200)),
        "colour": synthetic.low_contrast(page, ink=150, paper=205).convert("RGB"),
    }


def test_contrast_on_pages_up_to_4_mp_is_bit_identical_to_the_whole_page_algorithm() -> None:
    pages = damaged_pages()
    assert min(p.height for p in pages.values()) > 2 * STRIP_ROWS
    for name, page in pages.items():
        expected = reference_flatten(page)
        out = correct_contrast(page)
        if expected is None:
            assert out is page, name
        else:
            want = (expected * 255.0).round().astype(np.uint8)
            assert np.array_equal(np.asarray(out), want), name
    # the clean page is the one case the oracle calls clear: both branches were compared
    assert reference_flatten(pages["clean"]) is None
    assert reference_flatten(pages["faded"]) is not None


def test_background_rebuilt_band_by_band_equals_one_whole_page_resize() -> None:
    rng = np.random.default_rng(2)
    for height, width in ((900, 700), (601, 1300), (37, 23), (4, 4)):
        arr = (rng.random((height, width)) * 255).astype(np.float32)
        rebuilt = estimate_background(arr).rows().collect()
        assert np.array_equal(rebuilt, _ref_background(arr)), (height, width)


def test_pages_over_4_mp_use_a_sample_and_stay_within_a_grey_level() -> None:
    big = synthetic.low_contrast(text_page(width=2400, paragraphs=8), ink=170, paper=205)
    big = synthetic.uneven_light(big.resize((2400, 2000)), darkest=0.5)
    assert big.width * big.height > EXACT_PIXELS
    expected = reference_flatten(big)
    assert expected is not None
    diff = np.abs(np.asarray(correct_contrast(big), dtype=np.int16) - (expected * 255).round())
    assert float(np.mean(diff <= 1)) > 0.999 and float(diff.max()) <= 8


def test_rows_repeat_the_edge_rows_and_keep_only_bands_still_needed() -> None:
    arr = np.arange(1000, dtype=np.float32).reshape(1000, 1)
    boxed_rows = boxed(Rows.of(arr), 1)
    assert Rows.of(arr).take(-2, 2)[:, 0].tolist() == [0, 0, 0, 1]
    assert Rows.of(arr).take(998, 1001)[:, 0].tolist() == [998, 999, 999]
    for _, _band in boxed_rows.bands():
        assert len(boxed_rows._cache) <= 1
    assert np.array_equal(boxed_rows.collect(), reference_box_mean(arr, 1))
