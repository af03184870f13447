"""The official SDK's RecognizeAndParseInvoiceApi against a live server: a generated invoice
comes back as one Text item of invoice JSON whose total and issue date are the printed ones."""

from __future__ import annotations

import base64
import json

import pytest
from aspose_ocr_cloud import (
    ApiClient,
    OCRRecognizeAndParseInvoiceBody,
    OCRSettingsRecognizeAndParseInvoice,
    RecognizeAndParseInvoiceApi,
)
from aspose_ocr_cloud.models import OCRTaskStatus
from benchmarks.invoices.samples import sample

from tests.compat.conftest import finished

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def test_recognize_and_parse_invoice_answers_invoice_json(sdk: ApiClient) -> None:
    page = sample(5)  # a US invoice at 300 dpi
    api = RecognizeAndParseInvoiceApi(sdk)
    body = OCRRecognizeAndParseInvoiceBody(
        image=base64.b64encode(page.png()).decode("ascii"),
        settings=OCRSettingsRecognizeAndParseInvoice(language="English"),
    )
    task_id = api.post_recognize_and_parse_invoice(body)
    result = finished(api.get_recognize_and_parse_invoice, task_id)
    assert result.task_status == OCRTaskStatus.COMPLETED, result.error
    assert [r.type for r in result.results] == ["Text"]
    text = base64.b64decode(result.results[0].data).decode("utf-8")
    assert text.startswith('{"issue_date": "')  # the spacing of the docs' sample
    found = json.loads(text)
    assert found["issue_date"] == page.truth["issue_date"]
    assert found["total_amount"] == pytest.approx(page.truth["total_amount"], abs=0.005)
    assert result.error is not None and any("heuristic parser" in w for w in result.error.warnings)
