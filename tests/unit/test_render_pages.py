"""Hand-built page trees for the renderer tests, and the ``render()`` dispatch over them."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import ArtifactKind
from ocrhive.render import RenderedPage, render

#: a line of awkward words: markup characters, quotes, non-Latin scripts, an astral character
TRICKY = ["a<b", "R&D", '"quoted"', "it's", "Grüße", "東京", "𝔘𝔫𝔦"]

WORD_WIDTH = 24  # pixels per character in the built layout
LINE_PITCH = 60


def make_line(words: list[str], *, top: int, left: int = 20, conf: float = 91.5) -> Line:
    """A line whose words sit side by side, ``WORD_WIDTH`` px per character, 20 px apart."""
    built = []
    x = left
    for text in words:
        right = x + WORD_WIDTH * len(text)
        built.append(
            Word(
                text=text, bbox=BBox(left=x, top=top, right=right, bottom=top + 40), confidence=conf
            )
        )
        x = right + 20
    return Line(bbox=BBox.union([w.bbox for w in built]), words=tuple(built), baseline=(0.0, -8.0))


def make_page(
    paragraphs: list[list[list[str]]],
    *,
    width: int = 1200,
    height: int = 800,
    dpi: float = 300.0,
    language: str = "eng",
) -> Page:
    """A one-block page: ``paragraphs`` → lines → words, laid out top to bottom."""
    pars = []
    top = 20
    for par_lines in paragraphs:
        lines = []
        for words in par_lines:
            lines.append(make_line(words, top=top))
            top += LINE_PITCH
        top += LINE_PITCH // 2
        pars.append(Paragraph(bbox=BBox.union([ln.bbox for ln in lines]), lines=tuple(lines)))
    blocks: tuple[Block, ...] = ()
    if pars:
        box = BBox.union([p.bbox for p in pars])
        blocks = (Block(bbox=box, paragraphs=tuple(pars), confidence=88.25),)
    return Page(width=width, height=height, blocks=blocks, dpi=dpi, language=language)


def sample_page() -> Page:
    """Two paragraphs, three lines, including the tricky words."""
    return make_page([[["Hello", "world"], TRICKY], [["Total", "12.50"]]])


def blank(page: Page, mode: str = "L") -> Image.Image:
    """A white image the size of ``page``."""
    return Image.new(mode, (page.width, page.height), "white")


def test_render_produces_one_artifact_per_kind_in_order() -> None:
    page = sample_page()
    kinds = [
        ArtifactKind.JSON,
        ArtifactKind.TEXT,
        ArtifactKind.PDF,
        ArtifactKind.HOCR,
        ArtifactKind.IMAGE_PNG,
    ]
    artifacts = render(kinds, [RenderedPage(page=page, image=blank(page))])
    assert [a.kind for a in artifacts] == kinds
    assert json.loads(artifacts[0].data)["pages"][0]["blocks"][0]["lines"][1]["text"] == " ".join(
        TRICKY
    )
    assert artifacts[1].data.decode("utf-8").startswith("Hello world\n")
    assert artifacts[2].data.startswith(b"%PDF-")
    assert b"class='ocr_page'" in artifacts[3].data
    assert artifacts[4].data.startswith(b"\x89PNG\r\n\x1a\n")


def test_masked_words_reach_every_textual_result() -> None:
    # masking happens upstream on the words; the renderers must use the words as given
    page = sample_page().map_words({0: "*****"})
    rendered = [RenderedPage(page=page, image=blank(page))]
    kinds = [ArtifactKind.TEXT, ArtifactKind.HOCR, ArtifactKind.JSON]
    for artifact in render(kinds, rendered):
        assert b"*****" in artifact.data
        assert b"Hello" not in artifact.data


def test_unsupported_kind_is_refused() -> None:
    page = sample_page()
    with pytest.raises(NotImplementedError):
        render([ArtifactKind.CSV], [RenderedPage(page=page, image=blank(page))])
