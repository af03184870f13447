"""Pure page → page steps after recognition: block filtering by confidence, spell checking."""

from __future__ import annotations

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.postprocess import spelling
from ocrhive.postprocess.confidence import FILTERED_MODES, drop_unsure_blocks


def apply(page: Page, settings: RecognitionSettings) -> tuple[Page, tuple[str, ...]]:
    """The page after the post-processing ``settings`` ask for, and any warnings.

    Blocks are filtered first so that spell checking does not spend time on dropped text.
    """
    warnings: tuple[str, ...] = ()
    if settings.dsr_mode in FILTERED_MODES:
        page, _ = drop_unsure_blocks(page, settings.dsr_confidence)
    if settings.spell_check:
        page, warnings = spelling.correct(page, settings.language)
    return page, warnings
