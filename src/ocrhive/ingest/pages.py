"""A submitted file as a sequence of page images: PDFs rasterised page by page at their scan
resolution in a sandboxed child process, multi-page TIFFs frame by frame, anything else as one
page — never all at once."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from PIL import Image

from ocrhive.errors import ImageTooLarge, UnreadableImage
from ocrhive.ingest.decode import DecodeLimits, normalise_mode, open_image
from ocrhive.ingest.pdfsandbox import PdfRenderer
from ocrhive.ingest.textlayer import TextLayer


@dataclass(frozen=True, kw_only=True)
class PageLimits:
    """How much of a document a task may read."""

    decode: DecodeLimits = field(default_factory=DecodeLimits)
    max_pages: int = 500
    #: address-space cap of the child process that renders a PDF, MiB
    render_memory_mb: int = 1024
    #: how long opening a PDF, or rendering one of its pages, may take, seconds
    page_render_seconds: float = 30.0


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF")


class PageSource:
    """The pages of one submitted file, decoded lazily one at a time."""

    def __init__(self, data: bytes, limits: PageLimits, *, all_pages: bool) -> None:
        self._data = data
        self._limits = limits
        self._all = all_pages
        self._pdf: PdfRenderer | None = None
        #: a multi-page TIFF's first frame was checked, and its resolution (for every frame)
        self._validated = False
        self._dpi: object = None
        if is_pdf(data):
            # never opened in this process: a hostile PDF may take all memory or never finish
            self._pdf = PdfRenderer(
                data,
                memory_mb=limits.render_memory_mb,
                page_seconds=limits.page_render_seconds,
                max_pixels=limits.decode.max_pixels,
            )
            total = self._pdf.count
        else:
            total = self._frame_count()
        try:
            if total == 0:
                raise UnreadableImage("The submitted document has no pages.")
            self.count = total if all_pages else 1
            if self.count > limits.max_pages:
                raise ImageTooLarge(
                    f"The document has {total} pages; this server reads at most "
                    f"{limits.max_pages} pages per task."
                )
        except BaseException:
            self.close()  # the caller never gets this source to close
            raise

    def _frame_count(self) -> int:
        try:
            with Image.open(io.BytesIO(self._data)) as probe:
                return int(getattr(probe, "n_frames", 1)) if self._all else 1
        except Exception:  # anything unreadable is reported by open_image with a clear message
            return 1

    def __iter__(self) -> Iterator[Image.Image]:
        for index in range(self.count):
            yield self.page(index)

    def page(self, index: int) -> Image.Image:
        """Page ``index`` (0-based) alone, for a worker that reads some pages of a document."""
        if self._pdf is not None:
            return self._pdf.render(index)
        if self.count == 1:
            return open_image(self._data, self._limits.decode)
        if not self._validated:
            first = open_image(self._data, self._limits.decode)  # validates size and format
            self._dpi = first.info.get("dpi")
            self._validated = True
            del first
        dpi = self._dpi
        with Image.open(io.BytesIO(self._data)) as doc:
            try:
                doc.seek(index)
            except EOFError:
                raise UnreadableImage(f"The TIFF has no page {index + 1}.") from None
            self._check_pixels(doc.width, doc.height)
            try:
                page = normalise_mode(doc.copy())
            except (OSError, ValueError) as exc:
                raise UnreadableImage(f"A page of the TIFF could not be read: {exc}") from None
        if dpi:
            page.info["dpi"] = dpi
        return page

    def text_layer(self, index: int) -> TextLayer | None:
        """Page ``index``'s own text when it can replace OCR (a born-digital PDF page), else
        None (scans, images, pages whose fonts map to no usable text)."""
        if self._pdf is None:
            return None
        layer = self._pdf.text(index)
        return layer if layer.usable() else None

    def with_own_pages(self, pdf: bytes, own: Sequence[bool]) -> bytes:
        """``pdf`` (a rendering of this document, page for page) with this PDF's own pages put
        back where ``own`` says: a born-digital page stays as it was, vector text and all."""
        if self._pdf is None or not any(own):
            return pdf
        return self._pdf.merge(pdf, own)

    def _check_pixels(self, width: int, height: int) -> None:
        limit = self._limits.decode.max_pixels
        if width * height > limit:
            raise ImageTooLarge(
                f"A page has too many pixels: {width}×{height}; this server accepts at most "
                f"{limit / 1e6:.0f} MP."
            )

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
