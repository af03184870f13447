"""The PDF child's answers, byte for byte, read in-process from its serve loop (real pdfium)."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from ocrhive.ingest import pdfchild
from tests.hostile_files import parent_listing_page_tree
from tests.integration.test_documents_live import PAGES, scanned_pdf

# these conversations run inside the test process, whose own peak (engines loaded by earlier
# tests) may pass 1 GiB: a cap far above it keeps "near the cap" from meaning memory here
CAP = 1 << 40


def conversation(document: bytes, pages: list[int], max_pixels: int = 100_000_000) -> bytes:
    requests = pdfchild.LENGTH.pack(len(document)) + document
    requests += b"".join(pdfchild.REQUEST.pack(index) for index in pages)
    out = io.BytesIO()
    pdfchild.serve(io.BytesIO(requests), out, max_pixels=max_pixels, cap=CAP)
    return out.getvalue()


def answers(raw: bytes) -> list[tuple[tuple[bytes, int, int, int, int, float], bytes]]:
    """Split the child's output into (header, payload) pairs, checking nothing is left over."""
    found = []
    at = 0
    while at < len(raw):
        header = pdfchild.HEADER.unpack_from(raw, at)
        at += pdfchild.HEADER.size
        kind, _, a, b, c, _ = header
        size = {pdfchild.DOCUMENT: 0, pdfchild.PAGE: b * c, pdfchild.FAILURE: a}[kind]
        found.append((header, raw[at : at + size]))
        at += size
    assert at == len(raw)
    return found


def test_pages_come_back_grey_at_their_scan_resolution_and_match_pdfium_in_process() -> None:
    document = scanned_pdf(PAGES, dpi=200)
    (opened, _), (page, pixels), (last, _) = answers(conversation(document, [1, 2]))
    assert opened[:3] == (pdfchild.DOCUMENT, 0, 3)
    kind, _, width, height, stride, dpi = page
    assert kind == pdfchild.PAGE and dpi == 200.0 and stride >= width
    assert last[0] == pdfchild.PAGE
    got = Image.frombuffer("L", (width, height), pixels, "raw", "L", stride, 1)
    expected = pdfium.PdfDocument(document)[1].render(scale=200 / 72, grayscale=True).to_pil()
    assert np.array_equal(np.asarray(got), np.asarray(expected))


def test_a_page_over_the_pixel_budget_is_rendered_at_a_lower_resolution() -> None:
    document = scanned_pdf(PAGES[:1], dpi=200)
    [_, ((_, _, width, height, _, dpi), _)] = answers(conversation(document, [0], 20_000))
    assert width * height <= 20_000 * 1.05 and dpi < 200  # each side rounds up


def test_a_page_pdfium_cannot_load_is_a_failure_about_the_file_and_the_child_carries_on() -> None:
    document = parent_listing_page_tree()
    [opened, (failure, detail), (again, _)] = answers(conversation(document, [0, 0]))
    assert opened[0][:3] == (pdfchild.DOCUMENT, 0, 2)
    assert failure[:2] == (pdfchild.FAILURE, pdfchild.UNREADABLE)
    assert b"page tree" in detail and b"/Kids" in detail
    assert again[:2] == (pdfchild.FAILURE, pdfchild.UNREADABLE)


def test_a_file_that_is_not_a_pdf_fails_to_open_with_pdfiums_reason() -> None:
    [(failure, detail)] = answers(conversation(b"%PDF-1.7\nnot really", [0]))
    assert failure[:2] == (pdfchild.FAILURE, pdfchild.UNREADABLE)
    assert detail.startswith(b"pdfium cannot open it")


def test_a_truncated_document_ends_the_child_without_an_answer() -> None:
    out = io.BytesIO()
    requests = io.BytesIO(pdfchild.LENGTH.pack(1000) + b"%PDF-1.7")
    pdfchild.serve(requests, out, max_pixels=1000, cap=CAP)
    assert out.getvalue() == b""
