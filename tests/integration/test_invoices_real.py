"""RecognizeAndParseInvoice's handler with the real Tesseract engine on generated invoices whose
fields are known (benchmarks/invoices draws them from a seed)."""

from __future__ import annotations

import json

import pytest
from benchmarks.invoices.__main__ import SETTINGS
from benchmarks.invoices.samples import sample

from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.errors import TaskFailed
from ocrhive.operations import invoice
from ocrhive.pipeline import PipelineOptions, Readers

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def readers() -> Readers:
    return Readers(engine=TesseractEngine())


@pytest.mark.parametrize("seed", [3, 5, 12])  # UK grid at 300 dpi, US classic, German noisy+skewed
def test_a_generated_invoice_gives_its_total_and_dates(seed: int, readers: Readers) -> None:
    page = sample(seed)
    outcome = invoice.run(page.png(), SETTINGS, readers, PipelineOptions())
    [artifact] = outcome.results
    assert artifact.kind.value == "Text"
    found = json.loads(artifact.data.decode("utf-8"))
    assert found["total_amount"] == pytest.approx(page.truth["total_amount"], abs=0.005)
    assert found["issue_date"] == page.truth["issue_date"]
    assert found["due_date"] == page.truth["due_date"]
    assert found["currency"] == page.truth["currency"]
    assert any("heuristic parser" in w for w in outcome.warnings)


def test_not_an_image_fails_the_task(readers: Readers) -> None:
    with pytest.raises(TaskFailed):
        invoice.run(b"this is not an image", SETTINGS, readers, PipelineOptions())
