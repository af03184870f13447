"""IdentifyFont: a text image → the likely font families and style."""

from __future__ import annotations

from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.domain.task import Outcome
from ocrhive.errors import TaskFailed
from ocrhive.pipeline import PipelineOptions, Readers


def run(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Not written yet."""
    raise TaskFailed("This operation is not available yet.")
