"""A PDF that already has text is read from its text layer, not OCRed: exact and fast; scanned
pages of the same PDF are OCRed as before, the warnings say which pages were read which way,
and the searchable PDF keeps the born-digital pages as they were."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator

import httpx
import pypdfium2 as pdfium
import pytest
from benchmarks.accuracy.metrics import cer
from benchmarks.speed.borndigital import page_lines, scanned_pdf, text_pdf
from pdfminer.high_level import extract_text

from ocrhive.documents import OWN_TEXT_NOTE
from ocrhive.ingest.pages import PageLimits, PageSource
from tests.conftest import LiveServer

pytestmark = pytest.mark.slow


def _mixed(first: bytes, second: bytes) -> bytes:
    """Page 1 of ``first`` followed by page 1 of ``second``."""
    out = pdfium.PdfDocument.new()
    for data in (first, second):
        out.import_pages(pdfium.PdfDocument(data), pages=[0])
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def test_the_text_layer_is_taken_only_where_it_can_replace_ocr() -> None:
    lines = page_lines(1)
    digital = text_pdf(lines)
    source = PageSource(digital, PageLimits(), all_pages=True)
    try:
        layer = source.text_layer(0)
    finally:
        source.close()
    assert layer is not None
    assert cer("\n".join(lines[0]), "\n".join(line.text for line in layer.page().lines())) == 0
    short = text_pdf([["Page 7"]])  # a page number alone is no reason to skip OCR
    for data in (scanned_pdf(digital), short):
        source = PageSource(data, PageLimits(), all_pages=True)
        try:
            assert source.text_layer(0) is None
        finally:
            source.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    live = LiveServer(data_dir=tmp_path_factory.mktemp("digital") / "data", workers=2)
    live.start()
    try:
        token = live.token(live.add_client())
        with httpx.Client(
            base_url=live.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as api:
            yield api
    finally:
        live.stop()


def _read(api: httpx.Client, pdf: bytes, result_type: str) -> tuple[float, dict[str, object]]:
    began = time.monotonic()
    body = {"image": base64.b64encode(pdf).decode(), "settings": {"resultType": result_type}}
    answer = api.post("/v5.0/ocr/RecognizePdf", json=body)
    assert answer.status_code == 200, answer.text
    while True:
        doc = api.get("/v5.0/ocr/RecognizePdf", params={"id": answer.text}).json()
        if doc["taskStatus"] in ("Completed", "Error"):
            break
        time.sleep(0.05)
    assert doc["taskStatus"] == "Completed", doc
    return time.monotonic() - began, doc


def _items(doc: dict[str, object]) -> dict[str, bytes]:
    results = doc["results"]
    assert isinstance(results, list)
    return {r["type"]: base64.b64decode(r["data"]) for r in results}


def test_a_born_digital_pdf_comes_back_exact_with_its_own_pages(server: httpx.Client) -> None:
    lines = page_lines(3, seed=11)
    truth = "\n".join("\n".join(page) for page in lines)
    digital = text_pdf(lines)
    seconds, doc = _read(server, digital, "TextAndPdf")
    items = _items(doc)
    assert cer(truth, items["Text"].decode()) <= 0.001
    error = doc["error"]
    assert isinstance(error, dict)
    assert error["warnings"] == [f"Page {n}: {OWN_TEXT_NOTE}" for n in (1, 2, 3)]
    # the searchable PDF holds the original pages: their own text, no page image
    pdf = pdfium.PdfDocument(items["Pdf"])
    assert len(pdf) == 3
    assert [round(x) for x in pdf[0].get_size()] == [612, 792]
    assert not list(pdf[0].get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,)))
    assert cer(truth, extract_text(io.BytesIO(items["Pdf"]))) <= 0.001
    scan_seconds, _ = _read(server, scanned_pdf(digital), "Text")
    assert seconds < scan_seconds, (seconds, scan_seconds)


def test_scanned_pages_of_the_same_pdf_are_still_ocred(server: httpx.Client) -> None:
    lines = page_lines(2, seed=5)
    digital = text_pdf(lines)
    mixed = _mixed(digital, scanned_pdf(text_pdf(lines[1:])))
    _, doc = _read(server, mixed, "TextAndHocr")
    items = _items(doc)
    error = doc["error"]
    assert isinstance(error, dict)
    assert f"Page 1: {OWN_TEXT_NOTE}" in error["warnings"]
    assert not any(w.startswith("Page 2:") and OWN_TEXT_NOTE in w for w in error["warnings"])
    first, second = items["Text"].decode().split("\f")
    assert cer("\n".join(lines[0]), first) == 0
    assert cer("\n".join(lines[1]), second) < 0.05  # OCR of a clean 300-dpi scan
    assert items["Hocr"].count(b"ocrx_word") > 2 * 40 * 8
