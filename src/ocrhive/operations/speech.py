"""ConvertTextToSpeech (+Trial): English text → one WavFile item.

The submitted "file" of a speech task is the text, UTF-8 encoded.
"""

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


def run_trial(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Not written yet."""
    raise TaskFailed("This operation is not available yet.")
