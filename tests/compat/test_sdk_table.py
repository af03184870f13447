"""The official SDK's RecognizeTableApi against a live server: a generated ruled table comes back
as a Csv and an Excel item, exactly as the SDK's users would ask for them."""

from __future__ import annotations

import base64
import csv
import io
import time

import pytest
from aspose_ocr_cloud import (
    ApiClient,
    OCRRecognizeTableBody,
    OCRSettingsRecognizeTable,
    RecognizeTableApi,
    ResultTypeTable,
)
from aspose_ocr_cloud.models import OCRTaskStatus
from benchmarks.tables import generate
from openpyxl import load_workbook

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def test_recognize_table_returns_csv_then_excel(sdk: ApiClient) -> None:
    sample = generate.table("ruled", seed=5, dpi=300, rows=4, cols=5, skew=1.4)
    api = RecognizeTableApi(sdk)
    settings = OCRSettingsRecognizeTable(
        language="English", result_type_table=ResultTypeTable.CSVANDEXCEL
    )
    image = base64.b64encode(sample.png()).decode("ascii")
    task_id = api.post_recognize_table(OCRRecognizeTableBody(image=image, settings=settings))
    result = api.get_recognize_table(task_id)
    deadline = time.monotonic() + 120
    while result.task_status not in (OCRTaskStatus.COMPLETED, OCRTaskStatus.ERROR):
        assert time.monotonic() < deadline
        time.sleep(0.5)
        result = api.get_recognize_table(task_id)
    assert result.task_status == OCRTaskStatus.COMPLETED, result.error
    assert [r.type for r in result.results] == ["Csv", "Excel"]
    rows = list(csv.reader(io.StringIO(base64.b64decode(result.results[0].data).decode())))
    cells = [
        (t, r)
        for trow, rrow in zip(sample.cells, rows, strict=True)
        for t, r in zip(trow, rrow, strict=True)
    ]
    assert sum(t == r.strip() for t, r in cells) >= 0.95 * len(cells), rows
    sheet = load_workbook(io.BytesIO(base64.b64decode(result.results[1].data))).worksheets[0]
    assert [[str(c.value or "") for c in row] for row in sheet.iter_rows()] == rows
