"""The speed benchmark's images: generated 300-dpi pages, the shared receipts, a scanned PDF and
large uncompressed uploads, all deterministic (nothing is stored in the repository)."""

from __future__ import annotations

import io
import random
from pathlib import Path

from benchmarks.accuracy import synthetic
from PIL import Image, ImageDraw

RECEIPTS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "dev-receipts"
#: A4 at 300 dpi, pixels
A4 = (2480, 3508)
DPI = 300


def a4_page(seed: int) -> Image.Image:
    """A clean upright A4 page at 300 dpi: prose in a DejaVu face at 9-10 pt, filling the page."""
    rng = random.Random(seed)
    face = synthetic.FONTS[seed % len(synthetic.FONTS)]
    size = rng.randint(38, 42)
    paragraphs = rng.sample(synthetic.PROSE, len(synthetic.PROSE))
    text, _ = synthetic.render_page(
        paragraphs + paragraphs[:4], font_name=face, size_px=size, width=A4[0], margin=200
    )
    page = Image.new("L", A4, 255)
    page.paste(text.crop((0, 0, A4[0], min(text.height, A4[1] - 200))), (0, 0))
    page.info["dpi"] = (DPI, DPI)
    return page


def png(image: Image.Image) -> bytes:
    """``image`` as PNG, keeping its resolution."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=image.info.get("dpi", (DPI, DPI)))
    return buffer.getvalue()


def clean_pages(count: int, seed: int = 11) -> list[bytes]:
    """``count`` different clean A4 pages as PNG files."""
    return [png(a4_page(seed + i)) for i in range(count)]


def receipts(count: int) -> list[Path]:
    """The first ``count`` shared receipt scans (JPEG files, read in place)."""
    found = sorted(RECEIPTS.glob("*.jpg"))[:count]
    if len(found) < count:
        raise SystemExit(f"need {count} receipts in {RECEIPTS}, found {len(found)}")
    return found


def scanned_pdf(pages: int, seed: int = 11) -> bytes:
    """A PDF of ``pages`` scanned-looking A4 pages (one greyscale image per page, 300 dpi)."""
    images = [a4_page(seed + i % 8) for i in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def large_upload(megabytes: float) -> bytes:
    """An uncompressed greyscale TIFF of about ``megabytes`` MB: a blank page with one line of
    text, so the file is as large as its pixels while reading it costs little."""
    side = int((megabytes * 1e6) ** 0.5)
    page = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(page)
    draw.text(
        (100, 100),
        "A large upload with one line of text.",
        fill=0,
        font=synthetic.font(synthetic.FONTS[0], 40),
    )
    buffer = io.BytesIO()
    page.save(buffer, "TIFF", dpi=(DPI, DPI))
    return buffer.getvalue()
