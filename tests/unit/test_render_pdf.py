"""Searchable PDF: text layer read back by two independent readers, image encodings, streaming."""

from __future__ import annotations

import io
import re
import tracemalloc
from dataclasses import dataclass

import pypdfium2 as pdfium
import pytest
from pdfminer.converter import PDFPageAggregator
from pdfminer.high_level import extract_text
from pdfminer.layout import LTChar, LTPage
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from PIL import Image, ImageChops, ImageDraw

from ocrhive.domain.document import Page
from ocrhive.render import pdf, pdfimage, text
from tests.textmetrics import normalise
from tests.unit.test_render_pages import TRICKY, blank, make_page, sample_page


@dataclass(frozen=True)
class PdfWord:
    """A word read back from the PDF, its box converted to page pixels (y down)."""

    text: str
    left: float
    right: float
    baseline: float
    top: float


def pdf_words(data: bytes, page: Page) -> list[list[PdfWord]]:
    """Words per PDF page, from pdfminer's characters in drawing order (no layout analysis)."""
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    k = page.dpi / 72.0
    out = []
    for pdf_page in PDFPage.get_pages(io.BytesIO(data)):
        interpreter.process_page(pdf_page)
        layout = device.get_result()
        assert isinstance(layout, LTPage)
        runs: list[list[LTChar]] = [[]]
        for item in layout:
            if not isinstance(item, LTChar):
                continue
            run = runs[-1]
            new_line = bool(run) and (abs(item.y0 - run[-1].y0) > 0.5 or item.x0 < run[-1].x0)
            if item.get_text() == " " or new_line:
                runs.append([])
            if item.get_text() != " ":
                runs[-1].append(item)
        words = [
            PdfWord(
                text="".join(c.get_text() for c in run),
                left=run[0].x0 * k,
                right=run[-1].x1 * k,
                baseline=(layout.height - run[0].y0) * k,
                top=(layout.height - run[0].y1) * k,
            )
            for run in runs
            if run
        ]
        out.append(words)
    return out


def pdfium_pages(data: bytes) -> list[tuple[tuple[float, float], str]]:
    """Each page's size in points and its text, as pdfium (Chrome's PDF engine) reads them."""
    document = pdfium.PdfDocument(data)
    try:
        return [(p.get_size(), p.get_textpage().get_text_range()) for p in document]
    finally:
        document.close()


def pdfium_render(data: bytes, dpi: float) -> Image.Image:
    document = pdfium.PdfDocument(data)
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()


def test_text_layer_reads_back_as_the_text_result() -> None:
    page = sample_page()
    data = pdf.render([(page, blank(page))])
    expected = normalise(text.render([page]).decode("utf-8"))
    assert normalise(extract_text(io.BytesIO(data))) == expected
    ((_, pdfium_text),) = pdfium_pages(data)
    assert normalise(pdfium_text) == expected


def test_each_word_lies_on_its_box() -> None:
    page = sample_page()
    (words,) = pdf_words(pdf.render([(page, blank(page))]), page)
    assert [w.text for w in words] == [w.text for w in page.words()]
    for got, word in zip(words, page.words(), strict=True):
        box = word.bbox
        assert got.left == pytest.approx(box.left, abs=0.5)
        assert got.right == pytest.approx(box.right, abs=0.5)
        # baseline from the line's baseline (8 px above the box bottom), glyphs up to its top
        assert got.baseline == pytest.approx(box.bottom - 8, abs=0.5)
        assert got.top == pytest.approx(box.top, abs=0.5)


def test_page_size_follows_dpi() -> None:
    for dpi, expected in ((300.0, (288.0, 192.0)), (150.0, (576.0, 384.0))):
        page = make_page([[["x"]]], dpi=dpi)
        ((size, _),) = pdfium_pages(pdf.render([(page, blank(page))]))
        assert size == pytest.approx(expected)


def test_pages_keep_their_order_and_sizes() -> None:
    pages = [make_page([[[f"page{n}"]]], width=600 + 100 * n, height=900) for n in range(3)]
    data = pdf.render((p, blank(p)) for p in pages)
    read = pdfium_pages(data)
    assert [size for size, _ in read] == [pytest.approx((p.width * 0.24, 216.0)) for p in pages]
    assert [t.strip() for _, t in read] == ["page0", "page1", "page2"]


def test_empty_page_has_only_the_image() -> None:
    page = Page(width=300, height=300)
    ((_, got),) = pdfium_pages(pdf.render([(page, blank(page))]))
    assert got == ""


def test_text_is_invisible() -> None:
    page = sample_page()
    rendered = pdfium_render(pdf.render([(page, blank(page))]), page.dpi)
    assert rendered.getextrema() == (255, 255)


def test_unicode_survives_copy() -> None:
    page = make_page([[TRICKY]])
    ((_, got),) = pdfium_pages(pdf.render([(page, blank(page))]))
    assert got.split() == TRICKY


def test_cross_reference_offsets_point_at_their_objects() -> None:
    page = sample_page()
    data = pdf.render([(page, blank(page)), (page, blank(page))])
    xref = int(re.findall(rb"startxref\n(\d+)", data)[-1])
    header = re.match(rb"xref\n0 (\d+)\n", data[xref:])
    assert header is not None
    rows = data[xref + header.end() :].split(b"\n")[: int(header.group(1))]
    for number, row in enumerate(rows[1:], start=1):
        offset = int(row[:10])
        assert data[offset:].startswith(f"{number} 0 obj".encode()), number


def drawn(mode: str) -> Image.Image:
    """A page-like image: text-ish black strokes, plus a grey or coloured patch when asked."""
    image = Image.new("RGB", (800, 600), "white")
    draw = ImageDraw.Draw(image)
    for row in range(10):
        draw.rectangle((50, 40 + 50 * row, 700, 60 + 50 * row), fill="black")
    if mode == "grey":
        for x in range(256):
            draw.line((x + 300, 500, x + 300, 590), fill=(x, x, x))
    if mode == "colour":
        draw.ellipse((500, 350, 780, 590), fill=(200, 30, 40))
    return image


def test_encodings_follow_colour_depth() -> None:
    bilevel = drawn("bilevel").convert("1", dither=Image.Dither.NONE)
    assert pdfimage.encode(bilevel).filter == "/CCITTFaxDecode"
    # an RGB or grey image holding only black and white is bilevel too
    assert pdfimage.encode(drawn("bilevel")).filter == "/CCITTFaxDecode"
    grey = pdfimage.encode(drawn("grey"))
    assert (grey.colorspace, grey.bits) == ("/DeviceGray", 8)
    colour = pdfimage.encode(drawn("colour"))
    assert (colour.colorspace, colour.filter) == ("/DeviceRGB", "/DCTDecode")
    assert pdfimage.encode(Image.new("RGBA", (4, 4), (0, 0, 0, 0))).colorspace == "/DeviceGray"


@pytest.mark.parametrize("mode", ["bilevel", "grey"])
def test_background_renders_like_the_image(mode: str) -> None:
    image = drawn(mode).convert("L")
    page = Page(width=image.width, height=image.height, dpi=72.0)
    rendered = pdfium_render(pdf.render([(page, image)]), 72.0)
    assert rendered.size == image.size
    worst = ImageChops.difference(rendered, image).getextrema()[1]
    # G4 and Flate are lossless; JPEG (if it wins on size for grey) stays near the original
    assert worst == 0 if mode == "bilevel" else worst < 48


def test_g4_polarity_is_right() -> None:
    image = Image.new("1", (64, 64), 1)
    ImageDraw.Draw(image).rectangle((0, 0, 31, 63), fill=0)
    page = Page(width=64, height=64, dpi=72.0)
    rendered = pdfium_render(pdf.render([(page, image)]), 72.0)
    assert rendered.getpixel((10, 10)) == 0
    assert rendered.getpixel((50, 10)) == 255


class Sink(io.RawIOBase):
    """A write-only stream that keeps nothing but a byte count."""

    def __init__(self) -> None:
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.count += len(data)
        return len(data)


def test_writing_to_a_stream_gives_the_same_document() -> None:
    page = sample_page()
    out = io.BytesIO()
    writer = pdf.PdfWriter(out)
    writer.add_page(page, blank(page))
    assert writer.page_count == 1
    assert writer.finish() == b""
    assert out.getvalue() == pdf.render([(page, blank(page))])
    with pytest.raises(RuntimeError):
        writer.add_page(page, blank(page))


def test_memory_does_not_grow_with_page_count() -> None:
    page = make_page([[["word"] * 8] * 20])
    noise = Image.effect_noise((page.width, page.height), 60).convert("L")

    def peak(count: int) -> int:
        sink = Sink()
        writer = pdf.PdfWriter(sink)  # type: ignore[arg-type]
        tracemalloc.start()
        try:
            for _ in range(count):
                writer.add_page(page, noise)
            writer.finish()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    one, many = peak(2), peak(40)
    assert many < 1.3 * one
