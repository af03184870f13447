"""Renderers: pure functions from recognised pages (and their images) to result files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import ArtifactKind
from ocrhive.domain.task import Artifact
from ocrhive.render import text


@dataclass(frozen=True, kw_only=True)
class RenderedPage:
    """A recognised page together with the (preprocessed) image its boxes refer to."""

    page: Page
    image: Image.Image


def render(kinds: Sequence[ArtifactKind], pages: Sequence[RenderedPage]) -> tuple[Artifact, ...]:
    """One artefact per kind, in the order given, all from the same recognition pass."""
    out = []
    for kind in kinds:
        if kind is ArtifactKind.TEXT:
            data = text.render([p.page for p in pages])
        else:
            raise NotImplementedError(f"{kind.value} output is not available yet")
        out.append(Artifact(kind=kind, data=data))
    return tuple(out)
