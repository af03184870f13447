"""Heavy JPEG blocking is detected from the block grid and smoothed only on small text."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ocrhive.preprocess.jpeg import BLOCKY, blockiness, smooth_blocking
from tests.unit.preprocess_fixtures import synthetic, text_page


def _grey(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def _small_page() -> Image.Image:
    # x-height about 8 px, like a page scanned small and saved at low quality
    return synthetic.resample(text_page(size_px=40), 0.4)


def test_compressed_page_shows_the_block_grid() -> None:
    page = _small_page()
    assert blockiness(_grey(page)) < BLOCKY
    assert blockiness(_grey(synthetic.jpeg(page, 8))) > BLOCKY


def test_a_page_cropped_after_compression_loses_the_grid() -> None:
    blocky = synthetic.jpeg(_small_page(), 8)
    shifted = blocky.crop((3, 3, blocky.width, blocky.height))
    assert blockiness(_grey(shifted)) < BLOCKY


def test_blank_input_has_no_blockiness() -> None:
    assert blockiness(np.full((40, 40), 255, dtype=np.float32)) == 0.0


def test_blocky_small_text_is_smoothed() -> None:
    blocky = synthetic.jpeg(_small_page(), 8)
    out = smooth_blocking(blocky)
    assert out is not blocky and out.mode == "L" and out.size == blocky.size
    assert blockiness(_grey(out)) < blockiness(_grey(blocky))


def test_large_or_uncompressed_text_is_left_alone() -> None:
    large = synthetic.jpeg(text_page(size_px=40), 8)
    assert blockiness(_grey(large)) > BLOCKY
    assert smooth_blocking(large) is large
    clean = _small_page()
    assert smooth_blocking(clean) is clean
