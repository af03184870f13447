"""The official SDK's RecognizeReceiptApi and RecognizeLabelApi against a live server: a real
receipt scan and a generated sign come back as text read by RapidOCR, and the answer says so."""

from __future__ import annotations

import base64

import pytest
from aspose_ocr_cloud import (
    ApiClient,
    OCRRecognizeLabelBody,
    OCRRecognizeReceiptBody,
    OCRSettingsRecognizeLabel,
    OCRSettingsRecognizeReceipt,
    RecognizeLabelApi,
    RecognizeReceiptApi,
)
from aspose_ocr_cloud.models import OCRTaskStatus, ResultType
from benchmarks.accuracy import scene

from tests.compat.conftest import finished
from tests.conftest import b64, png_bytes, receipt
from tests.textmetrics import cer

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def test_recognize_receipt_reads_a_receipt(sdk: ApiClient) -> None:
    api = RecognizeReceiptApi(sdk)
    image, truth = receipt("sroie_086")
    settings = OCRSettingsRecognizeReceipt(language="English", result_type=ResultType.TEXT)
    body = OCRRecognizeReceiptBody(image=b64(image), settings=settings)
    result = finished(api.get_recognize_receipt, api.post_recognize_receipt(body))
    assert result.task_status == OCRTaskStatus.COMPLETED, result.error
    assert [r.type for r in result.results] == ["Text"]
    text = base64.b64decode(result.results[0].data).decode("utf-8")
    assert cer(text, truth) < 0.1
    assert any("RapidOCR" in w for w in result.error.warnings), result.error


def test_recognize_label_reads_a_sign(sdk: ApiClient) -> None:
    api = RecognizeLabelApi(sdk)
    sign = scene.crop(11, 9)  # GROCERY, light letters on a noisy purple-red texture
    settings = OCRSettingsRecognizeLabel(language="English", result_type=ResultType.TEXT)
    body = OCRRecognizeLabelBody(image=b64(png_bytes(sign.image)), settings=settings)
    result = finished(api.get_recognize_label, api.post_recognize_label(body))
    assert result.task_status == OCRTaskStatus.COMPLETED, result.error
    text = base64.b64decode(result.results[0].data).decode("utf-8")
    assert text.strip().lower() == sign.truth.lower()
    assert result.error.warnings == ["Read with RapidOCR (PP-OCR) as a label"]
