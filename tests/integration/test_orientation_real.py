"""The reading-based orientation detector on real receipts that Tesseract's OSD cannot judge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.accuracy import synthetic
from PIL import Image

from ocrhive import preprocess
from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.engines.orientation import PageOrientation
from ocrhive.engines.osd import OsdOrientation

RECEIPTS = Path("/work/shared/datasets/dev-receipts")
#: OSD answers nothing for these at any rotation (measured; see benchmarks/orientation).
OSD_BLIND = ("sroie_158", "sroie_415", "sroie_614")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def detector() -> Iterator[PageOrientation]:
    found = PageOrientation()
    yield found
    found.close()


def _receipt(name: str) -> Image.Image:
    path = RECEIPTS / f"{name}.jpg"
    if not path.exists():
        pytest.fail(f"dataset image missing: {path} (the shared datasets must sit beside the repo)")
    with Image.open(path) as image:
        return image.convert("RGB")


def test_osd_really_is_blind_on_these() -> None:
    osd = OsdOrientation()
    try:
        for name in OSD_BLIND:
            assert osd(synthetic.turn(_receipt(name), 180)) is None, name
    finally:
        osd.close()


@pytest.mark.parametrize("name", OSD_BLIND)
@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turned_receipts_come_back_upright(detector: PageOrientation, name: str, turn: int) -> None:
    found = detector(synthetic.turn(_receipt(name), turn))
    assert found is not None and found[0] == (360 - turn) % 360, found


@pytest.mark.parametrize("name", ["sroie_415", "sroie_614"])
def test_chain_keeps_quarter_turns(detector: PageOrientation, name: str) -> None:
    for turn in (90, 270):
        # through the chain (makeSkewCorrect, the SDK's default)
        prepared = preprocess.apply(
            synthetic.turn(_receipt(name), turn), RecognitionSettings(), detector
        )
        assert (turn + prepared.rotation) % 360 == 0, (turn, prepared.warnings)


def test_no_upright_receipt_is_turned(detector: PageOrientation) -> None:
    receipts = sorted(RECEIPTS.glob("*.jpg"))
    assert receipts, f"the dev receipts are missing from {RECEIPTS}"
    for path in receipts:
        found = detector(_receipt(path.stem))
        assert found is None or found[0] == 0, (path.name, found)


def test_upright_generated_pages_are_not_turned(detector: PageOrientation) -> None:
    for sample in synthetic.degraded_set(seed=3, count=2):
        if sample.category != "rotated":
            found = detector(sample.image)
            assert found is None or found[0] == 0, (sample.name, found)
