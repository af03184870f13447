"""The JSON result: pages → blocks → lines → words with Aspose-style corner coordinates.

The shape is ours (Aspose documents only "blocks with corners and text"); it is pinned by
``result.schema.json`` next to this module and described in ``docs/json-result.md``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from ocrhive.domain.document import BBox, Block, Line, Page, Word

#: bumped when a key changes meaning or disappears; adding keys keeps the version
VERSION = 1
SCHEMA_FILE = "result.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every rendered document validates against."""
    text = resources.files("ocrhive.render").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def corners(box: BBox) -> dict[str, int]:
    """``box`` as Aspose-style corner keys (``topLeftX`` … ``bottomRightY``)."""
    # bottom-right is exclusive, as in the page tree and in hOCR
    return {
        "topLeftX": box.left,
        "topLeftY": box.top,
        "bottomRightX": box.right,
        "bottomRightY": box.bottom,
    }


def _confidence(value: float) -> float:
    return round(max(0.0, min(100.0, value)), 2)


def _word(word: Word) -> dict[str, Any]:
    return {"text": word.text, **corners(word.bbox), "confidence": _confidence(word.confidence)}


def _line(line: Line) -> dict[str, Any]:
    words = line.words
    # a line's confidence is not reported by engines: the mean of its words stands in
    mean = sum(w.confidence for w in words) / len(words) if words else 0.0
    return {
        **corners(line.bbox),
        "confidence": _confidence(mean),
        "text": line.text,
        "words": [_word(w) for w in words],
    }


def _block(block: Block) -> dict[str, Any]:
    # paragraphs are separated by a blank line, as in the Text result
    paragraphs = [
        "\n".join(line.text for line in par.lines if line.words) for par in block.paragraphs
    ]
    return {
        **corners(block.bbox),
        "confidence": _confidence(block.confidence),
        "text": "\n\n".join(p for p in paragraphs if p),
        "lines": [_line(line) for line in block.lines],
    }


def page_dict(page: Page, number: int) -> dict[str, Any]:
    """One page as the schema's page object.

    Args:
        page: The recognised page.
        number: Its 1-based page number.
    """
    return {
        "pageNumber": number,
        "width": page.width,
        "height": page.height,
        "dpi": page.dpi,
        "rotation": page.rotation,
        "skew": page.skew,
        "language": page.language,
        "blocks": [_block(b) for b in page.blocks],
    }


def render(pages: Sequence[Page]) -> bytes:
    """The JSON result of ``pages`` as compact UTF-8 (non-ASCII characters kept as is).

    Args:
        pages: The recognised pages, in order.

    Returns:
        The document bytes.
    """
    document = {
        "version": VERSION,
        "pages": [page_dict(page, number) for number, page in enumerate(pages, start=1)],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
