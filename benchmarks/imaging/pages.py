"""Deterministic test pages for the image-processing families, each with its known text and the
damage done to it: skewed, curved (a sine wave or a book page's curl), low resolution, grey and
noisy. Nothing is stored: the same seed gives the same pages."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from benchmarks.accuracy import synthetic
from PIL import Image

#: The sets :func:`generate` makes, in order.
SETS = ("skewed", "curved", "low_resolution", "noisy")


@dataclass(frozen=True, kw_only=True)
class Damaged:
    """One generated page: what was done to it, the image, its text, and its skew if any."""

    name: str
    set: str
    image: Image.Image
    truth: str
    #: the clockwise degrees the page was turned (skewed set), else 0
    angle: float = 0.0


def clean_page(
    rng: random.Random, *, size_px: int = 38, paragraphs: int = 2
) -> tuple[Image.Image, str]:
    """Paragraphs of the accuracy benchmark's prose in a randomly chosen DejaVu face."""
    face = rng.choice(synthetic.FONTS[:2])
    chosen = rng.sample(synthetic.PROSE, paragraphs)
    return synthetic.render_page(chosen, font_name=face, size_px=size_px)


def bend(image: Image.Image, shift: np.ndarray) -> Image.Image:
    """``image`` with each pixel moved down by ``shift[y, x]`` pixels (paper fills the gaps)."""
    h, w = shift.shape
    xs = np.broadcast_to(np.arange(w, dtype=np.float32), (h, w))
    ys = np.arange(h, dtype=np.float32)[:, None] - shift.astype(np.float32)
    out = cv2.remap(
        np.asarray(image),
        np.ascontiguousarray(xs),
        np.ascontiguousarray(ys),
        interpolation=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    return Image.fromarray(out, mode=image.mode)


def sine_wave(image: Image.Image, amplitude: float, period: float, phase: float) -> Image.Image:
    """Lines waving up and down: ``amplitude`` px, one wave per ``period`` × the width."""
    pad = math.ceil(amplitude) + 4
    padded = Image.new(image.mode, (image.width, image.height + 2 * pad), 255)
    padded.paste(image, (0, pad))
    w, h = padded.size
    x = np.arange(w, dtype=np.float64)
    wave = amplitude * np.sin(2 * math.pi * x / (period * w) + phase)
    return bend(padded, np.broadcast_to(wave, (h, w)))


def book_curl(image: Image.Image, lift: float, spine_left: bool) -> Image.Image:
    """A book page photographed from above: near the spine the paper rises towards the camera,
    so the text there is magnified about the page's middle row (lines above it bend up, lines
    below bend down) by up to ``lift`` (e.g. 0.06 = 6 %)."""
    pad = math.ceil(lift * image.height / 2) + 4
    padded = Image.new(image.mode, (image.width, image.height + 2 * pad), 255)
    padded.paste(image, (0, pad))
    w, h = padded.size
    x = np.arange(w, dtype=np.float64) / (w - 1)
    nearness = (1.0 - x if spine_left else x) ** 2
    rows = np.arange(h, dtype=np.float64)[:, None] - (h - 1) / 2
    return bend(padded, rows * lift * nearness[None, :])


def generate(seed: int = 11, per_set: int = 4) -> Iterator[Damaged]:
    """``per_set`` damaged pages for each of :data:`SETS`, the same for the same ``seed``."""
    rng = random.Random(seed)
    for index in range(per_set):
        page, truth = clean_page(rng)
        angle = rng.uniform(2.0, 15.0) * (1 if index % 2 else -1)
        image = synthetic.skew(page, angle)
        yield Damaged(name=f"skew{angle:+.1f}", set="skewed", image=image, truth=truth, angle=angle)
    for index in range(per_set):
        # a whole page, so the curl near its top and bottom shows
        page, truth = clean_page(rng, paragraphs=4)
        if index % 2:
            lift = rng.uniform(0.05, 0.1)
            image = book_curl(page, lift, spine_left=index % 4 == 1)
            name = f"book{lift:.2f}"
        else:
            amplitude = rng.uniform(15.0, 35.0)
            period = rng.uniform(1.2, 2.0)
            image = sine_wave(page, amplitude, period, rng.uniform(0, 2 * math.pi))
            name = f"sine{amplitude:.0f}px/{period:.1f}w"
        yield Damaged(name=name, set="curved", image=image, truth=truth)
    for _ in range(per_set):
        page, truth = clean_page(rng, size_px=rng.randint(27, 33))
        # 7-8 pt print scanned at 100 dpi: lowercase letters about 5 pixels tall
        image = synthetic.resample(page, 1 / 3)
        yield Damaged(name="100dpi", set="low_resolution", image=image, truth=truth)
    for _ in range(per_set):
        page, truth = clean_page(rng)
        darkest = rng.uniform(0.35, 0.55)
        sigma = rng.uniform(12.0, 25.0)
        grey = synthetic.uneven_light(synthetic.low_contrast(page, ink=50, paper=200), darkest)
        image = synthetic.noise(grey, sigma, rng.randint(0, 2**31))
        yield Damaged(name=f"grey{darkest:.2f}/σ{sigma:.0f}", set="noisy", image=image, truth=truth)


def main() -> None:
    """Write the generated pages to a folder (``name.png`` + ``name.gt.txt``) to look at."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-set", type=int, default=4)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(generate(args.seed, args.per_set)):
        stem = f"{number:02d}-{page.set}-{page.name.replace('/', '_')}"
        page.image.save(args.out / f"{stem}.png")
        (args.out / f"{stem}.gt.txt").write_text(page.truth + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
