"""One page's result parts — its page tree, notes, encoded PDF image and PNG — as bytes a task
store can keep, so a page read by one worker is assembled into the document by another.

The bytes are ``MAGIC``, a 4-byte header length, a JSON header (the page tree as nested lists,
the notes, the PDF image's dictionary entries, blob sizes), then the PDF image and PNG blobs.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image

from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import ArtifactKind
from ocrhive.render import pdfimage, png

MAGIC = b"OHP1"
_LENGTH = struct.Struct("<I")


@dataclass(frozen=True, kw_only=True)
class PagePart:
    """What the renderers need of one page, without its decoded image."""

    page: Page
    #: notes about reading this page (not yet prefixed with its number)
    warnings: tuple[str, ...] = ()
    #: the page image as the searchable PDF embeds it (PDF results only)
    pdf_image: pdfimage.EncodedImage | None = None
    #: the page image as PNG (the ImagePNG result: the first page only)
    png: bytes | None = None
    #: read from the PDF's own text layer: the searchable PDF keeps the original page
    own_page: bool = False


def make_part(
    page: Page,
    image: Image.Image,
    kinds: Sequence[ArtifactKind],
    *,
    first: bool,
    warnings: Sequence[str] = (),
) -> PagePart:
    """Encode what ``kinds`` need of ``image`` now, so the image itself can be let go.

    Args:
        page: The recognised page; its boxes refer to ``image``.
        image: The (preprocessed) page image.
        kinds: The results the task asks for.
        first: Whether this is the document's first page (the only one ImagePNG shows).
        warnings: Notes about reading this page.
    """
    return PagePart(
        page=page,
        warnings=tuple(warnings),
        pdf_image=pdfimage.encode(image) if ArtifactKind.PDF in kinds else None,
        png=png.render([image], dpi=page.dpi)
        if first and ArtifactKind.IMAGE_PNG in kinds
        else None,
    )


def _box(box: BBox) -> list[int]:
    return [box.left, box.top, box.right, box.bottom]


def _unbox(raw: list[int]) -> BBox:
    return BBox(left=raw[0], top=raw[1], right=raw[2], bottom=raw[3])


def _word(word: Word) -> list[Any]:
    return [word.text, _box(word.bbox), word.confidence]


def _line(line: Line) -> list[Any]:
    return [_box(line.bbox), list(line.baseline), [_word(w) for w in line.words]]


def _block(block: Block) -> list[Any]:
    paragraphs = [[_box(p.bbox), [_line(line) for line in p.lines]] for p in block.paragraphs]
    return [_box(block.bbox), block.confidence, paragraphs]


def page_to_list(page: Page) -> list[Any]:
    """``page`` as JSON-ready nested lists (compact: a long document's trees add up)."""
    return [
        page.width,
        page.height,
        page.dpi,
        page.rotation,
        page.skew,
        page.language,
        [_block(b) for b in page.blocks],
    ]


def page_from_list(raw: list[Any]) -> Page:
    """The page :func:`page_to_list` wrote."""
    width, height, dpi, rotation, skew, language, blocks = raw
    return Page(
        width=width,
        height=height,
        dpi=dpi,
        rotation=rotation,
        skew=skew,
        language=language,
        blocks=tuple(
            Block(
                bbox=_unbox(bbox),
                confidence=confidence,
                paragraphs=tuple(
                    Paragraph(
                        bbox=_unbox(pbox),
                        lines=tuple(
                            Line(
                                bbox=_unbox(lbox),
                                baseline=(baseline[0], baseline[1]),
                                words=tuple(
                                    Word(text=t, bbox=_unbox(wbox), confidence=c)
                                    for t, wbox, c in words
                                ),
                            )
                            for lbox, baseline, words in lines
                        ),
                    )
                    for pbox, lines in paragraphs
                ),
            )
            for bbox, confidence, paragraphs in blocks
        ),
    )


def encode_part(part: PagePart) -> bytes:
    """``part`` as bytes (see the module docstring)."""
    image = part.pdf_image
    header: dict[str, Any] = {
        "page": page_to_list(part.page),
        "warnings": list(part.warnings),
        "pdf": None,
        "png": len(part.png) if part.png is not None else None,
        "own": part.own_page,
    }
    if image is not None:
        header["pdf"] = {
            "width": image.width,
            "height": image.height,
            "colorspace": image.colorspace,
            "bits": image.bits,
            "filter": image.filter,
            "decode_parms": image.decode_parms,
            "size": len(image.data),
        }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    blobs = (image.data if image is not None else b"") + (part.png or b"")
    return MAGIC + _LENGTH.pack(len(head)) + head + blobs


def decode_part(data: bytes) -> PagePart:
    """The part :func:`encode_part` wrote.

    Raises:
        ValueError: ``data`` is not a page part.
    """
    if not data.startswith(MAGIC):
        raise ValueError("not a page part")
    start = len(MAGIC) + _LENGTH.size
    (size,) = _LENGTH.unpack_from(data, len(MAGIC))
    header = json.loads(data[start : start + size])
    at = start + size
    pdf_image = None
    if header["pdf"] is not None:
        meta = dict(header["pdf"])
        length = meta.pop("size")
        pdf_image = pdfimage.EncodedImage(**meta, data=data[at : at + length])
        at += length
    png_bytes = data[at : at + header["png"]] if header["png"] is not None else None
    return PagePart(
        page=page_from_list(header["page"]),
        warnings=tuple(header["warnings"]),
        pdf_image=pdf_image,
        png=png_bytes,
        own_page=bool(header.get("own", False)),
    )
