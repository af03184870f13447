"""Hostile PDFs built as bytes in test code: a self-drawing form, a Flate bomb, a looping tree."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

#: What the Flate bomb's page content inflates to (the size of the reported attack).
BOMB_INFLATED_BYTES = 512 * 1024 * 1024


def _page(parent: int) -> bytes:
    return b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>" % parent


def pdf_document(objects: Iterable[bytes]) -> bytes:
    """A PDF whose object ``n`` is the ``n``-th item of ``objects`` (1-based), object 1 the
    catalog, with a correct cross-reference table so pdfium reads it without repairing it."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(offsets) + 1,
        xref,
    )
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    """A stream object: ``dictionary`` (without its ``<< >>``) plus ``/Length`` and ``data``."""
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def recursive_form() -> bytes:
    """A page drawing form XObject /Fm0, whose own content draws a line and then /Fm0 twice:
    every nesting level doubles the work, so a reader without a recursion guard never ends."""
    form_resources = b"/Resources << /XObject << /Fm0 5 0 R >> >>"
    return pdf_document(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            + form_resources
            + b" /Contents 4 0 R >>",
            stream(b"", b"/Fm0 Do"),
            stream(
                b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] " + form_resources,
                b"0 0 m 612 792 l S /Fm0 Do /Fm0 Do",
            ),
        ]
    )


def flate_bomb(
    inflated: int = BOMB_INFLATED_BYTES, line: bytes = b"10 10 m 600 780 l S\n"
) -> bytes:
    """One page whose Flate-compressed content inflates to ``inflated`` bytes of ``line``
    repeated (path operators); compressed in 1 MiB chunks, never holding the inflated stream."""
    chunk = line * (1024 * 1024 // len(line))
    packer = zlib.compressobj(9)
    parts: list[bytes] = []
    written = 0
    while written < inflated:
        piece = chunk[: inflated - written]
        parts.append(packer.compress(piece))
        written += len(piece)
    parts.append(packer.flush())
    return pdf_document(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            _page(2),
            stream(b"/Filter /FlateDecode", b"".join(parts)),
        ]
    )


def slow_page(strokes: int = 200_000) -> bytes:
    """A small page that takes long to render but little memory: ``strokes`` full-page lines
    (200,000 took over a minute at 300 dpi on a busy two-core machine)."""
    return flate_bomb(strokes * 20, b"10 10 m 600 780 l S\n")


def self_listing_page_tree() -> bytes:
    """A /Pages node whose /Kids lists the node itself beside its one real page."""
    return pdf_document(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            _page(2),
            stream(b"", b"0 0 m 612 792 l S"),
        ]
    )


def parent_listing_page_tree() -> bytes:
    """A /Pages node whose /Kids lists its own parent, so walking the tree goes round forever."""
    return pdf_document(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [5 0 R 3 0 R] /Count 2 >>",
            _page(2),
            stream(b"", b"0 0 m 612 792 l S"),
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ]
    )
