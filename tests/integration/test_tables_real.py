"""RecognizeTable with the real Tesseract engine on generated tables whose cells are known."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from benchmarks.accuracy import synthetic
from benchmarks.tables import generate
from openpyxl import load_workbook

from ocrhive.domain.recognition import (
    ArtifactKind,
    RecognitionSettings,
    ResultType,
    ResultTypeTable,
)
from ocrhive.domain.task import Outcome
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.errors import TaskFailed
from ocrhive.operations import table
from ocrhive.pipeline import PipelineOptions, Readers

pytestmark = pytest.mark.slow

#: RecognizeTable's defaults (skew correction and binarization on)
TABLE = RecognitionSettings(skew_correct=True, binarization=True)


@pytest.fixture(scope="module")
def readers() -> Readers:
    return Readers(engine=TesseractEngine())


def _run(
    readers: Readers,
    data: bytes,
    *,
    result_type_table: ResultTypeTable = ResultTypeTable.TEXT,
    result_type: ResultType = ResultType.TEXT,
) -> Outcome:
    settings = replace(TABLE, result_type_table=result_type_table, result_type=result_type)
    return table.run(data, settings, readers, PipelineOptions())


def _norm(text: object) -> str:
    return " ".join(str(text if text is not None else "").split())


def _share_right(truth: tuple[tuple[str, ...], ...], read: list[list[str]]) -> float:
    assert len(read) == len(truth) and all(len(r) == len(truth[0]) for r in read), read
    pairs = [
        (t, r)
        for trow, rrow in zip(truth, read, strict=True)
        for t, r in zip(trow, rrow, strict=True)
    ]
    return sum(_norm(t) == _norm(r) for t, r in pairs) / len(pairs)


def test_a_ruled_4x5_table_comes_back_as_csv_and_a_workbook_with_the_same_cells(
    readers: Readers,
) -> None:
    sample = generate.table("ruled", seed=5, dpi=300, rows=4, cols=5, skew=1.4)
    outcome = _run(readers, sample.png(), result_type_table=ResultTypeTable.CSV_AND_EXCEL)
    assert [r.kind for r in outcome.results] == [ArtifactKind.CSV, ArtifactKind.EXCEL]
    text = outcome.results[0].data.decode("utf-8")
    assert "\r\n" in text  # RFC 4180 line ends
    rows = list(csv.reader(io.StringIO(text)))
    assert _share_right(sample.cells, rows) >= 0.95, rows
    book = load_workbook(io.BytesIO(outcome.results[1].data))
    sheet = book.worksheets[0]
    assert (sheet.max_row, sheet.max_column) == (4, 5)
    cells = [[_norm(c.value) for c in row] for row in sheet.iter_rows()]
    assert cells == [[_norm(v) for v in row] for row in rows]
    assert any("4×5 ruled" in w for w in outcome.warnings), outcome.warnings


def test_merged_header_cells_are_merged_in_the_workbook(readers: Readers) -> None:
    sample = generate.table("merged", seed=2, dpi=200, rows=6, cols=5, skew=-0.7)
    outcome = _run(readers, sample.png(), result_type_table=ResultTypeTable.EXCEL)
    sheet = load_workbook(io.BytesIO(outcome.results[0].data)).worksheets[0]
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == ["A1:A2", "B1:C1", "D1:E1"]
    grid = [[_norm(c.value) for c in row] for row in sheet.iter_rows()]
    assert grid[0][:4] == ["Place", "First half", "", "Second half"]
    assert _share_right(sample.cells, grid) >= 0.95, grid


@pytest.mark.parametrize("kind", ["unruled", "zebra"])
def test_a_table_without_lines_gets_its_rows_and_columns(readers: Readers, kind: str) -> None:
    sample = generate.table(kind, seed=9, dpi=200, rows=6, cols=4, skew=0.8)
    outcome = _run(readers, sample.png(), result_type_table=ResultTypeTable.TEXT)
    lines = outcome.results[0].data.decode("utf-8").splitlines()
    grid = [line.split("\t") for line in lines]
    assert _share_right(sample.cells, grid) >= 0.95, grid


def test_json_describes_rows_cells_spans_and_boxes_on_the_submitted_image(
    readers: Readers,
) -> None:
    sample = generate.table("merged", seed=4, dpi=200, rows=5, cols=4, skew=1.2)
    outcome = _run(readers, sample.png(), result_type=ResultType.JSON)
    assert [r.kind for r in outcome.results] == [ArtifactKind.TEXT, ArtifactKind.JSON]
    document = json.loads(outcome.results[1].data)
    assert document["tableFound"] is True
    (found,) = document["tables"]
    assert (found["rows"], found["columns"], found["ruled"]) == (5, 4, True)
    spans = {(c["row"], c["column"]): (c["rowSpan"], c["columnSpan"]) for c in found["cells"]}
    assert spans[(0, 0)] == (2, 1) and spans[(0, 1)] == (1, 2)
    place = next(c for c in found["cells"] if (c["row"], c["column"]) == (0, 0))
    assert place["text"] == "Place"
    width, height = sample.image.size
    # the table sits half an inch (100 px) inside the page before the generator turned it
    assert 40 < found["topLeftX"] < 160 and 40 < found["topLeftY"] < 160
    assert found["bottomRightX"] < width and found["bottomRightY"] < height


def test_a_page_without_a_table_is_one_column_and_says_so(readers: Readers) -> None:
    page, truth = synthetic.render_page(synthetic.PROSE[:1], font_name="DejaVuSans.ttf")
    buffer = io.BytesIO()
    page.save(buffer, "PNG", dpi=(300, 300))
    outcome = _run(readers, buffer.getvalue(), result_type_table=ResultTypeTable.CSV)
    rows = list(csv.reader(io.StringIO(outcome.results[0].data.decode("utf-8"))))
    assert len(rows) == len(truth.splitlines()) and all(len(r) == 1 for r in rows)
    assert any("No table was found" in w for w in outcome.warnings), outcome.warnings


def test_bytes_that_are_not_an_image_fail_the_task(readers: Readers) -> None:
    with pytest.raises(TaskFailed):
        _run(readers, b"these bytes are not an image at all")
