"""BinarizeImage, DeskewImage, DewarpImage, UpscaleImage: an image → one processed PNG."""

from __future__ import annotations

from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.domain.task import Outcome
from ocrhive.errors import TaskFailed
from ocrhive.pipeline import PipelineOptions, Readers


def binarize(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Not written yet."""
    raise TaskFailed("This operation is not available yet.")


def deskew(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Not written yet."""
    raise TaskFailed("This operation is not available yet.")


def dewarp(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Not written yet."""
    raise TaskFailed("This operation is not available yet.")


def upscale(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Not written yet."""
    raise TaskFailed("This operation is not available yet.")
