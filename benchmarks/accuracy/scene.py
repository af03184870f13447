"""A generated scene-text set: word crops like signs, labels and shop fronts, with known truth.

Nothing here is a photograph: each crop is drawn from a seed — a word or two in a varied font on
a photographic-like background (colour gradients, smooth noise textures, stripes, a soft
vignette), then damaged the way a phone shot is (perspective, blur, a shadow, low resolution,
JPEG). The same seed gives the same images, so nothing is stored in the repository.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator

import numpy as np
from benchmarks.accuracy.synthetic import Sample, write_from_command_line
from PIL import Image, ImageDraw, ImageFilter, ImageFont

#: Faces a sign painter or a label printer might use (Debian's font packages).
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
    "/usr/share/fonts/opentype/urw-base35/NimbusSans-Bold.otf",
    "/usr/share/fonts/opentype/urw-base35/URWGothic-Demi.otf",
    "/usr/share/fonts/opentype/urw-base35/URWBookman-Demi.otf",
    "/usr/share/fonts/opentype/urw-base35/C059-Bold.otf",
    "/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Bold.otf",
    "/usr/share/fonts/truetype/crosextra/Carlito-Bold.ttf",
)

#: Words and short phrases of the kind signs, labels and shirts carry (written for the project).
WORDS = (
    "OPEN",
    "EXIT",
    "Bakery",
    "PHARMACY",
    "Coffee",
    "SALE",
    "Parking",
    "HOTEL",
    "Welcome",
    "Books",
    "PIZZA",
    "Station",
    "Fresh Fish",
    "NO ENTRY",
    "Garden",
    "MARKET",
    "Taxi",
    "Library",
    "Museum",
    "Flowers",
    "STOP",
    "Kitchen",
    "Bicycle",
    "Harbour",
    "Ticket Office",
    "CINEMA",
    "Organic",
    "Tea Room",
    "Records",
    "Laundry",
    "Chemist",
    "Platform 4",
    "Sunday",
    "Bus Stop",
    "GROCERY",
    "Vintage",
    "Barber",
    "Hardware",
    "Studio 21",
    "Dental",
)


def _gradient(rng: random.Random, size: tuple[int, int]) -> np.ndarray:
    """Two random colours blended along a random direction, float RGB in 0..255."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    t = (np.cos(angle) * xx / w + np.sin(angle) * yy / h + 1) / 2
    a = np.array([rng.randint(0, 255) for _ in range(3)], dtype=np.float32)
    b = np.array([rng.randint(0, 255) for _ in range(3)], dtype=np.float32)
    return a + (b - a) * t[..., None]


def _texture(rng: random.Random, size: tuple[int, int], strength: float) -> np.ndarray:
    """Smooth noise like brick, wood or foliage: low-frequency blobs plus fine grain."""
    w, h = size
    nrng = np.random.default_rng(rng.randint(0, 2**31))
    coarse = nrng.normal(0, 1, (max(2, h // 16), max(2, w // 16), 3)).astype(np.float32)
    up = Image.fromarray(np.uint8(np.clip(128 + 40 * coarse, 0, 255)), "RGB").resize(
        (w, h), Image.Resampling.BICUBIC
    )
    blobs = np.asarray(up, dtype=np.float32) - 128
    grain = nrng.normal(0, 1, (h, w, 1)).astype(np.float32) * 12
    if rng.random() < 0.3:  # stripes: planks, awnings, corrugated metal
        period = rng.randint(8, 30)
        stripes = 25 * np.sin(2 * np.pi * np.arange(w if rng.random() < 0.5 else h) / period)
        grain = grain + (stripes[None, :, None] if stripes.size == w else stripes[:, None, None])
    return strength * (blobs + grain)


def _contrasting(rng: random.Random, background: np.ndarray) -> tuple[int, int, int]:
    """An ink colour that stands out from the background's mean brightness."""
    mean = float(background.mean())
    base = rng.randint(0, 70) if mean > 128 else rng.randint(185, 255)
    tint = [min(255, max(0, base + rng.randint(-40, 40))) for _ in range(3)]
    return (tint[0], tint[1], tint[2])


def _perspective(image: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """The crop seen from slightly off-axis: each corner moved by up to ``amount`` of a side."""
    w, h = image.size
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    moved = [
        (x + rng.uniform(-amount, amount) * w, y + rng.uniform(-amount, amount) * h)
        for x, y in corners
    ]
    coeffs = _coefficients(moved, corners)
    # what shows beyond the sign's edge: the surroundings, here the sign's own mean colour
    surround = tuple(round(c) for c in np.asarray(image, dtype=np.float32).mean(axis=(0, 1)))
    return image.transform(
        (w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=surround
    )


def _coefficients(
    source: list[tuple[float, float]], target: list[tuple[float, float]]
) -> tuple[float, ...]:
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    matrix = np.array(rows, dtype=np.float64)
    values = np.array([c for point in source for c in point], dtype=np.float64)
    return tuple(float(c) for c in np.linalg.solve(matrix, values))


def _shadow(pixels: np.ndarray, rng: random.Random) -> np.ndarray:
    """A soft shadow over one side (an awning, a hand, a lamp post)."""
    h, w = pixels.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    edge = np.cos(angle) * (xx / w - 0.5) + np.sin(angle) * (yy / h - 0.5) + rng.uniform(-0.2, 0.2)
    depth = rng.uniform(0.35, 0.6)
    light = 1 - depth / (1 + np.exp(-edge * 12))
    return pixels * light[..., None]


def crop(seed: int, index: int, *, tight: bool = False) -> Sample:
    """The ``index``-th crop of the set drawn from ``seed``; ``tight`` leaves 1-5 px around
    the lettering instead of 12-60 (word-crop datasets cut close to the text)."""
    rng = random.Random(seed * 10_007 + index)
    text = WORDS[(index * 7 + seed) % len(WORDS)]
    face = ImageFont.truetype(FONTS[rng.randrange(len(FONTS))], rng.randint(48, 96))
    left, top, right, bottom = face.getbbox(text)
    pad_x, pad_y = rng.randint(16, 60), rng.randint(12, 40)
    if tight:
        pad_x, pad_y = pad_x // 12, pad_y // 12 + 1
    size = (int(right - left) + 2 * pad_x, int(bottom - top) + 2 * pad_y)
    background = _gradient(rng, size) + _texture(rng, size, rng.uniform(0.3, 1.0))
    background = np.clip(background, 0, 255)
    ink = _contrasting(rng, background)
    canvas = Image.fromarray(background.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(canvas)
    if rng.random() < 0.4:  # outlined or shadowed lettering, as painted signs often are
        offset = rng.randint(2, 4)
        dark = tuple(255 - c for c in ink)
        draw.text((pad_x - left + offset, pad_y - top + offset), text, fill=dark, font=face)
    draw.text((pad_x - left, pad_y - top), text, fill=ink, font=face)
    canvas = _perspective(canvas, rng, rng.uniform(0.0, 0.08))
    pixels = np.asarray(canvas, dtype=np.float32)
    if rng.random() < 0.5:
        pixels = _shadow(pixels, rng)
    canvas = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 1.8)))
    scale = rng.uniform(0.35, 1.0)  # down to ~20 px letters: a far sign, a small label
    canvas = canvas.resize(
        (max(8, round(canvas.width * scale)), max(8, round(canvas.height * scale))),
        Image.Resampling.BILINEAR,
    )
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=rng.randint(35, 90))
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        image = decoded.convert("RGB")
    return Sample(name=f"scene-{seed}-{index:02d}", category="scene", image=image, truth=text)


def scene_set(seed: int = 11, count: int = 40, *, tight: bool = False) -> Iterator[Sample]:
    """``count`` generated word crops from ``seed`` (:func:`crop`)."""
    for index in range(count):
        yield crop(seed, index, tight=tight)


def main() -> None:
    """Write the scene set to a folder (``name.png`` + ``name.gt.txt``) for a look by eye."""
    write_from_command_line(main.__doc__ or "", scene_set, seed=11, count=40)


if __name__ == "__main__":
    main()
