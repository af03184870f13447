"""Plain UTF-8 text: lines by newline, paragraphs by a blank line, pages by a form feed."""

from __future__ import annotations

from collections.abc import Sequence

from ocrhive.domain.document import Page

PAGE_SEPARATOR = "\f"


def page_text(page: Page) -> str:
    """The text of one page in reading order."""
    paragraphs = []
    for block in page.blocks:
        for par in block.paragraphs:
            lines = [line.text for line in par.lines if line.words]
            if lines:
                paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def render(pages: Sequence[Page]) -> bytes:
    """The UTF-8 text of every page, pages separated by a form feed."""
    return PAGE_SEPARATOR.join(page_text(p) for p in pages).encode("utf-8")
