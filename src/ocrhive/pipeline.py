"""decode → preprocess → recognize → post-process → render, for one task; no I/O ports here.

Everything is module-level and picklable so any worker (local process or Celery) can call it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from ocrhive import postprocess, preprocess, render
from ocrhive.decode import DecodeLimits, image_dpi, open_image
from ocrhive.domain.document import Page
from ocrhive.domain.masking import DEFAULT_FRACTION, choose_masked, mask_word
from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.domain.task import Outcome
from ocrhive.engines.base import Engine, EngineRequest
from ocrhive.layout import segmentation_for


@dataclass(frozen=True, kw_only=True)
class PipelineOptions:
    """Knobs the operator sets once for every task."""

    decode: DecodeLimits = field(default_factory=DecodeLimits)
    trial_fraction: float = DEFAULT_FRACTION


def mask_pages(pages: list[Page], seed: bytes, fraction: float) -> list[Page]:
    """Hide ``fraction`` of all words across ``pages``, the same words for the same ``seed``."""
    counts = [sum(1 for _ in p.words()) for p in pages]
    chosen = choose_masked(sum(counts), seed, fraction)
    out, offset = [], 0
    for page, count in zip(pages, counts, strict=True):
        words = list(page.words())
        change = {
            i - offset: mask_word(words[i - offset].text)
            for i in chosen
            if offset <= i < offset + count
        }
        out.append(page.map_words(change))
        offset += count
    return out


def run(
    data: bytes,
    family: Family,
    settings: RecognitionSettings,
    engine: Engine,
    options: PipelineOptions,
) -> Outcome:
    """Recognise one submitted file and render what ``settings`` ask for.

    Raises:
        TaskFailed: the input cannot be read or the engine cannot run (message for the client).
    """
    image = open_image(data, options.decode)
    prepared = preprocess.apply(image, settings)
    request = EngineRequest(
        language=settings.language,
        segmentation=segmentation_for(settings.dsr_mode),
        dpi=(image_dpi(image) or 0) * prepared.scale or None,
    )
    page = engine.recognize(prepared.image, request)
    page = replace(page, rotation=prepared.rotation, skew=prepared.skew)
    page, post_warnings = postprocess.apply(page, settings)
    pages = [page]
    if family.is_trial:
        pages = mask_pages(pages, hashlib.sha256(data).digest(), options.trial_fraction)
    artifacts = render.render(
        settings.result_type.artifacts,
        [render.RenderedPage(page=p, image=prepared.image) for p in pages],
    )
    return Outcome(results=artifacts, warnings=prepared.warnings + post_warnings)
