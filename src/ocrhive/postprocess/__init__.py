"""Pure page → page steps after recognition: block filtering by confidence, spell checking."""

from __future__ import annotations

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import RecognitionSettings


def apply(page: Page, settings: RecognitionSettings) -> tuple[Page, tuple[str, ...]]:
    """The page after the post-processing ``settings`` ask for, and any warnings."""
    return page, ()
