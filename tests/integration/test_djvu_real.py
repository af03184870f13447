"""DjVu2PDF on DjVu documents built with DjVuLibre's own encoders, read back with pdfium and
pdfminer; recognition by the real Tesseract engine."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from benchmarks.speed.djvu_speech import memory
from benchmarks.speed.djvudocs import bundle, djvu_document, djvu_page, repeated
from pdfminer.high_level import extract_text
from PIL import Image, ImageDraw

from ocrhive.domain.recognition import ArtifactKind, DsrMode, RecognitionSettings, ResultType
from ocrhive.engines.registry import EngineRegistry
from ocrhive.errors import ImageTooLarge, TaskFailed, UnreadableImage
from ocrhive.ingest.decode import DecodeLimits
from ocrhive.ingest.pages import PageLimits
from ocrhive.operations import djvu
from ocrhive.pipeline import PipelineOptions, Readers
from tests.conftest import PANGRAM_LINES, text_page
from tests.textmetrics import cer

LINES = [PANGRAM_LINES[0:2], PANGRAM_LINES[2:4], PANGRAM_LINES[3:5]]
#: the page modes of the three-page document: grey (IW44), bilevel (JB2), colour (IW44)
DPIS = (300, 200, 150)


@pytest.fixture(scope="module")
def readers() -> Readers:
    return Readers(engine=EngineRegistry())


def _pages() -> list[Image.Image]:
    colour = text_page(LINES[2]).convert("RGB")
    ImageDraw.Draw(colour).rectangle((10, 10, 60, 40), fill=(200, 30, 30))
    return [text_page(LINES[0]), text_page(LINES[1]).convert("1"), colour]


@pytest.fixture(scope="module")
def three_pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[Image.Image]]:
    folder = tmp_path_factory.mktemp("djvu3")
    images = _pages()
    paths = [djvu_page(im, folder / f"p{i}.djvu", dpi=DPIS[i]) for i, im in enumerate(images)]
    return bundle(paths, folder / "doc.djvu"), images


def _only_pdf(outcome_results: tuple[object, ...]) -> bytes:
    assert len(outcome_results) == 1
    (item,) = outcome_results
    assert item.kind is ArtifactKind.PDF
    data: bytes = item.data
    return data


def test_three_pages_become_a_three_page_pdf_of_the_original_images(
    three_pages: tuple[bytes, list[Image.Image]], readers: Readers
) -> None:
    data, images = three_pages
    outcome = djvu.run(
        data, RecognitionSettings(result_type=ResultType.PDF), readers, PipelineOptions()
    )
    pdf = _only_pdf(outcome.results)
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 3
    filters = []
    for page, image, dpi in zip(document, images, DPIS, strict=True):
        width, height = page.get_size()
        # the page is the image at its DjVu resolution: size in points = pixels × 72 / dpi
        assert width == pytest.approx(image.width * 72 / dpi, abs=0.5)
        assert height == pytest.approx(image.height * 72 / dpi, abs=0.5)
        (picture,) = list(page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE]))
        assert picture.get_px_size() == image.size
        filters.append(picture.get_filters())
    # the bilevel page stays bilevel (G4); the IW44 pages are continuous-tone
    assert filters[1] == ["CCITTFaxDecode"]
    assert filters[0] != ["CCITTFaxDecode"] and filters[2] != ["CCITTFaxDecode"]
    # converted, not read: no text layer, and the client is told how to get one
    assert extract_text(io.BytesIO(pdf)).strip() == ""
    assert any("without recognition" in w for w in outcome.warnings)


def test_the_pdf_shows_what_the_djvu_shows(
    three_pages: tuple[bytes, list[Image.Image]], readers: Readers
) -> None:
    data, images = three_pages
    pdf = _only_pdf(
        djvu.run(
            data, RecognitionSettings(result_type=ResultType.PDF), readers, PipelineOptions()
        ).results
    )
    document = pdfium.PdfDocument(pdf)
    for page, image in zip(document, images, strict=True):
        shown = page.render(scale=image.width / page.get_size()[0]).to_pil().convert("L")
        shown = shown.resize(image.size)
        difference = np.abs(
            np.asarray(shown, dtype=np.int16) - np.asarray(image.convert("L"), dtype=np.int16)
        )
        # IW44 and JPEG are lossy: a few edge pixels may flip, never the page
        assert float((difference > 96).mean()) < 0.01
        assert float((np.asarray(shown) < 128).mean()) > 0.01  # and the page is not blank


@pytest.mark.parametrize(
    ("result_type", "dsr_mode", "kinds"),
    [
        (ResultType.TEXT_AND_PDF, None, [ArtifactKind.TEXT, ArtifactKind.PDF]),
        (ResultType.PDF, DsrMode.NO_DSR_NO_FILTER, [ArtifactKind.PDF]),
        (ResultType.HOCR, None, [ArtifactKind.PDF, ArtifactKind.HOCR]),
    ],
)
def test_recognition_settings_make_the_pdf_searchable(
    three_pages: tuple[bytes, list[Image.Image]],
    readers: Readers,
    result_type: ResultType,
    dsr_mode: DsrMode | None,
    kinds: list[ArtifactKind],
) -> None:
    data, _ = three_pages
    settings = RecognitionSettings(result_type=result_type, dsr_mode=dsr_mode, binarization=True)
    outcome = djvu.run(data, settings, readers, PipelineOptions())
    assert [r.kind for r in outcome.results] == kinds
    results = {r.kind: r.data for r in outcome.results}
    pages = extract_text(io.BytesIO(results[ArtifactKind.PDF])).split("\f")
    assert len(pages) == 4  # three pages, each ending in a form feed
    for text, lines in zip(pages, LINES, strict=False):
        assert cer(" ".join(text.split()), " ".join(lines)) < 0.05, text
    if ArtifactKind.TEXT in results:
        text = results[ArtifactKind.TEXT].decode("utf-8")
        assert (
            cer(" ".join(text.split()), " ".join(line for lines in LINES for line in lines)) < 0.05
        )
    if ArtifactKind.HOCR in results:
        assert results[ArtifactKind.HOCR].count(b"class='ocr_page'") == 3


def test_a_rotate_turns_the_pdf_pages_and_the_text_layer_stays_on_them(
    tmp_path: Path, readers: Readers
) -> None:
    upright = text_page(PANGRAM_LINES[:3])
    # lying on its side: Rotate 90 (clockwise) stands it up again
    data = djvu_document([upright.rotate(90, expand=True)], tmp_path)
    settings = RecognitionSettings(result_type=ResultType.TEXT_AND_PDF, rotate=90)
    outcome = djvu.run(data, settings, readers, PipelineOptions())
    pdf = {r.kind: r.data for r in outcome.results}[ArtifactKind.PDF]
    (page,) = pdfium.PdfDocument(pdf)
    assert page.get_size() == pytest.approx(
        (upright.width * 72 / 300, upright.height * 72 / 300), abs=0.5
    )
    assert cer(" ".join(extract_text(io.BytesIO(pdf)).split()), " ".join(PANGRAM_LINES[:3])) < 0.05
    # each word's glyphs lie over its ink: pdfium finds "quick" where the page shows it
    textpage = page.get_textpage()
    found = textpage.search("quick")
    first = found.get_next()
    assert first is not None
    left, bottom, right, top = textpage.get_charbox(first[0])
    scale = 300 / 72
    box = (
        int(left * scale),
        int(upright.height - top * scale),
        int(right * scale),
        int(upright.height - bottom * scale),
    )
    ink = upright.crop(box).getextrema()
    assert ink[0] < 100  # the character box holds dark pixels


def _damaged(three: bytes) -> dict[str, bytes]:
    cut = bytearray(three)
    cut[300:2000] = bytes(1700)
    return {
        "truncated": three[: len(three) // 2],
        "zeroed middle": bytes(cut),
        "text": b"this is not a djvu document\n" * 10,
        "png": b"\x89PNG\r\n\x1a\n" + bytes(100),
        "empty": b"",
        "header only": three[:16],
    }


@pytest.mark.parametrize(
    "case", ["truncated", "zeroed middle", "text", "png", "empty", "header only"]
)
def test_damaged_or_foreign_input_fails_the_task_clearly(
    three_pages: tuple[bytes, list[Image.Image]], readers: Readers, case: str
) -> None:
    data = _damaged(three_pages[0])[case]
    with pytest.raises(TaskFailed) as failure:
        djvu.run(data, RecognitionSettings(result_type=ResultType.PDF), readers, PipelineOptions())
    assert isinstance(failure.value, UnreadableImage)
    assert "DjVu" in failure.value.message or "empty" in failure.value.message


def test_an_indirect_document_is_refused_before_any_tool_reads_it(
    three_pages: tuple[bytes, list[Image.Image]], tmp_path: Path, readers: Readers
) -> None:
    bundled = tmp_path / "bundled.djvu"
    bundled.write_bytes(three_pages[0])
    subprocess.run(["djvmcvt", "-i", str(bundled), str(tmp_path), "index.djvu"], check=True)
    with pytest.raises(UnreadableImage, match="indirect"):
        djvu.run(
            (tmp_path / "index.djvu").read_bytes(),
            RecognitionSettings(),
            readers,
            PipelineOptions(),
        )


def test_page_and_pixel_limits_hold(
    three_pages: tuple[bytes, list[Image.Image]], readers: Readers
) -> None:
    data, images = three_pages
    few_pages = PipelineOptions(limits=PageLimits(max_pages=2))
    with pytest.raises(ImageTooLarge, match="3 pages"):
        djvu.run(data, RecognitionSettings(result_type=ResultType.PDF), readers, few_pages)
    small = images[0].width * images[0].height - 1
    few_pixels = PipelineOptions(limits=PageLimits(decode=DecodeLimits(max_pixels=small)))
    with pytest.raises(ImageTooLarge, match="Page 1 of the DjVu document has too many pixels"):
        djvu.run(data, RecognitionSettings(result_type=ResultType.PDF), readers, few_pixels)


#: a 200 dpi US-letter colour page: 3.7 MP, 15 MB once decoded by Pillow (4 bytes per pixel)
BIG_PAGE = (1700, 2200)


def test_memory_stays_bounded_by_one_page_however_many_pages(tmp_path: Path) -> None:
    page = text_page(PANGRAM_LINES * 8, size=40, width=BIG_PAGE[0]).convert("RGB")
    page = page.resize(BIG_PAGE)
    ImageDraw.Draw(page).ellipse((200, 1500, 1500, 2100), fill=(40, 120, 200))
    encoded = djvu_page(page, tmp_path / "page.djvu", dpi=200)
    one = tmp_path / "one.djvu"
    one.write_bytes(repeated(encoded, 1, tmp_path / "one"))
    thirty = tmp_path / "thirty.djvu"
    thirty.write_bytes(repeated(encoded, 30, tmp_path / "thirty"))
    small, large = memory(one), memory(thirty)
    decoded = BIG_PAGE[0] * BIG_PAGE[1] * 4
    # holding the 30 pages would add 29 decoded pages (435 MB); the PDF itself grows by 29
    # pages (kept twice at the end: the writer's buffer and the bytes returned)
    assert large["self"] - small["self"] < decoded + 2 * large["pdf"], (small, large)
    # one tool runs at a time, each on one page: its peak does not grow with the page count
    assert 0 < large["tool"] < small["tool"] + 16 * 2**20, (small, large)
