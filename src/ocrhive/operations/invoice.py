"""RecognizeAndParseInvoice: an invoice image → invoice JSON in a Text item."""

from __future__ import annotations

from ocrhive.domain.recognition import ArtifactKind, RecognitionSettings
from ocrhive.domain.task import Artifact, Outcome
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.ingest.pages import PageSource
from ocrhive.invoices.fields import to_json
from ocrhive.invoices.parse import parse_page
from ocrhive.pipeline import PipelineOptions, Readers, for_reading, read_page

#: told to every client, whatever was found: how the fields were produced
HEURISTIC_NOTE = (
    "Invoice fields were found by a heuristic parser (printed labels, positions on the page, "
    "amount consistency and IBAN/BIC/VAT checksums in the recognised text), not by Aspose's "
    "invoice model; check them before use."
)


def run(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Read the first page of ``data`` and report the invoice fields found on it.

    Raises:
        TaskFailed: the input cannot be read as an image or PDF (message for the client).
    """
    source = PageSource(data, options.limits, all_pages=False)
    try:
        image = for_reading(next(iter(source)), keep_colour=False)
    finally:
        source.close()
    read = read_page(image, settings, readers, segmentation_for(settings.dsr_mode))
    fields = parse_page(read.page)
    artifact = Artifact(kind=ArtifactKind.TEXT, data=to_json(fields))
    return Outcome(results=(artifact,), warnings=(HEURISTIC_NOTE, *read.warnings))
