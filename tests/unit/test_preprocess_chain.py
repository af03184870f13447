"""The chain runs only the steps asked for, in the documented order, and reports what it did."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ocrhive import preprocess
from ocrhive.domain.recognition import RecognitionSettings
from tests.unit.preprocess_fixtures import synthetic, text_page

OFF = RecognitionSettings(skew_correct=False)


class FixedDetector:
    """Always proposes the same turn; records what it was shown."""

    def __init__(self, answer: tuple[int, float] | None) -> None:
        self.answer = answer
        self.seen: list[Image.Image] = []

    def __call__(self, image: Image.Image) -> tuple[int, float] | None:
        self.seen.append(image)
        return self.answer


def test_nothing_asked_nothing_done() -> None:
    page = text_page()
    out = preprocess.apply(page, OFF)
    assert out.image is page
    assert (out.rotation, out.skew, out.scale, out.warnings) == (0, 0.0, 1.0, ())


def test_backwards_compatible_call_with_defaults_keeps_an_upright_page() -> None:
    page = text_page()
    out = preprocess.apply(page, RecognitionSettings())
    assert out.image is page and out.skew == 0.0 and out.warnings == ()


def test_client_rotate_is_applied_first() -> None:
    out = preprocess.apply(text_page(), RecognitionSettings(skew_correct=False, rotate=90))
    assert out.rotation == 90
    assert out.image.height > out.image.width


def test_skew_is_corrected_and_reported() -> None:
    out = preprocess.apply(synthetic.skew(text_page(), 3.7), RecognitionSettings())
    assert out.skew == pytest.approx(-3.7, abs=0.3)
    assert out.warnings == (f"Deskewed by {out.skew:+.2f}°",)


def test_orientation_turn_is_applied_and_reported() -> None:
    upside_down = synthetic.turn(text_page(), 180)
    detector = FixedDetector((180, 12.34))
    out = preprocess.apply(upside_down, RecognitionSettings(), detector)
    assert out.rotation == 180
    assert out.image.tobytes() == text_page().tobytes()
    assert out.warnings == ("Page rotated 180° clockwise to upright orientation (confidence 12.3)",)


def test_an_explicit_rotate_is_the_clients_decision() -> None:
    detector = FixedDetector((90, 5.0))  # would turn the page further if asked
    out = preprocess.apply(text_page(), RecognitionSettings(rotate=90), detector)
    assert out.rotation == 90 and detector.seen == []
    assert out.image.height > out.image.width
    assert not any("rotated" in w for w in out.warnings)


def test_detector_sees_the_page_as_received_and_only_when_deskew_is_asked() -> None:
    page = synthetic.low_contrast(text_page(), 100, 200)
    detector = FixedDetector(None)
    preprocess.apply(page, RecognitionSettings(binarization=True), detector)
    assert detector.seen == [page]
    preprocess.apply(page, RecognitionSettings(skew_correct=False), detector)
    assert len(detector.seen) == 1


def test_steps_run_in_documented_order() -> None:
    # binarization before deskew: the deskewed result carries interpolated grey edges
    page = synthetic.skew(synthetic.low_contrast(text_page(), 150, 210), 4.0)
    out = preprocess.apply(page, RecognitionSettings(binarization=True))
    assert out.skew != 0.0
    assert np.unique(np.asarray(out.image)).size > 2


def test_upsampling_reports_its_scale() -> None:
    small = synthetic.resample(text_page(size_px=40), 0.25)
    out = preprocess.apply(small, RecognitionSettings(upsampling=True))
    assert out.scale > 1.0
    assert out.image.width == round(small.width * out.scale)
    assert f"Enlarged {out.scale:g}× for small text" in out.warnings


def test_all_steps_together_produce_a_greyscale_image() -> None:
    page = synthetic.skew(synthetic.uneven_light(text_page(), 0.3), -5.0).convert("RGB")
    settings = RecognitionSettings(binarization=True, contrast_correction=True, upsampling=True)
    out = preprocess.apply(page, settings)
    assert out.image.mode == "L"
    assert out.skew == pytest.approx(5.0, abs=0.3)


def _on_scanner_lid(page: Image.Image) -> Image.Image:
    """A faded page lying on a black scanner lid."""
    canvas = Image.new("L", (page.width + 160, page.height + 160), 10)
    canvas.paste(synthetic.low_contrast(page, ink=160, paper=240), (80, 80))
    return canvas


def test_dark_border_is_cleared_on_every_path() -> None:
    scan = _on_scanner_lid(text_page())
    for settings in (
        RecognitionSettings(skew_correct=False, contrast_correction=True),
        RecognitionSettings(skew_correct=False, binarization=True),
    ):
        out = np.asarray(preprocess.apply(scan, settings).image)
        assert out[:40].min() > 200, settings  # the lid is paper now
        assert (out < 128).mean() > 0.01, settings  # and the faded text black
    for settings in (RecognitionSettings(), RecognitionSettings(skew_correct=False)):
        out = np.asarray(preprocess.apply(scan, settings).image.convert("L"))
        assert out[:40].min() > 200, settings
    clean = text_page()
    assert preprocess.apply(clean, RecognitionSettings(skew_correct=False)).image is clean


def test_blocky_jpeg_of_small_text_is_smoothed_before_the_stretch() -> None:
    blocky = synthetic.jpeg(synthetic.resample(text_page(size_px=40), 0.4), 8)
    out = preprocess.apply(blocky, RecognitionSettings(skew_correct=False, binarization=True))
    # a clear page is only stretched, so the smoothed grey edges survive
    assert out.image is not blocky and np.unique(np.asarray(out.image)).size > 2
    assert preprocess.apply(blocky, RecognitionSettings()).image is blocky


def test_the_unpainted_page_follows_the_same_geometry() -> None:
    scan = synthetic.turn(_on_scanner_lid(text_page()), 180)
    out = preprocess.apply(scan, RecognitionSettings(upsampling=True), FixedDetector((180, 9.0)))
    assert out.unpainted is not None and out.unpainted.size == out.image.size
    assert np.asarray(out.unpainted.convert("L"))[-40:].min() < 60  # the lid, now at the bottom
    cleaned = preprocess.apply(scan, RecognitionSettings(contrast_correction=True))
    assert cleaned.unpainted is None  # painting was asked for (as part of the cleanup)
    assert preprocess.apply(text_page(), RecognitionSettings()).unpainted is None
