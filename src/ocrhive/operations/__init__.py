"""Which code runs a task of each family: the recognition pipeline, or one of the other
operations (image processing, tables, invoices, fonts, DjVu, speech).

Every handler has the same shape (:data:`Handler`), is module-level and picklable, and raises
:class:`~ocrhive.errors.TaskFailed` for what the client should read in ``error.messages``.
"""

from __future__ import annotations

from collections.abc import Callable

from ocrhive import pipeline
from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.domain.task import Outcome
from ocrhive.operations import djvu, font, imaging, invoice, speech, table
from ocrhive.pipeline import PageCountHook, PipelineOptions, Readers

#: one family's work: (submitted bytes, settings, loaded readers, operator options) → outcome
Handler = Callable[[bytes, RecognitionSettings, Readers, PipelineOptions], Outcome]

#: the families the recognition pipeline does not run itself
HANDLERS: dict[Family, Handler] = {
    Family.BINARIZE_IMAGE: imaging.binarize,
    Family.DESKEW_IMAGE: imaging.deskew,
    Family.DEWARP_IMAGE: imaging.dewarp,
    Family.UPSCALE_IMAGE: imaging.upscale,
    Family.RECOGNIZE_TABLE: table.run,
    Family.RECOGNIZE_AND_PARSE_INVOICE: invoice.run,
    Family.IDENTIFY_FONT: font.run,
    Family.DJVU2PDF: djvu.run,
    Family.CONVERT_TEXT_TO_SPEECH: speech.run,
    Family.CONVERT_TEXT_TO_SPEECH_TRIAL: speech.run_trial,
}


def run(
    data: bytes,
    family: Family,
    settings: RecognitionSettings,
    readers: Readers,
    options: PipelineOptions,
    *,
    on_page_count: PageCountHook | None = None,
) -> Outcome:
    """Run one task of ``family`` on ``data``.

    Raises:
        TaskFailed: the input cannot be used (message for the client).
    """
    handler = HANDLERS.get(family)
    if handler is None:
        return pipeline.run(data, family, settings, readers, options, on_page_count=on_page_count)
    return handler(data, settings, readers, options)
