"""RecognizePdf, RecognizeRegions and DetectRegions against the live server with the real engine."""

from __future__ import annotations

import ast
import base64
import io
import subprocess
import sys
import textwrap
import time
from typing import Any

import httpx
import pypdfium2 as pdfium
import pytest
from PIL import Image

from tests.conftest import LiveServer, b64, png_bytes, text_page
from tests.textmetrics import cer

pytestmark = pytest.mark.slow

PAGES = [
    ["Page one begins here.", "Alpha bravo charlie delta."],
    ["Second page of the scan.", "Echo foxtrot golf hotel."],
    ["Third and final page.", "India juliet kilo lima."],
]


def scanned_pdf(pages: list[list[str]], dpi: int = 200) -> bytes:
    images = [
        text_page(lines, size=34, width=1300).convert("1", dither=Image.Dither.NONE)
        for lines in pages
    ]
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buf.getvalue()


def finished(api: httpx.Client, path: str, task_id: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        doc: dict[str, Any] = api.get(f"/v5.0/ocr/{path}", params={"id": task_id}).json()
        if doc["taskStatus"] in ("Completed", "Error", "NotExist") or time.monotonic() > deadline:
            return doc
        time.sleep(0.2)


def items(doc: dict[str, Any]) -> list[tuple[str, bytes]]:
    assert doc["taskStatus"] == "Completed", doc
    return [(r["type"], base64.b64decode(r["data"])) for r in doc["results"]]


def test_a_scanned_pdf_comes_back_as_text_and_a_multipage_searchable_pdf(api: httpx.Client) -> None:
    body = {"image": b64(scanned_pdf(PAGES)), "settings": {"resultType": "TextAndPdf"}}
    task_id = api.post("/v5.0/ocr/RecognizePdf", json=body).text
    [(kind_text, text), (kind_pdf, pdf)] = items(finished(api, "RecognizePdf", task_id))
    assert (kind_text, kind_pdf) == ("Text", "Pdf")
    pages_text = text.decode().split("\f")
    assert len(pages_text) == 3
    for got, lines in zip(pages_text, PAGES, strict=True):
        assert cer(got, "\n".join(lines)) < 0.03
    doc = pdfium.PdfDocument(pdf)
    try:
        assert len(doc) == 3
        for index, lines in enumerate(PAGES):
            page = doc[index]
            width, _ = page.get_size()
            assert abs(width - 1300 * 72 / 200) < 2  # page size from the scan's resolution
            extracted = page.get_textpage().get_text_range()
            assert cer(extracted, "\n".join(lines)) < 0.03
    finally:
        doc.close()


def test_multipage_tiff_and_hocr_with_one_page_per_page(api: httpx.Client) -> None:
    frames = [text_page(lines, size=34, width=1300) for lines in PAGES]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    body = {"image": b64(buf.getvalue()), "settings": {"resultType": "Hocr"}}
    [(kind, hocr)] = items(
        finished(api, "RecognizePdf", api.post("/v5.0/ocr/RecognizePdf", json=body).text)
    )
    assert (
        kind == "Hocr"
        and hocr.decode().count("class='ocr_page'") + hocr.decode().count('class="ocr_page"') == 3
    )


def test_page_limit_is_reported(server_factory: Any) -> None:
    server: LiveServer = server_factory(workers=1, env={"OCRHIVE_MAX_PAGES": "2"})
    server.start()
    token = server.token(server.add_client())
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as api:
        task_id = api.post("/v5.0/ocr/RecognizePdf", json={"image": b64(scanned_pdf(PAGES))}).text
        doc = finished(api, "RecognizePdf", task_id)
    assert doc["taskStatus"] == "Error"
    assert "3 pages" in doc["error"]["messages"][0] and "at most 2" in doc["error"]["messages"][0]


def test_regions_come_back_one_result_each_in_ascending_order(api: httpx.Client) -> None:
    lines = ["Name: Ada Lovelace", "Born 1815 in London", "Analytical Engine notes"]
    page = text_page(lines, size=40, width=1100)
    step = int(40 * 1.6)

    def band(i: int) -> dict[str, int]:
        top = 40 + i * step - 8
        return {"topLeftX": 0, "topLeftY": top, "bottomRightX": 1100, "bottomRightY": top + step}

    settings = {
        "resultType": "Text",
        "regions": [
            {"rect": band(2), "order": 5},
            {"rect": band(0), "order": 1},
            {
                "rect": {
                    "topLeftX": 5000,
                    "topLeftY": 5000,
                    "bottomRightX": 5100,
                    "bottomRightY": 5100,
                },
                "order": 9,
            },
        ],
    }
    task_id = api.post(
        "/v5.0/ocr/RecognizeRegions", json={"image": b64(png_bytes(page)), "settings": settings}
    ).text
    doc = finished(api, "RecognizeRegions", task_id)
    got = [data.decode().strip() for _, data in items(doc)]
    assert got[0] == lines[0] and got[1] == lines[2] and got[2] == ""
    assert any("outside the image" in w for w in doc["error"]["warnings"])


def test_detect_regions_finds_the_text_blocks_in_submitted_coordinates(api: httpx.Client) -> None:
    page = Image.new("L", (1600, 1200), 255)
    block = text_page(["A block of text in the", "upper left of the page."], size=36, width=700)
    page.paste(block, (50, 60))
    page.paste(block, (850, 800))
    body = {"image": b64(png_bytes(page)), "settings": {"dsrMode": "Regions"}}
    [(kind, data)] = items(
        finished(api, "DetectRegions", api.post("/v5.0/ocr/DetectRegions", json=body).text)
    )
    assert kind == "Other"
    rects = ast.literal_eval(data.decode())
    assert data.decode().startswith("[[") and ", " in data.decode()
    assert len(rects) == 2
    (a, b) = sorted(rects)
    assert a[0] >= 50 and a[1] >= 60 and a[2] <= 750 and a[3] <= 60 + block.height
    assert b[0] >= 850 and b[1] >= 800


def test_peak_memory_of_a_long_pdf_stays_within_twice_a_one_page_pdf(tmp_path: Any) -> None:
    """Recognising 110 pages must not hold them all: measured in fresh processes."""
    one = tmp_path / "one.pdf"
    many = tmp_path / "many.pdf"
    one.write_bytes(scanned_pdf(PAGES[:1]))
    many.write_bytes(scanned_pdf([PAGES[i % 3] for i in range(110)]))
    probe = textwrap.dedent(
        """
        import resource, sys
        from pathlib import Path
        from ocrhive import pipeline
        from ocrhive.domain.recognition import Family, RecognitionSettings, ResultType
        from ocrhive.engines.tesseract import TesseractEngine
        readers = pipeline.Readers(engine=TesseractEngine())
        settings = RecognitionSettings(result_type=ResultType.TEXT_AND_PDF_AND_HOCR)
        out = pipeline.run(Path(sys.argv[1]).read_bytes(), Family.RECOGNIZE_PDF, settings,
                           readers, pipeline.PipelineOptions())
        assert not out.failed, out.messages
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, out.results[0].data.count(b"\\f"))
        """
    )

    def peak(path: Any) -> tuple[int, int]:
        done = subprocess.run(
            [sys.executable, "-c", probe, str(path)],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        rss, separators = done.stdout.split()
        return int(rss), int(separators)

    one_rss, _ = peak(one)
    many_rss, separators = peak(many)
    assert separators == 109
    assert many_rss < 2 * one_rss, (one_rss, many_rss)
