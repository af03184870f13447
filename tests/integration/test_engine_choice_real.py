"""The engine choice with the real engines: real receipts, generated word crops and a generated
two-column page go through ``pipeline.run`` as a worker runs them (registry, orientation
detector, engine choice), and the results are compared with their known text."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from benchmarks.accuracy import scene, synthetic
from benchmarks.engines import pages

from ocrhive.domain.recognition import (
    DsrMode,
    Family,
    RecognitionSettings,
    ResultType,
)
from ocrhive.domain.task import Outcome
from ocrhive.engines.choice import EngineChoice
from ocrhive.engines.orientation import PageOrientation
from ocrhive.engines.registry import EngineRegistry
from ocrhive.pipeline import PipelineOptions, Readers, run
from tests.conftest import png_bytes, receipt
from tests.textmetrics import cer

pytestmark = pytest.mark.slow

#: Receipts of the tuning half: an A4 scan (read by Tesseract first, then handed to RapidOCR)
#: and two narrow ones (read by RapidOCR at once).
RECEIPTS = ("sroie_037", "sroie_110", "sroie_158")


#: an hOCR word's box and confidence, a line's box
WORD = r"class=.ocrx_word.[^>]*title=.bbox (\d+) (\d+) (\d+) (\d+); x_wconf (\d+)"
LINE = r"class=.ocr_line.[^>]*title=.bbox (\d+) (\d+) (\d+) (\d+)"


@pytest.fixture(scope="module")
def readers() -> Readers:
    registry = EngineRegistry()
    return Readers(
        engine=registry,
        orientation=PageOrientation(),
        choice=EngineChoice(rapid=registry.engine("rapidocr")),
    )


def _text(outcome: Outcome) -> str:
    return outcome.results[0].data.decode("utf-8")


def test_receipts_read_by_the_choice_beat_tesseract_alone(readers: Readers) -> None:
    tesseract_only = replace(readers, choice=None)
    defaults, options = RecognitionSettings(), PipelineOptions()
    chosen, alone = [], []
    for name in RECEIPTS:
        data, truth = receipt(name)
        outcome = run(data, Family.RECOGNIZE_IMAGE, defaults, readers, options)
        assert any("Read with RapidOCR" in w for w in outcome.warnings), outcome.warnings
        chosen.append(cer(_text(outcome), truth))
        baseline = run(data, Family.RECOGNIZE_IMAGE, defaults, tesseract_only, options)
        alone.append(cer(_text(baseline), truth))
    assert sum(chosen) / len(chosen) < sum(alone) / len(alone) - 0.03, (chosen, alone)


def test_recognize_receipt_reads_rows_with_rapidocr(readers: Readers) -> None:
    data, truth = receipt("sroie_086")
    settings = RecognitionSettings(binarization=True)  # RecognizeReceipt's defaults
    outcome = run(data, Family.RECOGNIZE_RECEIPT, settings, readers, PipelineOptions())
    assert "Read with RapidOCR (PP-OCR) as a receipt" in outcome.warnings[0]
    text = _text(outcome)
    assert cer(text, truth) < 0.1
    # an item and its price are one row, as printed
    assert re.search(r"TOTAL.*\d+\.\d\d", text.upper())


@pytest.mark.parametrize("index", [2, 7, 9])  # CINEMA, STOP, GROCERY
def test_a_word_crop_reads_right(readers: Readers, index: int) -> None:
    crop = scene.crop(11, index)
    data = png_bytes(crop.image)
    label = run(
        data,
        Family.RECOGNIZE_LABEL,
        RecognitionSettings(skew_correct=False),
        readers,
        PipelineOptions(),
    )
    assert _text(label).strip().lower() == crop.truth.lower()
    assert label.warnings == ("Read with RapidOCR (PP-OCR) as a label",)
    image = run(data, Family.RECOGNIZE_IMAGE, RecognitionSettings(), readers, PipelineOptions())
    assert cer(_text(image).lower(), crop.truth.lower()) <= 0.1
    assert "Read with RapidOCR" in image.warnings[0]


def test_a_word_crop_too_small_for_the_detector_is_read_as_one_line(readers: Readers) -> None:
    crop = scene.crop(11, 21)  # "Studio 21"
    small = crop.image.resize((round(crop.image.width * 24 / crop.image.height), 24))
    label = run(
        png_bytes(small),
        Family.RECOGNIZE_LABEL,
        RecognitionSettings(skew_correct=False),
        readers,
        PipelineOptions(),
    )
    assert _text(label).strip().lower() == crop.truth.lower()


def test_an_unevenly_lit_page_loses_no_words(readers: Readers) -> None:
    page, truth = synthetic.render_page(synthetic.PROSE[:2], font_name="DejaVuSans", size_px=38)
    shadowed = synthetic.uneven_light(synthetic.low_contrast(page, ink=40, paper=235), 0.2)
    data = png_bytes(shadowed)
    tesseract_only = replace(readers, choice=None)
    alone = run(
        data, Family.RECOGNIZE_IMAGE, RecognitionSettings(), tesseract_only, PipelineOptions()
    )
    outcome = run(data, Family.RECOGNIZE_IMAGE, RecognitionSettings(), readers, PipelineOptions())
    assert "unevenly lit" in outcome.warnings[0]
    assert cer(_text(outcome), truth) < 0.01 < cer(_text(alone), truth)


def test_a_two_column_page_keeps_tesseract_and_its_reading_order(readers: Readers) -> None:
    image, truth = pages.two_columns(1)
    outcome = run(
        png_bytes(image), Family.RECOGNIZE_IMAGE, RecognitionSettings(), readers, PipelineOptions()
    )
    assert not any("RapidOCR" in w for w in outcome.warnings)
    assert cer(_text(outcome), truth) < 0.01


@pytest.mark.parametrize(("count", "width", "size_px"), [(3, 640, 30), (4, 560, 28)])
def test_a_page_of_narrow_columns_keeps_tesseract_and_its_reading_order(
    readers: Readers, count: int, width: int, size_px: int
) -> None:
    image, truth = pages.columns(2, count, width=width, size_px=size_px)
    outcome = run(
        png_bytes(image), Family.RECOGNIZE_IMAGE, RecognitionSettings(), readers, PipelineOptions()
    )
    assert not any("RapidOCR" in w for w in outcome.warnings)
    assert cer(_text(outcome), truth) < 0.01


def test_asking_for_block_and_column_analysis_keeps_tesseract_on_a_receipt(
    readers: Readers,
) -> None:
    data, _truth = receipt("sroie_086")
    settings = RecognitionSettings(dsr_mode=DsrMode.DSR_NO_FILTER)
    outcome = run(data, Family.RECOGNIZE_IMAGE, settings, readers, PipelineOptions())
    assert not any("RapidOCR" in w for w in outcome.warnings)


@pytest.mark.parametrize("mode", [DsrMode.REGIONS, DsrMode.NO_DSR_NO_FILTER])
def test_the_default_mode_and_the_sdk_examples_mode_read_a_receipt_as_defaults_do(
    readers: Readers, mode: DsrMode
) -> None:
    data, truth = receipt("sroie_110")
    omitted = run(data, Family.RECOGNIZE_IMAGE, RecognitionSettings(), readers, PipelineOptions())
    # NoDsrNoFilter with every flag off is what the SDK's example sends
    flags = {} if mode is DsrMode.REGIONS else {"skew_correct": False}
    settings = RecognitionSettings(dsr_mode=mode, **flags)  # type: ignore[arg-type]
    given = run(data, Family.RECOGNIZE_IMAGE, settings, readers, PipelineOptions())
    assert any("Read with RapidOCR" in w for w in given.warnings), given.warnings
    assert cer(_text(given), truth) <= cer(_text(omitted), truth) + 0.01


def test_a_word_crop_sent_with_a_detector_mode_is_read_by_rapidocr(readers: Readers) -> None:
    crop = scene.crop(11, 7)  # STOP
    settings = RecognitionSettings(dsr_mode=DsrMode.TEXT_DETECTOR)
    outcome = run(
        png_bytes(crop.image), Family.RECOGNIZE_IMAGE, settings, readers, PipelineOptions()
    )
    assert "Read with RapidOCR" in outcome.warnings[0]
    assert _text(outcome).strip().lower() == crop.truth.lower()


def test_hocr_of_a_rapidocr_page_has_word_boxes_and_confidences(readers: Readers) -> None:
    data, _truth = receipt("sroie_086")
    settings = RecognitionSettings(binarization=True, result_type=ResultType.HOCR)
    outcome = run(data, Family.RECOGNIZE_RECEIPT, settings, readers, PipelineOptions())
    hocr = outcome.results[0].data.decode("utf-8")
    words = re.findall(WORD, hocr)
    assert len(words) > 100
    # word boxes, not line boxes: most words are narrower than their line's box
    lines = re.findall(LINE, hocr)
    widest_line = max(int(r) - int(left) for left, _t, r, _b in lines)
    assert sum(int(r) - int(left) < widest_line / 2 for left, _t, r, _b, _c in words) > 0.8 * len(
        words
    )
    assert all(0 <= int(c) <= 100 for *_box, c in words)
