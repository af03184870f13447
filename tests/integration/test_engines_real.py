"""The real engines: RapidOCR's page tree, and the registry routing each language to its engine.

The Chinese and Japanese pages are drawn with a CJK font from Debian (``fonts-wqy-zenhei``, which
``make test`` installs); no Tesseract CJK model is needed because those languages go to RapidOCR.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest
from benchmarks.engines import pages

from ocrhive.domain.recognition import Language
from ocrhive.engines.base import EngineRequest, Segmentation
from ocrhive.engines.rapidocr import RapidOcrEngine, models_dir
from ocrhive.engines.registry import EngineRegistry, describe_engines
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.render.text import page_text
from tests.conftest import PANGRAM_LINES, text_page
from tests.textmetrics import cer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def registry() -> EngineRegistry:
    return EngineRegistry()


def test_rapidocr_models_come_from_inside_the_wheel() -> None:
    folder = models_dir()
    assert folder is not None
    assert folder.is_relative_to(Path(sysconfig.get_paths()["purelib"]))


def test_rapidocr_gives_the_same_page_tree(registry: EngineRegistry) -> None:
    image = text_page()
    page = registry.engine("rapidocr").recognize(image, EngineRequest())
    assert cer(page_text(page), "\n".join(PANGRAM_LINES)) < 0.02
    assert (page.width, page.height) == image.size
    words = list(page.words())
    assert [w.text for w in words[:3]] == ["The", "quick", "brown"]
    assert all(0.0 <= w.confidence <= 100.0 for w in words)
    for line in page.lines():
        for w in line.words:  # word boxes sit inside their line, left to right
            assert line.bbox.left <= w.bbox.left < w.bbox.right <= line.bbox.right + 1
    assert all(0 < b.confidence <= 100 for b in page.blocks)


def test_rapidocr_keeps_two_columns_apart() -> None:
    image, truth = pages.two_columns(2)
    page = RapidOcrEngine().recognize(image, EngineRequest())
    assert cer(page_text(page), truth) < 0.03


def test_english_stays_on_tesseract_and_loads_nothing_else() -> None:
    registry = EngineRegistry()
    page = registry.recognize(text_page(), EngineRequest(language=Language.ENGLISH))
    assert "quick brown fox" in page_text(page)
    assert isinstance(registry.engine_for(Language.ENGLISH), TesseractEngine)
    assert registry.loaded() == ("tesseract",)


@pytest.mark.parametrize(
    ("language", "lines"),
    [(Language.CHINESE, pages.CHINESE[:3]), (Language.JAPANESE, pages.JAPANESE[:3])],
)
def test_cjk_goes_to_rapidocr(
    registry: EngineRegistry, language: Language, lines: tuple[str, ...]
) -> None:
    image, truth = pages.cjk_page(lines)
    page = registry.recognize(image, EngineRequest(language=language))
    assert isinstance(registry.engine_for(language), RapidOcrEngine)
    assert cer("".join(page_text(page).split()), "".join(truth.split())) < 0.05


def test_single_line_crops_skip_detection(registry: EngineRegistry) -> None:
    image = text_page(["Pack my box with five dozen liquor jugs."]).crop((0, 20, 1000, 90))
    request = EngineRequest(segmentation=Segmentation.SINGLE_LINE)
    page = registry.engine("rapidocr").recognize(image, request)
    assert page_text(page) == "Pack my box with five dozen liquor jugs."


def test_describe_engines_lists_both_with_their_languages() -> None:
    described = {d["engine"]: d for d in describe_engines()}
    assert list(described) == ["tesseract", "rapidocr"]
    assert "English" in described["tesseract"]["languages"]  # type: ignore[operator]
    assert {"Chinese", "Japanese"} <= set(described["rapidocr"]["routed"])  # type: ignore[arg-type]
    assert "English" not in described["rapidocr"]["routed"]  # type: ignore[operator]
