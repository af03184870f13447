"""dsrMode on the real Tesseract engine: the PSM it sets and what users get on real layouts."""

from __future__ import annotations

import pytest
from benchmarks.engines import pages
from tesserocr import PSM

from ocrhive.domain.recognition import DsrMode, Language
from ocrhive.engines.base import EngineRequest
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.render.text import page_text
from tests.conftest import text_page
from tests.textmetrics import cer


@pytest.fixture(scope="module")
def engine() -> TesseractEngine:
    return TesseractEngine()


def _last_psm(engine: TesseractEngine) -> int:
    return int(engine._api(Language.ENGLISH).GetPageSegMode())


@pytest.mark.parametrize(
    ("mode", "size", "psm"),
    [
        (None, (2300, 650), PSM.AUTO),
        (DsrMode.DSR_NO_FILTER, (2300, 650), PSM.AUTO),
        (DsrMode.NO_DSR_NO_FILTER, (760, 200), PSM.SINGLE_BLOCK),
        (DsrMode.NO_DSR_NO_FILTER, (2300, 650), PSM.AUTO),
        (DsrMode.DSR_AND_FILTER, (760, 200), PSM.SINGLE_BLOCK),
        (DsrMode.TEXT_DETECTOR, (760, 200), PSM.SPARSE_TEXT),
        (DsrMode.POLYGONAL_TEXT_DETECTOR, (760, 200), PSM.SPARSE_TEXT),
        (DsrMode.LINE_DETECTOR, (760, 200), PSM.SINGLE_COLUMN),
        (DsrMode.DSR_PLUS_DETECTOR, (760, 200), PSM.SPARSE_TEXT),  # the second of its passes
    ],
)
def test_each_mode_sets_its_page_segmentation(
    engine: TesseractEngine, mode: DsrMode | None, size: tuple[int, int], psm: int
) -> None:
    image = text_page(["Sphinx of black quartz, judge my vow."]).resize(size)
    engine.recognize(image, EngineRequest(segmentation=segmentation_for(mode)))
    assert _last_psm(engine) == psm


@pytest.mark.parametrize("mode", [None, DsrMode.NO_DSR_NO_FILTER, DsrMode.DSR_PLUS_DETECTOR])
def test_two_columns_read_in_column_order(engine: TesseractEngine, mode: DsrMode | None) -> None:
    image, truth = pages.two_columns(1)
    page = engine.recognize(image, EngineRequest(segmentation=segmentation_for(mode)))
    assert cer(page_text(page), truth) < 0.02


def test_text_detector_reads_a_form(engine: TesseractEngine) -> None:
    image, truth = pages.form(1)
    segmentation = segmentation_for(DsrMode.TEXT_DETECTOR)
    found = page_text(engine.recognize(image, EngineRequest(segmentation=segmentation)))
    assert sorted(found.split()) == sorted(truth.split())
