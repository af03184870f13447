"""A submitted file as a sequence of page images: PDFs rasterised page by page at their scan
resolution, multi-page TIFFs frame by frame, anything else as one page — never all at once."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageSequence

from ocrhive.errors import ImageTooLarge, UnreadableImage
from ocrhive.ingest.decode import DecodeLimits, normalise_mode, open_image

#: Render resolution for PDF pages without embedded images (vector or text-only pages).
DEFAULT_PDF_DPI = 300.0
#: Bounds for the resolution read off a page's largest image.
MIN_PDF_DPI, MAX_PDF_DPI = 150.0, 400.0

# pdfium is not thread-safe; workers are single-threaded, but tests may not be
_PDFIUM = threading.Lock()


@dataclass(frozen=True, kw_only=True)
class PageLimits:
    """How much of a document a task may read."""

    decode: DecodeLimits = field(default_factory=DecodeLimits)
    max_pages: int = 500


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF")


class PageSource:
    """The pages of one submitted file, decoded lazily one at a time."""

    def __init__(self, data: bytes, limits: PageLimits, *, all_pages: bool) -> None:
        self._data = data
        self._limits = limits
        self._all = all_pages
        self._pdf: pdfium.PdfDocument | None = None
        if is_pdf(data):
            try:
                with _PDFIUM:
                    self._pdf = pdfium.PdfDocument(data)
                    total = len(self._pdf)
            except pdfium.PdfiumError as exc:
                raise UnreadableImage(f"The submitted PDF could not be read: {exc}.") from None
        else:
            total = self._frame_count()
        if total == 0:
            raise UnreadableImage("The submitted document has no pages.")
        self.count = total if all_pages else 1
        if self.count > limits.max_pages:
            raise ImageTooLarge(
                f"The document has {total} pages; this server reads at most "
                f"{limits.max_pages} pages per task."
            )

    def _frame_count(self) -> int:
        try:
            with Image.open(io.BytesIO(self._data)) as probe:
                return int(getattr(probe, "n_frames", 1)) if self._all else 1
        except Exception:  # anything unreadable is reported by open_image with a clear message
            return 1

    def __iter__(self) -> Iterator[Image.Image]:
        if self._pdf is not None:
            for index in range(self.count):
                yield self._pdf_page(index)
            return
        if self.count == 1:
            yield open_image(self._data, self._limits.decode)
            return
        first = open_image(self._data, self._limits.decode)  # validates size and format
        dpi = first.info.get("dpi")
        del first
        with Image.open(io.BytesIO(self._data)) as doc:
            for frame in ImageSequence.Iterator(doc):
                self._check_pixels(frame.width, frame.height)
                try:
                    page = normalise_mode(frame.copy())
                except (OSError, ValueError) as exc:
                    raise UnreadableImage(f"A page of the TIFF could not be read: {exc}") from None
                if dpi:
                    page.info["dpi"] = dpi
                yield page

    def _check_pixels(self, width: int, height: int) -> None:
        limit = self._limits.decode.max_pixels
        if width * height > limit:
            raise ImageTooLarge(
                f"A page has too many pixels: {width}×{height}; this server accepts at most "
                f"{limit / 1e6:.0f} MP."
            )

    def _pdf_page(self, index: int) -> Image.Image:
        assert self._pdf is not None
        with _PDFIUM:
            page = self._pdf[index]
            try:
                width_pt, height_pt = page.get_size()
                dpi = _scan_dpi(page, width_pt, height_pt)
                pixels = (width_pt * dpi / 72) * (height_pt * dpi / 72)
                if pixels > self._limits.decode.max_pixels:
                    # a huge page (a poster): lower the resolution rather than refuse it
                    dpi *= (self._limits.decode.max_pixels / pixels) ** 0.5
                bitmap = page.render(scale=dpi / 72, grayscale=False, may_draw_forms=True)
                image = bitmap.to_pil()
            finally:
                page.close()
        image = normalise_mode(image)
        image.info["dpi"] = (dpi, dpi)
        return image

    def close(self) -> None:
        if self._pdf is not None:
            with _PDFIUM:
                self._pdf.close()
            self._pdf = None


def _scan_dpi(page: pdfium.PdfPage, width_pt: float, height_pt: float) -> float:
    """The resolution of the page's largest image, so a scan is rendered at its own dpi."""
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
