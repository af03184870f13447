"""Deterministic font samples: paragraphs and single lines set in every reference face IdentifyFont
knows, in three styles, at several sizes and resolutions, clean or mildly damaged.

The samples are set with the very font files IdentifyFont compares against, which flatters it:
the conditions (sizes, resolutions, noise, blur, JPEG) are what keep the benchmark honest.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.accuracy import synthetic
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ocrhive.fonts.faces import CATALOGUE, FONT_ROOT, Style

SEED = 20261130
#: the styles every face set is sampled in
STYLES = (Style.REGULAR, Style.BOLD, Style.ITALIC)


@dataclass(frozen=True, kw_only=True)
class Condition:
    """How one sample is set and damaged."""

    name: str
    kind: str  #: "paragraph" or "line"
    points: float
    dpi: int
    noise: float = 0.0  #: Gaussian noise, grey levels
    blur: float = 0.0  #: Gaussian blur radius, pixels
    jpeg: int = 0  #: JPEG quality (0: PNG)
    skew: float = 0.0  #: degrees the page is turned clockwise


CONDITIONS = (
    Condition(name="para-12pt-300dpi", kind="paragraph", points=12, dpi=300),
    Condition(name="para-10pt-200dpi-noise", kind="paragraph", points=10, dpi=200, noise=12.0),
    Condition(name="line-14pt-200dpi-blur", kind="line", points=14, dpi=200, blur=0.8, noise=6),
    Condition(name="line-11pt-300dpi-jpeg", kind="line", points=11, dpi=300, jpeg=70),
    Condition(name="para-9pt-200dpi-blur", kind="paragraph", points=9, dpi=200, blur=0.7, noise=10),
    Condition(name="line-12pt-250dpi-skew", kind="line", points=12, dpi=250, skew=2.0, noise=8),
    # a stress case beyond the target's "mild" damage: x-height about 10 px, blurred, JPEG 40
    Condition(name="stress-8pt-200dpi", kind="line", points=8, dpi=200, blur=0.9, jpeg=40),
)


@dataclass(frozen=True, kw_only=True)
class Sample:
    """One image and what it was set in."""

    name: str
    family: str
    font_file: str
    style: Style
    condition: Condition
    data: bytes  #: the encoded file (PNG or JPEG), resolution recorded in it


def _text(condition: Condition, rng: random.Random) -> list[str]:
    paragraph = rng.choice(synthetic.PROSE)
    if condition.kind == "paragraph":
        return [paragraph]
    words = paragraph.split()
    start = rng.randrange(0, max(1, len(words) - 9))
    return [" ".join(words[start : start + 8])]


def render(path: Path, condition: Condition, rng: random.Random) -> bytes:
    """The sample text set in the font at ``path`` under ``condition``, encoded."""
    size_px = round(condition.points * condition.dpi / 72)
    face = ImageFont.truetype(str(path), size_px)
    width = round(6.5 * condition.dpi)
    margin = round(0.3 * condition.dpi)
    lines: list[str] = []
    for paragraph in _text(condition, rng):
        words = paragraph.split()
        current = ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if face.getlength(candidate) <= width - 2 * margin or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    step = round(size_px * 1.4)
    page = Image.new("L", (width, 2 * margin + step * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for row, line in enumerate(lines):
        draw.text((margin, margin + row * step), line, fill=0, font=face)
    if condition.skew:
        page = synthetic.skew(page, condition.skew)
    if condition.blur:
        page = page.filter(ImageFilter.GaussianBlur(condition.blur))
    if condition.noise:
        page = synthetic.noise(page, condition.noise, rng.randrange(2**31))
    buffer = io.BytesIO()
    dpi = (condition.dpi, condition.dpi)
    if condition.jpeg:
        page.save(buffer, "JPEG", quality=condition.jpeg, dpi=dpi)
    else:
        page.save(buffer, "PNG", dpi=dpi)
    return buffer.getvalue()


def samples(seed: int = SEED, *, families: tuple[str, ...] = ()) -> Iterator[Sample]:
    """Every (face set × style × condition) sample, in a fixed order, the same for ``seed``."""
    rng = random.Random(seed)
    for family, sets in CATALOGUE.items():
        for faces in sets:
            for style in STYLES:
                path = FONT_ROOT / faces[style]
                for condition in CONDITIONS:
                    data = render(path, condition, rng)  # drawn even when skipped: same rng
                    if families and family not in families:
                        continue
                    yield Sample(
                        name=f"{path.stem}-{condition.name}",
                        family=family,
                        font_file=path.name,
                        style=style,
                        condition=condition,
                        data=data,
                    )
