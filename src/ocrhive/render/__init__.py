"""Renderers: pure functions from recognised pages (and their images) to result files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import ArtifactKind
from ocrhive.domain.task import Artifact
from ocrhive.render import hocr, jsondoc, pdf, png, text
from ocrhive.render.parts import PagePart


@dataclass(frozen=True, kw_only=True)
class RenderedPage:
    """A recognised page together with the (preprocessed) image its boxes refer to."""

    page: Page
    image: Image.Image


class DocumentRenderer:
    """Renders a document page by page, holding only what each format needs: the page trees
    (small) for text, hOCR and JSON, the PDF written as pages arrive, the first image for PNG.

    Memory therefore stays bounded by one page image however long the document is.
    """

    def __init__(self, kinds: Sequence[ArtifactKind]) -> None:
        self._kinds = tuple(kinds)
        self._pages: list[Page] = []
        self._pdf = pdf.PdfWriter() if ArtifactKind.PDF in self._kinds else None
        self._first_image: Image.Image | None = None
        self._first_png: bytes | None = None

    def add(self, page: Page, image: Image.Image) -> None:
        """Take the next page and the image its boxes refer to (not kept unless needed)."""
        self._pages.append(page)
        if self._pdf is not None:
            self._pdf.add_page(page, image)
        if self._first_image is None and ArtifactKind.IMAGE_PNG in self._kinds:
            self._first_image = image

    def add_part(self, part: PagePart) -> None:
        """Take the next page as another worker encoded it (:mod:`.parts`)."""
        self._pages.append(part.page)
        if self._pdf is not None:
            if part.pdf_image is None:
                raise ValueError("a PDF result needs each page's encoded image")
            self._pdf.add_encoded_page(part.page, part.pdf_image)
        if len(self._pages) == 1 and ArtifactKind.IMAGE_PNG in self._kinds:
            if part.png is None:
                raise ValueError("an ImagePNG result needs the first page's PNG")
            self._first_png = part.png

    @property
    def pages(self) -> tuple[Page, ...]:
        return tuple(self._pages)

    def finish(self) -> tuple[Artifact, ...]:
        """One artefact per kind, in the order the kinds were given."""
        out = []
        for kind in self._kinds:
            if kind is ArtifactKind.TEXT:
                data = text.render(self._pages)
            elif kind is ArtifactKind.HOCR:
                data = hocr.render(self._pages)
            elif kind is ArtifactKind.JSON:
                data = jsondoc.render(self._pages)
            elif kind is ArtifactKind.PDF:
                assert self._pdf is not None
                data = self._pdf.finish()
            elif kind is ArtifactKind.IMAGE_PNG and self._first_png is not None:
                data = self._first_png
            elif kind is ArtifactKind.IMAGE_PNG:
                images = [self._first_image] if self._first_image is not None else []
                data = png.render(images, dpi=self._pages[0].dpi if self._pages else None)
            else:
                raise NotImplementedError(f"{kind.value} output is not available here")
            out.append(Artifact(kind=kind, data=data))
        return tuple(out)


def render(kinds: Sequence[ArtifactKind], pages: Sequence[RenderedPage]) -> tuple[Artifact, ...]:
    """One artefact per kind, in the order given, all from the same recognition pass.

    Every textual result comes from the same page words, so masking applied to them upstream
    shows in all of them. ImagePNG carries the first page's image only (see :mod:`.png`).
    """
    renderer = DocumentRenderer(kinds)
    for rendered in pages:
        renderer.add(rendered.page, rendered.image)
    return renderer.finish()


__all__ = ["DocumentRenderer", "PagePart", "RenderedPage", "render"]
