"""Searchable PDF: each page image as the background, its recognised words as invisible text.

The writer streams: ``add_page`` encodes one page's image and text and writes them out at
once, keeping only object offsets and the character → CID table, so a long document never
holds more than one page image. The font and page tree, which depend on every page, are
written by ``finish``.
"""

from __future__ import annotations

import io
import math
import zlib
from collections.abc import Iterable
from typing import BinaryIO

from PIL import Image

from ocrhive.domain.document import Line, Page
from ocrhive.render import glyphless, pdfimage

_CATALOG, _PAGES, _FONT, _CIDFONT, _DESCRIPTOR, _FONT_FILE, _TO_UNICODE, _CID_TO_GID = range(1, 9)
_FIRST_FREE = 9
#: 2-byte CIDs, 0 being .notdef; past this many distinct characters the rest show as U+FFFD
_MAX_CID = 0xFFFF
_DEFAULT_DPI = 300.0


def _num(value: float) -> str:
    """A PDF real with at most 3 decimals and no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class PdfWriter:
    """Writes a searchable PDF one page at a time.

    Example::

        writer = PdfWriter()
        for page, image in pages:
            writer.add_page(page, image)
        data = writer.finish()

    Args:
        out: A binary stream to write to as pages arrive (a file, a socket); when omitted the
            document is built in memory and returned by :meth:`finish`.
    """

    def __init__(self, out: BinaryIO | None = None) -> None:
        self._buffer: io.BytesIO | None = None
        if out is None:
            out = self._buffer = io.BytesIO()
        self._out: BinaryIO = out
        self._pos = 0
        self._offsets: dict[int, int] = {}
        self._next = _FIRST_FREE
        self._pages: list[int] = []
        self._cids: dict[str, int] = {}
        self._finished = False
        # the binary comment marks the file as binary for transfer tools
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        self._object(
            _DESCRIPTOR,
            "<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5"
            f" /FontBBox [0 0 {glyphless.GLYPH_WIDTH} 1000] /ItalicAngle 0 /Ascent 1000"
            f" /Descent 0 /CapHeight 1000 /StemV 80 /FontFile2 {_FONT_FILE} 0 R >>",
        )
        self._stream(
            _FONT_FILE, "", glyphless.FONT_PROGRAM, extra=f"/Length1 {len(glyphless.FONT_PROGRAM)}"
        )

    @property
    def page_count(self) -> int:
        """How many pages have been added so far."""
        return len(self._pages)

    def add_page(self, page: Page, image: Image.Image) -> None:
        """Write one page: ``image`` fills the page, ``page``'s words lie on their boxes.

        Args:
            page: The recognised page; its boxes are in the pixels of ``image`` and its
                ``dpi`` sets the page size in points (width_px × 72 / dpi).
            image: The (preprocessed) image the boxes refer to; encoded and released here.
        """
        self.add_encoded_page(page, pdfimage.encode(image))

    def add_encoded_page(self, page: Page, encoded: pdfimage.EncodedImage) -> None:
        """Write one page whose image was encoded already (by another worker, say).

        Args:
            page: The recognised page, as for :meth:`add_page`.
            encoded: Its image as :func:`pdfimage.encode` made it.
        """
        if self._finished:
            raise RuntimeError("the PDF is already finished")
        width_px = page.width or encoded.width
        height_px = page.height or encoded.height
        dpi = page.dpi if page.dpi > 0 else _DEFAULT_DPI
        scale = 72.0 / dpi
        width_pt, height_pt = width_px * scale, height_px * scale

        image_id = self._allocate()
        parms = f" /DecodeParms {encoded.decode_parms}" if encoded.decode_parms else ""
        self._stream(
            image_id,
            f"/Type /XObject /Subtype /Image /Width {encoded.width} /Height {encoded.height}"
            f" /ColorSpace {encoded.colorspace} /BitsPerComponent {encoded.bits}"
            f" /Filter {encoded.filter}{parms}",
            encoded.data,
        )
        del encoded

        content = [f"q {_num(width_pt)} 0 0 {_num(height_pt)} 0 0 cm /Im0 Do Q"]
        text = self._text_layer(page, scale, height_px)
        if text:
            content += ["BT", "3 Tr", *text, "ET"]
        content_id = self._allocate()
        self._stream(
            content_id, "/Filter /FlateDecode", zlib.compress("\n".join(content).encode("ascii"))
        )

        page_id = self._allocate()
        self._object(
            page_id,
            f"<< /Type /Page /Parent {_PAGES} 0 R"
            f" /MediaBox [0 0 {_num(width_pt)} {_num(height_pt)}] /Contents {content_id} 0 R"
            f" /Resources << /XObject << /Im0 {image_id} 0 R >> /Font << /F1 {_FONT} 0 R >>"
            " /ProcSet [/PDF /Text /ImageB /ImageC /ImageI] >> >>",
        )
        self._pages.append(page_id)

    def finish(self) -> bytes:
        """Write the font, page tree and cross-reference table, ending the document.

        Returns:
            The whole PDF when the writer built it in memory; ``b""`` when it wrote to the
            stream given to the constructor (which then holds the complete document).
        """
        if self._finished:
            raise RuntimeError("the PDF is already finished")
        self._finished = True
        cid_count = len(self._cids) + 1
        self._object(
            _FONT,
            "<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H"
            f" /DescendantFonts [{_CIDFONT} 0 R] /ToUnicode {_TO_UNICODE} 0 R >>",
        )
        self._object(
            _CIDFONT,
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont"
            " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            f" /FontDescriptor {_DESCRIPTOR} 0 R /DW {glyphless.GLYPH_WIDTH}"
            f" /CIDToGIDMap {_CID_TO_GID} 0 R >>",
        )
        cmap = glyphless.to_unicode_cmap((cid, ch) for ch, cid in self._cids.items())
        self._stream(_TO_UNICODE, "/Filter /FlateDecode", zlib.compress(cmap))
        gid_map = glyphless.cid_to_gid_map(cid_count)
        self._stream(_CID_TO_GID, "/Filter /FlateDecode", zlib.compress(gid_map))
        kids = " ".join(f"{p} 0 R" for p in self._pages)
        self._object(_PAGES, f"<< /Type /Pages /Kids [{kids}] /Count {len(self._pages)} >>")
        self._object(_CATALOG, f"<< /Type /Catalog /Pages {_PAGES} 0 R >>")
        info = self._allocate()
        self._object(info, "<< /Producer (ocrhive) >>")

        xref = self._pos
        size = self._next
        rows = [f"xref\n0 {size}\n", "0000000000 65535 f \n"]
        rows += [f"{self._offsets[n]:010d} 00000 n \n" for n in range(1, size)]
        rows.append(f"trailer\n<< /Size {size} /Root {_CATALOG} 0 R /Info {info} 0 R >>\n")
        rows.append(f"startxref\n{xref}\n%%EOF\n")
        self._write("".join(rows).encode("ascii"))
        return self._buffer.getvalue() if self._buffer is not None else b""

    def _text_layer(self, page: Page, scale: float, height_px: int) -> list[str]:
        ops: list[str] = []
        for line in page.lines():
            ops += self._line_ops(line, scale, height_px)
        return ops

    def _line_ops(self, line: Line, scale: float, height_px: int) -> list[str]:
        """Operators drawing one line: each word stretched over its box, then a space stretched
        over the gap to the next word, so extraction gets both the words and their spacing."""
        box = line.bbox
        if box.height <= 0 or not line.words:
            return []
        slope, offset = line.baseline
        left_y = box.bottom + offset
        right_y = left_y + slope * box.width
        # the glyph box runs from the baseline up to the line's top: size = ascender height
        size_px = min(left_y, right_y) - box.top
        if size_px < max(1.0, box.height * 0.25):
            size_px = box.height
            left_y, slope = float(box.bottom), 0.0
        size = size_px * scale
        angle = math.atan(slope)
        cos, sin = math.cos(angle), math.sin(angle)
        advance = glyphless.GLYPH_WIDTH / 1000.0 * size  # one glyph at 100 % scaling

        ops = [f"/F1 {_num(size)} Tf"]
        words = [w for w in line.words if w.text]
        for index, word in enumerate(words):
            codes = self._encode(word.text)
            glyphs = len(codes) // 4
            base_y = left_y + slope * (word.bbox.left - box.left)
            base_y = min(max(base_y, box.top + 1.0), float(box.bottom))
            x, y = word.bbox.left * scale, (height_px - base_y) * scale
            # image y grows downwards, PDF y upwards: the angle flips sign
            ops.append(f"{_num(cos)} {_num(-sin)} {_num(sin)} {_num(cos)} {_num(x)} {_num(y)} Tm")
            span = max(word.bbox.width, 1) * scale / cos
            ops.append(f"{_num(100.0 * span / (glyphs * advance))} Tz <{codes}> Tj")
            if index + 1 < len(words):
                gap = max(words[index + 1].bbox.left - word.bbox.right, 1) * scale / cos
                ops.append(f"{_num(100.0 * gap / advance)} Tz <{self._encode(' ')}> Tj")
        return ops

    def _encode(self, text: str) -> str:
        """Hex of the 2-byte CIDs for ``text``, allocating a CID for each new character."""
        out = []
        for ch in text:
            cid = self._cids.get(ch)
            if cid is None:
                if len(self._cids) + 1 >= _MAX_CID:
                    ch = "\ufffd"
                cid = self._cids.setdefault(ch, len(self._cids) + 1)
            out.append(f"{cid:04X}")
        return "".join(out)

    def _allocate(self) -> int:
        number = self._next
        self._next += 1
        return number

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._pos += len(data)

    def _object(self, number: int, body: str) -> None:
        self._offsets[number] = self._pos
        self._write(f"{number} 0 obj\n{body}\nendobj\n".encode("ascii"))

    def _stream(self, number: int, entries: str, data: bytes, extra: str = "") -> None:
        self._offsets[number] = self._pos
        head = " ".join(part for part in (entries, extra, f"/Length {len(data)}") if part)
        self._write(f"{number} 0 obj\n<< {head} >>\nstream\n".encode("ascii"))
        self._write(data)
        self._write(b"\nendstream\nendobj\n")


def render(pages: Iterable[tuple[Page, Image.Image]]) -> bytes:
    """A searchable PDF of ``pages``, in order.

    Args:
        pages: ``(page, image)`` pairs; a generator keeps only one image alive at a time.

    Returns:
        The PDF document.
    """
    writer = PdfWriter()
    for page, image in pages:
        writer.add_page(page, image)
    return writer.finish()
