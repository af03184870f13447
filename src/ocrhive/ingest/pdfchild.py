"""The child process that opens one PDF with pdfium under a memory cap and rasterises the pages
its parent asks for, one at a time, answering over a pipe (run as ``python -m`` this module).

The protocol, all integers little-endian:

* parent → child: the document as ``<Q`` length + bytes, then one ``<I`` request per page
  wanted: a page index to render it, the index with :data:`TEXT_FLAG` for its text layer, or
  :data:`MERGE` followed by a ``<Q`` length + a PDF and ``<I`` count + one byte per page (1 =
  take the document's own page, 0 = the given PDF's page) to interleave the two; closing the
  pipe ends the child.
* child → parent: one :data:`HEADER` per answer — ``DOCUMENT`` (``a`` = page count),
  ``PAGE`` (``a`` × ``b`` grey pixels in rows of ``c`` bytes at ``dpi``, followed by ``b`` × ``c``
  bytes), ``TEXT`` (``a`` bytes of the text layer's JSON follow, see
  :class:`ocrhive.ingest.textlayer.TextLayer`), ``MERGED`` (``a`` bytes of PDF follow) or
  ``FAILURE`` (``code`` says why, ``a`` bytes of UTF-8 detail follow).
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import struct
import sys
from typing import Any, BinaryIO

#: kind (1 byte), code, a, b, c, dpi
HEADER = struct.Struct("<cBIIId")
DOCUMENT, PAGE, TEXT, MERGED, FAILURE = b"D", b"P", b"T", b"M", b"E"
#: a request for a page's text layer rather than its pixels
TEXT_FLAG = 0x8000_0000
#: a request to merge the document's pages with another PDF's
MERGE = 0xFFFF_FFFF
#: the longest PDF a merge request may send, bytes
MAX_MERGE_BYTES = 1 << 31
#: failure codes: the file is at fault, or the page needed more memory than the cap
UNREADABLE, MEMORY = 1, 2
LENGTH = struct.Struct("<Q")
REQUEST = struct.Struct("<I")

#: Render resolution for PDF pages without embedded images (vector or text-only pages).
DEFAULT_PDF_DPI = 300.0
#: Bounds for the resolution read off a page's largest image.
MIN_PDF_DPI, MAX_PDF_DPI = 150.0, 400.0

_PR_SET_PDEATHSIG = 1
# a failed load with the address space this full was an allocation failure, not a bad file
_NEAR_CAP = 0.9


def _die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when the worker that started it dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    # the parent may have died before prctl took effect
    if os.getppid() != parent:
        os._exit(1)


def _cap_memory(megabytes: int) -> int:
    """Cap the address space; an inherited, lower hard limit (the worker's own cap) wins."""
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return limit


def _peak_address_space() -> int:
    """This process's largest address space so far, bytes (0 if /proc cannot say)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    """``size`` bytes, or None at the end of the stream (the parent closed it)."""
    data = stream.read(size)
    return data if len(data) == size else None


def _fail(out: BinaryIO, code: int, detail: str) -> None:
    # bounded: pdfium's messages are short, but a message must never rival a page in size
    text = detail.encode("utf-8", "replace")[:4000]
    out.write(HEADER.pack(FAILURE, code, len(text), 0, 0, 0.0) + text)


def scan_dpi(page: Any, width_pt: float, height_pt: float) -> float:
    """The resolution of the page's largest image, so a scan is rendered at its own dpi."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    best = 0.0
    area = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        try:
            px_w, _ = obj.get_px_size()
            left, bottom, right, top = obj.get_bounds()
        except (pdfium.PdfiumError, AttributeError):
            continue
        shown_w = max(1e-3, right - left)
        if shown_w * (top - bottom) > area:
            area = shown_w * (top - bottom)
            best = px_w / (shown_w / 72)
    # only a scan covering most of the page sets the resolution; logos and figures do not
    if best <= 0 or area < 0.25 * width_pt * height_pt:
        return DEFAULT_PDF_DPI
    return max(MIN_PDF_DPI, min(MAX_PDF_DPI, best))


def _image_cover(page: Any, width_pt: float, height_pt: float) -> float:
    """The share of the page its largest picture covers (0–1)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    area = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        try:
            left, bottom, right, top = obj.get_bounds()
        except (pdfium.PdfiumError, AttributeError):
            continue
        area = max(area, max(0.0, right - left) * max(0.0, top - bottom))
    return min(1.0, area / max(1e-6, width_pt * height_pt))


def _text(pdf: Any, index: int, cap: int, out: BinaryIO) -> None:
    """Answer a text-layer request: the page's characters with their boxes, as JSON."""
    import json

    page = _load(pdf, index, cap, out)
    if page is None:
        return
    try:
        width_pt, height_pt = page.get_size()
        textpage = page.get_textpage()
        try:
            codes: list[int] = []
            boxes: list[list[float]] = []
            for i in range(textpage.count_chars()):
                char = textpage.get_text_range(index=i, count=1)
                codes.append(ord(char[0]) if char else 0)
                boxes.append([round(v, 2) for v in textpage.get_charbox(i)])
        finally:
            textpage.close()
        payload = json.dumps(
            {
                "size": [width_pt, height_pt],
                "cover": _image_cover(page, width_pt, height_pt),
                "codes": codes,
                "boxes": boxes,
            },
            separators=(",", ":"),
        ).encode()
    finally:
        page.close()
    out.write(HEADER.pack(TEXT, 0, len(payload), 0, 0, 0.0) + payload)


def _merge(pdf: Any, requests: BinaryIO, out: BinaryIO) -> None:
    """Answer a merge request: page by page, the document's own page or the given PDF's."""
    import io

    import pypdfium2 as pdfium

    head = _read_exactly(requests, LENGTH.size)
    size = LENGTH.unpack(head)[0] if head else 0
    if not head or size > MAX_MERGE_BYTES:
        _fail(out, UNREADABLE, "the merge request is malformed")
        return
    ours = _read_exactly(requests, size)
    count_raw = _read_exactly(requests, REQUEST.size)
    count = REQUEST.unpack(count_raw)[0] if count_raw else 0
    choices = _read_exactly(requests, count) if count_raw else None
    if ours is None or choices is None:
        return
    other = pdfium.PdfDocument(ours)
    merged = pdfium.PdfDocument.new()
    try:
        for index, own in enumerate(choices):
            merged.import_pages(pdf if own else other, pages=[index], index=index)
        buffer = io.BytesIO()
        merged.save(buffer)
    finally:
        merged.close()
        other.close()
    data = buffer.getvalue()
    out.write(HEADER.pack(MERGED, 0, len(data), 0, 0, 0.0))
    out.write(data)


def _load(pdf: Any, index: int, cap: int, out: BinaryIO) -> Any:
    """Page ``index``, or None once the failure is answered."""
    import pypdfium2 as pdfium

    try:
        return pdf[index]
    except pdfium.PdfiumError:
        if _peak_address_space() >= _NEAR_CAP * cap:
            _fail(out, MEMORY, "pdfium ran out of memory loading it")
        else:
            _fail(
                out,
                UNREADABLE,
                "pdfium cannot find or load it: the document's page tree is damaged "
                "(for example a /Pages node that lists itself or its parent in /Kids)",
            )
        return None


def _render(pdf: Any, index: int, max_pixels: int, cap: int, out: BinaryIO) -> None:
    """Answer one page request: its pixels, or why there are none."""
    page = _load(pdf, index, cap, out)
    if page is None:
        return
    try:
        width_pt, height_pt = page.get_size()
        dpi = scan_dpi(page, width_pt, height_pt)
        pixels = (width_pt * dpi / 72) * (height_pt * dpi / 72)
        if pixels > max_pixels:
            # a huge page (a poster): lower the resolution rather than refuse it
            dpi *= (max_pixels / pixels) ** 0.5
        if width_pt * dpi / 72 < 1 or height_pt * dpi / 72 < 1:
            _fail(out, UNREADABLE, f"the page has no area ({width_pt:g}×{height_pt:g} pt)")
            return
        # grey: the OCR pipeline reads grey anyway, and it is a third of BGR's memory
        bitmap = page.render(scale=dpi / 72, grayscale=True, may_draw_forms=True)
        try:
            width, height, stride = bitmap.width, bitmap.height, bitmap.stride
            out.write(HEADER.pack(PAGE, 0, width, height, stride, dpi))
            out.write(memoryview(bitmap.buffer).cast("B")[: stride * height])
        finally:
            bitmap.close()
    finally:
        page.close()


def serve(requests: BinaryIO, out: BinaryIO, *, max_pixels: int, cap: int) -> None:
    """Open the document sent on ``requests`` and answer page requests until it closes.

    Args:
        requests: The parent's requests (the document, then page indexes).
        out: Where the answers go.
        max_pixels: A page larger than this at its scan resolution is rendered at a lower dpi.
        cap: The address-space cap in force, bytes: a page that fails to load near it is
            reported as out of memory rather than unreadable.
    """
    import pypdfium2 as pdfium

    head = _read_exactly(requests, LENGTH.size)
    data = _read_exactly(requests, LENGTH.unpack(head)[0]) if head else None
    if data is None:
        return
    try:
        pdf = pdfium.PdfDocument(data)
        count = len(pdf)
    except pdfium.PdfiumError as exc:
        _fail(out, UNREADABLE, f"pdfium cannot open it: {exc}")
        out.flush()
        return
    out.write(HEADER.pack(DOCUMENT, 0, count, 0, 0, 0.0))
    out.flush()
    while (request := _read_exactly(requests, REQUEST.size)) is not None:
        (index,) = REQUEST.unpack(request)
        try:
            if index == MERGE:
                _merge(pdf, requests, out)
            elif index & TEXT_FLAG:
                _text(pdf, index & ~TEXT_FLAG, cap, out)
            else:
                _render(pdf, index, max_pixels, cap, out)
        except MemoryError:
            _fail(out, MEMORY, "the renderer ran out of memory")
        except Exception as exc:  # anything else pdfium raises is about this file
            _fail(out, UNREADABLE, f"{type(exc).__name__}: {exc}")
        out.flush()


def main(argv: list[str]) -> None:
    """Entry point: ``python -m ocrhive.ingest.pdfchild MEMORY_MB MAX_PIXELS PARENT_PID``."""
    memory_mb, max_pixels, parent = (int(arg) for arg in argv)
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group; the worker decides when this child ends
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # answers go to a private copy of stdout, so nothing a library prints can corrupt them
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = os.fdopen(os.dup(0), "rb")
    cap = _cap_memory(memory_mb)
    # pdfium is imported by serve, after the cap, so all its allocations fall under it
    serve(requests, out, max_pixels=max_pixels, cap=cap)


if __name__ == "__main__":
    main(sys.argv[1:])
