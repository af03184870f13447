"""Recognition quality through the live service, the way the acceptance check measures it:
degraded pages with their matching flags against the bare engine, rotated pages against
upright ones, and clean pages with the SDK's default settings."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import pytest
from benchmarks.accuracy import synthetic
from PIL import Image

from ocrhive.engines.base import EngineRequest
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.render.text import page_text
from tests.conftest import b64, png_bytes
from tests.textmetrics import cer

pytestmark = pytest.mark.slow

#: what the official Python SDK sends when the caller sets only language and result type
SDK_DEFAULTS = {
    "language": "English",
    "makeSkewCorrect": True,
    "makeBinarization": False,
    "makeSpellCheck": False,
    "makeContrastCorrection": False,
    "makeUpsampling": False,
    "resultType": "Text",
}


def read(api: httpx.Client, image: Image.Image, **flags: Any) -> str:
    body = {"image": b64(png_bytes(image)), "settings": {**SDK_DEFAULTS, **flags}}
    task_id = api.post("/v5.0/ocr/RecognizeImage", json=body).text
    deadline = time.monotonic() + 120
    while True:
        doc = api.get("/v5.0/ocr/RecognizeImage", params={"id": task_id}).json()
        if doc["taskStatus"] in ("Completed", "Error") or time.monotonic() > deadline:
            break
    assert doc["taskStatus"] == "Completed", doc
    return base64.b64decode(doc["results"][0]["data"]).decode()


@pytest.fixture(scope="module")
def engine() -> TesseractEngine:
    return TesseractEngine()


def bare(engine: TesseractEngine, image: Image.Image) -> str:
    return page_text(engine.recognize(image, EngineRequest()))


@pytest.fixture(scope="module")
def page() -> tuple[Image.Image, str]:
    return synthetic.render_page(synthetic.PROSE[:2], size_px=34)


#: each damage of the benchmark's generator and the flag a client would send for it
MATCHING_FLAGS: dict[str, dict[str, bool]] = {
    "skew": {},  # makeSkewCorrect is already on by default
    "low_contrast": {"makeContrastCorrection": True},
    "uneven_light": {"makeBinarization": True},
    "noise": {"makeContrastCorrection": True},
    "jpeg": {"makeContrastCorrection": True},
    "small_font": {"makeUpsampling": True},
}


@pytest.fixture(scope="module")
def degraded() -> list[synthetic.Sample]:
    return synthetic.degraded_set(seed=11, count=2)


@pytest.mark.parametrize("category", sorted(MATCHING_FLAGS))
def test_degraded_pages_with_matching_flags_beat_the_bare_engine(
    api: httpx.Client, engine: TesseractEngine, degraded: list[synthetic.Sample], category: str
) -> None:
    samples = [s for s in degraded if s.category == category]
    raw = sum(cer(bare(engine, s.image), s.truth) for s in samples)
    ours = sum(cer(read(api, s.image, **MATCHING_FLAGS[category]), s.truth) for s in samples)
    assert raw > 0.01 * len(samples), "the damage should hurt the bare engine"
    assert ours <= 0.6 * raw, (ours, raw)


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_rotated_pages_read_like_upright_ones(
    api: httpx.Client, page: tuple[Image.Image, str], turn: int
) -> None:
    clean, truth = page
    upright = cer(read(api, clean), truth)
    rotated = cer(read(api, synthetic.turn(clean, turn)), truth)
    assert rotated <= 1.2 * upright + 0.005, (rotated, upright)


def test_clean_page_with_sdk_defaults_is_as_good_as_the_bare_engine(
    api: httpx.Client, engine: TesseractEngine, page: tuple[Image.Image, str]
) -> None:
    clean, truth = page
    assert cer(read(api, clean), truth) <= 1.05 * cer(bare(engine, clean), truth) + 0.002
