"""Deterministic synthetic text pages and the degradations the accuracy benchmark applies to them.

Everything here is seeded: the same seed gives byte-identical images, so tests and the benchmark
generate their data on the fly instead of keeping images in the repository.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ("DejaVuSerif.ttf", "DejaVuSans.ttf", "DejaVuSansMono.ttf", "DejaVuSansCondensed.ttf")

#: Prose written for this project (public domain): plain sentences with digits and punctuation.
PROSE = (
    "The harbour was quiet before dawn. Seven fishing boats lay against the north wall, their "
    "lamps still burning, and the tide had turned an hour ago. Martha counted the crates twice "
    "and wrote the total, 148, in the ledger beside the date.",
    "A good map is mostly empty space. The surveyor who drew this one in 1887 left out every "
    "path he had not walked himself, so the western valley appears as a blank page with a "
    "single word written across it: unknown.",
    "Bread rises faster in a warm kitchen. Mix 500 grams of flour with 320 millilitres of water, "
    "a spoon of salt and a little yeast, then wait. The dough should double in about ninety "
    "minutes; if it does not, the room is too cold.",
    "The committee met on Tuesday at half past four. Minutes of the previous meeting were read "
    "and approved without changes. The treasurer reported a balance of 2,315 dollars and asked "
    "that the roof repair be postponed until spring.",
    "Rivers do not run straight for long. Any small bend pushes the faster water to the outer "
    "bank, which wears away, while slower water drops its sand on the inner bank. Over a few "
    "centuries the bend grows into a wide loop.",
    "Please return the enclosed form before the 15th of March. Write your account number in the "
    "box at the top, sign at the bottom, and keep the yellow copy for your records. Questions "
    "may be sent to the office on Mill Street.",
    "The old clock in the station gains three minutes every week. Nobody has fixed it because "
    "the trains, which keep their own time, never wait for it anyway. Travellers learn quickly "
    "to trust the timetable and ignore the tower.",
    "Lighthouse keepers once wrote the weather in a book every four hours: wind, sea, cloud and "
    "visibility. Those pages, kept for decades, are now read by scientists who want to know how "
    "storms on this coast have changed since 1900.",
    "To plant a young apple tree, dig a hole twice as wide as its roots but no deeper. Spread "
    "the roots gently, fill with the same soil you removed, and water well. Stake the tree "
    "loosely so that it can still move in the wind.",
    "The library opens at nine and closes at six, except on Sundays. Books may be borrowed for "
    "three weeks and renewed twice. A fine of ten cents a day is charged for late returns, up "
    "to a limit of five dollars per book.",
    "Every winter the lake froze from the edges inward. Children tested the ice with long poles "
    "and waited for the ferryman to declare it safe, which he did only after the thermometer "
    "had read below minus ten for six days in a row.",
    "Invoice 4471 covers two pallets of ceramic tiles, delivered on 3 June. The price agreed was "
    "12.40 per square metre for 86 square metres, plus transport. Payment is due within thirty "
    "days of the date shown above.",
)


@dataclass(frozen=True, kw_only=True)
class Sample:
    """One benchmark image with its ground truth and the category of damage it carries."""

    name: str
    category: str
    image: Image.Image
    truth: str


def font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    """A DejaVu font at ``size_px`` pixels."""
    return ImageFont.truetype(str(FONT_DIR / name), size_px)


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if face.getlength(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def render_page(
    paragraphs: tuple[str, ...] | list[str],
    *,
    font_name: str = "DejaVuSerif.ttf",
    size_px: int = 40,
    width: int = 1600,
    margin: int = 80,
    line_spacing: float = 1.45,
) -> tuple[Image.Image, str]:
    """Black text on white paper in mode "L", and its ground truth (one line per text line)."""
    face = font(font_name, size_px)
    lines: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        if number:
            lines.append("")
        lines.extend(_wrap(paragraph, face, width - 2 * margin))
    step = round(size_px * line_spacing)
    height = 2 * margin + step * len(lines)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    for row, line in enumerate(lines):
        draw.text((margin, margin + row * step), line, fill=0, font=face)
    return page, "\n".join(line for line in lines if line)


def skew(image: Image.Image, degrees: float) -> Image.Image:
    """The page turned ``degrees`` clockwise, corners filled with paper."""
    return image.rotate(-degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def low_contrast(image: Image.Image, ink: int = 150, paper: int = 205) -> Image.Image:
    """Faded print: black maps to ``ink`` and white to ``paper``."""
    arr = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    return Image.fromarray((ink + (paper - ink) * arr).round().astype(np.uint8), "L")


def uneven_light(image: Image.Image, darkest: float = 0.35) -> Image.Image:
    """A photo lit from one corner: brightness falls to ``darkest`` at the far corner."""
    arr = np.asarray(image.convert("L"), dtype=np.float32)
    h, w = arr.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dist = np.hypot(yy / h, xx / w) / np.sqrt(2.0)
    light = 1.0 - (1.0 - darkest) * dist**1.5
    return Image.fromarray(np.clip(arr * light, 0, 255).round().astype(np.uint8), "L")


def with_picture(image: Image.Image, seed: int, height: int = 500) -> Image.Image:
    """The page below a grey "photograph" (a textured, grainy block ``height`` px tall), as
    articles print a picture above the text."""
    rng = np.random.default_rng(seed)
    width = image.width - 200
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    photo = 80 + 60 * np.sin(xx / rng.uniform(25, 45)) * np.cos(yy / rng.uniform(15, 30))
    photo += rng.normal(0.0, 25.0, photo.shape).astype(np.float32)
    out = Image.new("L", (image.width, image.height + height + 60), 255)
    out.paste(Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8), "L"), (100, 30))
    out.paste(image.convert("L"), (0, height + 60))
    return out


def noise(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    """Gaussian sensor noise of standard deviation ``sigma`` grey levels."""
    arr = np.asarray(image.convert("L"), dtype=np.float32)
    rng = np.random.default_rng(seed)
    noisy = arr + rng.normal(0.0, sigma, arr.shape).astype(np.float32)
    return Image.fromarray(np.clip(noisy, 0, 255).round().astype(np.uint8), "L")


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    """The image after a round trip through JPEG at ``quality``."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert(image.mode)


def resample(image: Image.Image, factor: float) -> Image.Image:
    """The image scanned at ``factor`` times the resolution (e.g. 0.5: 300 → 150 dpi)."""
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.BOX if factor < 1 else Image.Resampling.BICUBIC)


def turn(image: Image.Image, clockwise: int) -> Image.Image:
    """The page turned a multiple of 90° clockwise (how a sideways scan arrives)."""
    ops = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180}
    ops[270] = Image.Transpose.ROTATE_90
    return image.transpose(ops[clockwise]) if clockwise % 360 else image


Degrade = Callable[[Image.Image, random.Random], tuple[str, Image.Image]]


def _degradations() -> dict[str, Degrade]:
    def skewed(img: Image.Image, rng: random.Random) -> tuple[str, Image.Image]:
        angle = rng.uniform(2.0, 12.0) * rng.choice((-1, 1))
        return f"{angle:+.1f}", skew(img, angle)

    def faded(img: Image.Image, rng: random.Random) -> tuple[str, Image.Image]:
        # thermal paper that has faded: little contrast left, and the scanner's noise on top
        ink = rng.randint(165, 180)
        faded = low_contrast(img, ink=ink, paper=ink + rng.randint(25, 35))
        return f"{ink}", noise(faded, rng.uniform(5.0, 8.0), rng.randint(0, 2**31))

    def shadowed(img: Image.Image, rng: random.Random) -> tuple[str, Image.Image]:
        darkest = rng.uniform(0.15, 0.3)
        return f"{darkest:.2f}", uneven_light(low_contrast(img, ink=40, paper=235), darkest)

    def noisy(img: Image.Image, rng: random.Random) -> tuple[str, Image.Image]:
        sigma = rng.uniform(30.0, 45.0)
        return f"{sigma:.0f}", noise(low_contrast(img, 60, 220), sigma, rng.randint(0, 2**31))

    def jpegged(img: Image.Image, rng: random.Random) -> tuple[str, Image.Image]:
        quality = rng.randint(6, 10)
        return f"q{quality}", jpeg(resample(img, 0.4), quality)

    def dpi150(img: Image.Image, rng: random.Random) -> tuple[str, Image.Image]:
        return "150dpi", resample(img, 0.5)

    def small(img: Image.Image, rng: random.Random) -> tuple[str, Image.Image]:
        factor = rng.uniform(0.2, 0.25)
        return f"x{factor:.2f}", resample(img, factor)

    return {
        "skew": skewed,
        "low_contrast": faded,
        "uneven_light": shadowed,
        "noise": noisy,
        "jpeg": jpegged,
        "dpi150": dpi150,
        "small_font": small,
    }


#: The damage categories :func:`degraded_set` produces, in order.
CATEGORIES = ("clean", *_degradations(), "rotated")


def clean_pages(seed: int = 7, count: int = 6) -> Iterator[tuple[str, Image.Image, str]]:
    """``count`` clean 300-dpi pages of two paragraphs; fonts and sizes vary with ``seed``."""
    rng = random.Random(seed)
    for index in range(count):
        picked = rng.sample(PROSE, 2)
        face = FONTS[index % len(FONTS)]
        size = rng.randint(34, 44)
        page, truth = render_page(picked, font_name=face, size_px=size)
        yield f"p{index:02d}", page, truth


def degraded_set(seed: int = 7, count: int = 6) -> list[Sample]:
    """Clean pages, each damaged in every category of :data:`CATEGORIES` (rotations cycle)."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    for index, (stem, page, truth) in enumerate(clean_pages(seed, count)):
        samples.append(Sample(name=f"{stem}-clean", category="clean", image=page, truth=truth))
        for category, degrade in _degradations().items():
            label, image = degrade(page, rng)
            name = f"{stem}-{category}-{label}"
            samples.append(Sample(name=name, category=category, image=image, truth=truth))
        clockwise = (90, 180, 270)[index % 3]
        image = turn(page, clockwise)
        name = f"{stem}-rotated-{clockwise}"
        samples.append(Sample(name=name, category="rotated", image=image, truth=truth))
    return samples


def main() -> None:
    """Write the degraded set to a folder (``name.png`` + ``name.gt.txt``) for a look by eye."""
    write_from_command_line(main.__doc__ or "", degraded_set, seed=7, count=6)


def write_from_command_line(
    description: str, make: Callable[[int, int], Iterable[Sample]], *, seed: int, count: int
) -> None:
    """The command line of a generator module: ``OUT [--seed N] [--count N]``, then write."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--count", type=int, default=count)
    args = parser.parse_args()
    write(make(args.seed, args.count), args.out)


def write(samples: Iterable[Sample], out: Path) -> None:
    """Each sample as ``name.png`` + ``name.gt.txt`` in ``out`` (created if missing)."""
    out.mkdir(parents=True, exist_ok=True)
    for sample in samples:
        sample.image.save(out / f"{sample.name}.png", optimize=True)
        (out / f"{sample.name}.gt.txt").write_text(sample.truth + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
