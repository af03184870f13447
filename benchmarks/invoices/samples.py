"""Generated invoice pages by seed: layout, font, resolution and damage all follow the seed."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from benchmarks.accuracy.synthetic import noise, skew
from benchmarks.invoices.content import invoice
from benchmarks.invoices.layouts import LAYOUTS
from benchmarks.invoices.render import FONTS, Sheet, Truth
from PIL import Image

#: share of pages that get mild sensor noise and a small skew
DAMAGED = 0.3


@dataclass(frozen=True, kw_only=True)
class Sample:
    """One generated invoice page and the fields it prints."""

    seed: int
    layout: str
    dpi: int
    damaged: bool
    image: Image.Image
    truth: Truth

    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, format="PNG", dpi=(self.dpi, self.dpi))
        return out.getvalue()


def sample(seed: int) -> Sample:
    """The invoice page of ``seed`` (layouts take turns, so any 5 seeds in a row cover all)."""
    rng = random.Random(seed * 7919)
    name = sorted(LAYOUTS)[seed % len(LAYOUTS)]
    country, draw = LAYOUTS[name]
    dpi = rng.choice([200, 250, 300])
    sheet = Sheet(dpi, rng.choice(sorted(FONTS)))
    truth = draw(sheet, invoice(seed, country))
    image = sheet.image
    damaged = rng.random() < DAMAGED
    if damaged:
        image = skew(noise(image, rng.uniform(6, 12), seed), rng.uniform(-0.6, 0.6))
    image.info["dpi"] = (dpi, dpi)
    return Sample(seed=seed, layout=name, dpi=dpi, damaged=damaged, image=image, truth=truth)
