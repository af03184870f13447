"""The invisible font of the PDF text layer: a two-glyph TrueType program and its CMaps.

Searchable PDFs draw OCR text in render mode 3 (neither filled nor stroked), so the glyphs are
never seen; what matters is that every character has a known advance (so the text run can be
stretched over its word box) and maps back to Unicode (so search and copy work). Like
Tesseract's GlyphLessFont, every CID is drawn with one box-shaped glyph 500 units wide; unlike it,
CIDs are allocated per distinct character, so characters outside the BMP round-trip too.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

#: advance of every glyph, in the font's 1000-unit em
GLYPH_WIDTH = 500
_UNITS_PER_EM = 1000

#: ToUnicode allows at most 100 entries per bfchar section
_BFCHAR_CHUNK = 100


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


def _font_program() -> bytes:
    """A minimal TrueType font: glyph 0 (.notdef) and glyph 1, both a 500 × 1000 box.

    Only the tables PDF requires of an embedded CIDFontType2 program are present (ISO 32000-1
    §9.9): glyf, head, hhea, hmtx, loca, maxp. The glyphs are never painted.
    """
    # one closed contour through (0,0) (500,0) (500,1000) (0,1000); deltas as int16
    notdef = struct.pack(">hhhhh", 1, 0, 0, GLYPH_WIDTH, _UNITS_PER_EM)
    notdef += struct.pack(">HH", 3, 0)  # endPtsOfContours, instructionLength
    notdef += bytes([0x01] * 4)  # flags: on-curve, long x and y deltas
    notdef += struct.pack(">hhhh", 0, GLYPH_WIDTH, 0, -GLYPH_WIDTH)
    notdef += struct.pack(">hhhh", 0, 0, _UNITS_PER_EM, 0)
    notdef += b"\0" * (-len(notdef) % 4)
    # glyph 1 has the same box outline rather than none: text extractors (pdfium) drop a
    # one-character word whose glyph box is empty; render mode 3 keeps it unpainted anyway
    glyf = notdef + notdef
    loca = struct.pack(">HHH", 0, len(notdef) // 2, len(notdef))  # short offsets, /2
    hmtx = struct.pack(">HhHh", GLYPH_WIDTH, 0, GLYPH_WIDTH, 0)
    head = struct.pack(
        ">IIIIHHqqhhhhHHhhh",
        0x00010000,  # version
        0x00010000,  # fontRevision
        0,  # checkSumAdjustment, filled in below
        0x5F0F3CF5,  # magic
        0x000B,  # flags: baseline at y=0, lsb at x=0, integer scaling
        _UNITS_PER_EM,
        0,  # created
        0,  # modified
        0,
        0,
        GLYPH_WIDTH,
        _UNITS_PER_EM,  # xMin yMin xMax yMax
        0,  # macStyle
        8,  # lowestRecPPEM
        2,  # fontDirectionHint
        0,  # indexToLocFormat: short
        0,  # glyphDataFormat
    )
    hhea = struct.pack(
        ">IhhhHhhhhhhhhhhhH",
        0x00010000,
        _UNITS_PER_EM,  # ascender
        0,  # descender
        0,  # lineGap
        GLYPH_WIDTH,  # advanceWidthMax
        0,
        0,
        GLYPH_WIDTH,  # minLSB minRSB xMaxExtent
        1,
        0,
        0,  # caret slope rise/run, offset
        0,
        0,
        0,
        0,  # reserved
        0,  # metricDataFormat
        2,  # numberOfHMetrics
    )
    maxp = struct.pack(">I" + "H" * 14, 0x00010000, 2, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0)
    tables = {"glyf": glyf, "head": head, "hhea": hhea, "hmtx": hmtx, "loca": loca, "maxp": maxp}

    count = len(tables)
    entry_selector = count.bit_length() - 1
    search_range = (1 << entry_selector) * 16
    header = struct.pack(">IHHHH", 0x00010000, count, search_range, entry_selector,
                         count * 16 - search_range)  # fmt: skip
    offset = len(header) + 16 * count
    records = b""
    body = b""
    head_offset = 0
    for tag in sorted(tables):
        data = tables[tag]
        if tag == "head":
            head_offset = offset
        records += struct.pack(">4sIII", tag.encode("ascii"), _checksum(data), offset, len(data))
        padded = data + b"\0" * (-len(data) % 4)
        body += padded
        offset += len(padded)
    font = bytearray(header + records + body)
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[head_offset + 8 : head_offset + 12] = struct.pack(">I", adjustment)
    return bytes(font)


#: the embedded font program (FontFile2)
FONT_PROGRAM = _font_program()


def cid_to_gid_map(cid_count: int) -> bytes:
    """The CIDToGIDMap for CIDs ``0..cid_count-1``: CID 0 to .notdef, the rest to glyph 1."""
    return b"\0\0" + b"\0\1" * max(0, cid_count - 1)


def to_unicode_cmap(chars: Iterable[tuple[int, str]]) -> bytes:
    """A ToUnicode CMap mapping each 2-byte CID to the character it was allocated for.

    Args:
        chars: ``(cid, character)`` pairs; a character may be any code point, astral ones are
            written as UTF-16 surrogate pairs as the CMap format requires.
    """
    entries = [f"<{cid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for cid, ch in chars]
    parts = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(entries), _BFCHAR_CHUNK):
        chunk = entries[start : start + _BFCHAR_CHUNK]
        parts.append(f"{len(chunk)} beginbfchar")
        parts.extend(chunk)
        parts.append("endbfchar")
    parts += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(parts) + "\n").encode("ascii")
