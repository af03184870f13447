"""Every result format from one real Tesseract pass, checked with independent readers."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import jsonschema
import pypdfium2 as pdfium
import pytest
from pdfminer.high_level import extract_text
from PIL import Image, ImageDraw, ImageFont

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import ArtifactKind
from ocrhive.engines.base import EngineRequest
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.render import RenderedPage, jsondoc, pdf, render
from tests.conftest import PANGRAM_LINES, RECEIPTS, text_page
from tests.textmetrics import cer
from tests.unit.test_render_pdf import pdf_words

ALL = [
    ArtifactKind.TEXT,
    ArtifactKind.PDF,
    ArtifactKind.HOCR,
    ArtifactKind.JSON,
    ArtifactKind.IMAGE_PNG,
]
#: how far (page pixels) a word read back from the PDF may stray from its hOCR box
TOLERANCE_PX = 2.0


@pytest.fixture(scope="module")
def engine() -> TesseractEngine:
    return TesseractEngine()


def receipt_image(name: str = "sroie_009") -> Image.Image:
    path = RECEIPTS / f"{name}.jpg"
    if not path.exists():
        pytest.fail(f"dataset image missing: {path}")
    with Image.open(path) as image:
        return image.convert("RGB")


@dataclass(frozen=True)
class HocrWord:
    text: str
    bbox: tuple[int, int, int, int]
    line: tuple[int, int, int, int]


def hocr_words(data: bytes) -> list[list[HocrWord]]:
    """Words per ``ocr_page`` with their own and their line's bbox, read with ElementTree."""

    def bbox(element: ET.Element) -> tuple[int, int, int, int]:
        prop = next(p for p in element.get("title", "").split(";") if p.strip().startswith("bbox"))
        left, top, right, bottom = (int(v) for v in prop.split()[1:5])
        return left, top, right, bottom

    pages = []
    for element in ET.fromstring(data).iter():
        if element.get("class") == "ocr_page":
            words = []
            for line in element.iter():
                if line.get("class") == "ocr_line":
                    for word in line.iter():
                        if word.get("class") == "ocrx_word":
                            words.append(HocrWord(word.text or "", bbox(word), bbox(line)))
            pages.append(words)
    return pages


def json_words(document: dict[str, Any]) -> list[list[tuple[str, tuple[int, int, int, int]]]]:
    return [
        [
            (w["text"], (w["topLeftX"], w["topLeftY"], w["bottomRightX"], w["bottomRightY"]))
            for block in page["blocks"]
            for line in block["lines"]
            for w in line["words"]
        ]
        for page in document["pages"]
    ]


@pytest.mark.slow
@pytest.mark.parametrize("source", ["receipt", "clean"])
def test_every_format_agrees_from_one_pass(engine: TesseractEngine, source: str) -> None:
    image = receipt_image() if source == "receipt" else text_page()
    page = engine.recognize(image, EngineRequest())
    assert sum(1 for _ in page.words()) > 10
    artifacts = {a.kind: a.data for a in render(ALL, [RenderedPage(page=page, image=image)])}
    text = artifacts[ArtifactKind.TEXT].decode("utf-8")

    # PDF text, read by pdfminer in drawing order and with its own layout analysis
    (words,) = pdf_words(artifacts[ArtifactKind.PDF], page)
    assert cer(" ".join(w.text for w in words), text) <= 0.02
    assert cer(extract_text(io.BytesIO(artifacts[ArtifactKind.PDF])), text) <= 0.02

    # each PDF word on its hOCR word box (horizontally) and within its line (vertically)
    (hocr,) = hocr_words(artifacts[ArtifactKind.HOCR])
    assert [w.text for w in words] == [w.text for w in hocr]
    for got, box in zip(words, hocr, strict=True):
        left, _, right, _ = box.bbox
        _, line_top, _, line_bottom = box.line
        assert left - TOLERANCE_PX <= got.left < got.right <= right + TOLERANCE_PX, got
        assert line_top - TOLERANCE_PX <= got.top < got.baseline <= line_bottom + TOLERANCE_PX

    # hOCR and JSON carry the same words and boxes
    document = json.loads(artifacts[ArtifactKind.JSON])
    jsonschema.Draft202012Validator(jsondoc.schema()).validate(document)
    assert json_words(document) == [[(w.text, w.bbox) for w in hocr]]

    # PNG: the image as recognised, same size and depth
    with Image.open(io.BytesIO(artifacts[ArtifactKind.IMAGE_PNG])) as decoded:
        assert decoded.format == "PNG"
        assert decoded.size == (page.width, page.height) == image.size
        assert decoded.mode == image.mode


def text_lines(count: int) -> list[str]:
    return [f"{PANGRAM_LINES[i % len(PANGRAM_LINES)]} line {i}" for i in range(count)]


def a4_bilevel() -> Image.Image:
    """An A4 page at 300 dpi with 50 lines of serif text, thresholded to 1 bit."""
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype(
            "DejaVuSerif.ttf", 38
        )
    except OSError:  # no system fonts: Pillow's bundled one still makes a realistic page
        font = ImageFont.load_default(size=38)
    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(text_lines(50)):
        draw.text((200, 200 + i * 62), line, font=font, fill=0)
    return image.point(lambda v: 255 if v > 140 else 0).convert("1")


@pytest.mark.slow
def test_bilevel_page_pdf_is_about_the_size_of_its_g4_tiff(engine: TesseractEngine) -> None:
    image = a4_bilevel()
    page = engine.recognize(image, EngineRequest(dpi=300))
    data = pdf.render([(page, image)])
    tiff = io.BytesIO()
    image.save(tiff, "TIFF", compression="group4")
    # measured: 52 KB PDF for a 48 KB G4 TIFF (the text layer is the difference)
    assert len(data) < 1.5 * len(tiff.getvalue())
    assert len(data) < 80_000
    assert cer(extract_text(io.BytesIO(data)), "\n".join(text_lines(50))) <= 0.02


@pytest.mark.slow
def test_multi_page_pdf_has_each_page_at_its_size(engine: TesseractEngine) -> None:
    images = [receipt_image("sroie_009"), text_page(), receipt_image("sroie_063").convert("L")]
    dpis = [300.0, 200.0, 150.0]
    pages: list[Page] = []
    for image, dpi in zip(images, dpis, strict=True):
        pages.append(engine.recognize(image, EngineRequest(dpi=dpi)))
    writer = pdf.PdfWriter()
    for page, image in zip(pages, images, strict=True):
        writer.add_page(page, image)
    data = writer.finish()

    document = pdfium.PdfDocument(data)
    try:
        assert len(document) == 3
        for pdf_page, page, image in zip(document, pages, images, strict=True):
            assert page.dpi in dpis
            expected = (image.width * 72 / page.dpi, image.height * 72 / page.dpi)
            assert pdf_page.get_size() == pytest.approx(expected, abs=0.01)
            got = pdf_page.get_textpage().get_text_range()
            from_page = " ".join(w.text for w in page.words())
            assert cer(got, from_page) <= 0.02
    finally:
        document.close()
