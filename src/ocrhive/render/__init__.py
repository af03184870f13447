"""Renderers: pure functions from recognised pages (and their images) to result files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import ArtifactKind
from ocrhive.domain.task import Artifact
from ocrhive.render import hocr, jsondoc, pdf, png, text


@dataclass(frozen=True, kw_only=True)
class RenderedPage:
    """A recognised page together with the (preprocessed) image its boxes refer to."""

    page: Page
    image: Image.Image


def _render_one(kind: ArtifactKind, pages: Sequence[RenderedPage]) -> bytes:
    if kind is ArtifactKind.TEXT:
        return text.render([p.page for p in pages])
    if kind is ArtifactKind.HOCR:
        return hocr.render([p.page for p in pages])
    if kind is ArtifactKind.JSON:
        return jsondoc.render([p.page for p in pages])
    if kind is ArtifactKind.PDF:
        return pdf.render((p.page, p.image) for p in pages)
    if kind is ArtifactKind.IMAGE_PNG:
        return png.render([p.image for p in pages], dpi=pages[0].page.dpi if pages else None)
    raise NotImplementedError(f"{kind.value} output is not available yet")


def render(kinds: Sequence[ArtifactKind], pages: Sequence[RenderedPage]) -> tuple[Artifact, ...]:
    """One artefact per kind, in the order given, all from the same recognition pass.

    Every textual result comes from the same page words, so masking applied to them upstream
    shows in all of them. ImagePNG carries the first page's image only (see :mod:`.png`).
    """
    return tuple(Artifact(kind=kind, data=_render_one(kind, pages)) for kind in kinds)


__all__ = ["RenderedPage", "render"]
