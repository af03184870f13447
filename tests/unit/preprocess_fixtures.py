"""Generated test pages for the preprocessing tests (from the benchmark's seeded generator)."""

from __future__ import annotations

from benchmarks.accuracy import synthetic
from PIL import Image

__all__ = ["synthetic", "text_page", "text_page_with_truth"]


def text_page(size_px: int = 36, paragraphs: int = 2, width: int = 1400) -> Image.Image:
    """A clean black-on-white page of prose in mode "L"."""
    page, _ = synthetic.render_page(synthetic.PROSE[:paragraphs], size_px=size_px, width=width)
    return page


def text_page_with_truth(size_px: int = 36, paragraphs: int = 2) -> tuple[Image.Image, str]:
    """A clean page and its ground truth."""
    return synthetic.render_page(synthetic.PROSE[:paragraphs], size_px=size_px)
