"""The image-processing families with real images and the real Tesseract engine: skewed, curved,
low-resolution and noisy generated pages come back as PNG and read at least as well."""

from __future__ import annotations

import io
import math
import re

import numpy as np
import pytest
from benchmarks.accuracy import synthetic
from benchmarks.accuracy.metrics import cer
from benchmarks.imaging import pages
from PIL import Image

from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.domain.task import Outcome
from ocrhive.engines.base import EngineRequest
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.errors import TaskFailed
from ocrhive.operations import Handler
from ocrhive.operations.imaging import binarize, deskew, dewarp, upscale
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.preprocess.deskew import estimate_skew
from ocrhive.render.text import page_text

pytestmark = pytest.mark.slow

SETTINGS = RecognitionSettings()
OPTIONS = PipelineOptions()
HANDLERS = (binarize, deskew, dewarp, upscale)


@pytest.fixture(scope="module")
def engine() -> TesseractEngine:
    return TesseractEngine()


@pytest.fixture(scope="module")
def generated() -> list[pages.Damaged]:
    return list(pages.generate(seed=11, per_set=2))


@pytest.fixture(scope="module")
def page() -> tuple[Image.Image, str]:
    return synthetic.render_page(synthetic.PROSE[:2], size_px=38)


def encoded(image: Image.Image, kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def run(handler: Handler, image: Image.Image, engine: TesseractEngine) -> Image.Image:
    """The handler on ``image`` sent as PNG; its one result, checked to be a PNG."""
    outcome = handler(encoded(image), SETTINGS, Readers(engine=engine), OPTIONS)
    return only_png(outcome)


def only_png(outcome: Outcome) -> Image.Image:
    assert [a.kind.name for a in outcome.results] == ["IMAGE_PNG"]
    data = outcome.results[0].data
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy()


def read(engine: TesseractEngine, image: Image.Image) -> str:
    return page_text(engine.recognize(image, EngineRequest()))


def applied_turn(outcome: Outcome) -> float:
    found = re.search(r"Deskewed by ([+-][0-9.]+)°", " ".join(outcome.warnings))
    assert found, outcome.warnings
    return float(found.group(1))


@pytest.mark.parametrize("angle", [7.0, -7.0, 2.5, -11.0, 14.5])
def test_deskew_turns_a_tilted_page_upright(
    engine: TesseractEngine, page: tuple[Image.Image, str], angle: float
) -> None:
    tilted = synthetic.skew(page[0], angle)
    outcome = deskew(encoded(tilted), SETTINGS, Readers(engine=engine), OPTIONS)
    # the turn undoes the generator's, and the page it gives back measures level
    assert abs(applied_turn(outcome) + angle) <= 0.5
    left = estimate_skew(only_png(outcome))
    assert left is not None and abs(left.angle) <= 0.5


def test_deskewed_page_reads_at_least_as_well(
    engine: TesseractEngine, generated: list[pages.Damaged]
) -> None:
    for sample in (s for s in generated if s.set == "skewed"):
        before = cer(sample.truth, read(engine, sample.image))
        after = cer(sample.truth, read(engine, run(deskew, sample.image, engine)))
        assert after <= before and after < 0.05, (sample.name, before, after)


def test_deskew_leaves_a_level_page_alone(
    engine: TesseractEngine, page: tuple[Image.Image, str]
) -> None:
    outcome = deskew(encoded(page[0]), SETTINGS, Readers(engine=engine), OPTIONS)
    assert np.array_equal(np.asarray(only_png(outcome)), np.asarray(page[0]))
    assert outcome.warnings == ("The text lines are already level; the image is unchanged.",)


def test_dewarp_straightens_curved_lines(
    engine: TesseractEngine, generated: list[pages.Damaged]
) -> None:
    curved = [s for s in generated if s.set == "curved"]
    assert {s.name[:4] for s in curved} == {"sine", "book"}
    for sample in curved:
        outcome = dewarp(encoded(sample.image), SETTINGS, Readers(engine=engine), OPTIONS)
        straight = only_png(outcome)
        assert straight.size == sample.image.size
        assert "not a neural model" in outcome.warnings[0]
        before = cer(sample.truth, read(engine, sample.image))
        after = cer(sample.truth, read(engine, straight))
        assert after <= before and after < 0.05, (sample.name, before, after)


def test_dewarp_leaves_a_flat_page_alone(
    engine: TesseractEngine, page: tuple[Image.Image, str]
) -> None:
    outcome = dewarp(encoded(page[0]), SETTINGS, Readers(engine=engine), OPTIONS)
    assert np.array_equal(np.asarray(only_png(outcome)), np.asarray(page[0]))
    assert "unchanged" in outcome.warnings[0]


def test_dewarp_keeps_a_colour_page_in_colour(
    engine: TesseractEngine, page: tuple[Image.Image, str]
) -> None:
    tinted = Image.merge("RGB", (page[0], page[0], page[0].point(lambda v: v * 0.8)))
    wavy = pages.sine_wave(tinted, amplitude=25.0, period=1.5, phase=0.3)
    straight = run(dewarp, wavy, engine)
    assert straight.mode == "RGB"
    assert cer(page[1], read(engine, straight)) < 0.05


def test_binarize_gives_pure_black_and_white_that_reads_better(
    engine: TesseractEngine, generated: list[pages.Damaged]
) -> None:
    for sample in (s for s in generated if s.set == "noisy"):
        bilevel = run(binarize, sample.image, engine)
        assert bilevel.mode == "1"
        assert set(np.unique(np.asarray(bilevel.convert("L"))).tolist()) <= {0, 255}
        before = cer(sample.truth, read(engine, sample.image))
        after = cer(sample.truth, read(engine, bilevel))
        assert after <= before and after < 0.05, (sample.name, before, after)


def test_binarize_a_clean_colour_jpeg(
    engine: TesseractEngine, page: tuple[Image.Image, str]
) -> None:
    colour = Image.merge("RGB", (page[0], page[0].point(lambda v: 40 + v * 0.8), page[0]))
    outcome = binarize(encoded(colour, "JPEG"), SETTINGS, Readers(engine=engine), OPTIONS)
    bilevel = only_png(outcome)
    assert bilevel.mode == "1" and bilevel.size == colour.size
    assert outcome.warnings == ()
    assert cer(page[1], read(engine, bilevel)) <= 0.01


def test_binarize_warns_about_tiny_print(
    engine: TesseractEngine, generated: list[pages.Damaged]
) -> None:
    small = next(s for s in generated if s.set == "low_resolution")
    outcome = binarize(encoded(small.image), SETTINGS, Readers(engine=engine), OPTIONS)
    assert only_png(outcome).mode == "1"
    assert "px tall" in outcome.warnings[0]


def test_upscale_enlarges_small_print_and_it_reads_at_least_as_well(
    engine: TesseractEngine, generated: list[pages.Damaged]
) -> None:
    for sample in (s for s in generated if s.set == "low_resolution"):
        buffer = io.BytesIO()
        # (a PNG stores 100 dpi as 3937 dots per metre, read back as 99.9998: below the 100 dpi
        # ingest trusts, so the test marks its 100-dpi pages 120)
        sample.image.save(buffer, "PNG", dpi=(120, 120))
        outcome = upscale(buffer.getvalue(), SETTINGS, Readers(engine=engine), OPTIONS)
        bigger = only_png(outcome)
        factor = round(bigger.width / sample.image.width * 4) / 4
        # letters ~5 px tall need more than the minimum 2× to reach Tesseract's best size
        assert 2.5 <= factor <= 4.0
        assert bigger.size == (
            round(sample.image.width * factor),
            round(sample.image.height * factor),
        )
        assert f"Upscaled {factor:g}×" in outcome.warnings[0]
        assert "not a neural model" in outcome.warnings[0]
        assert math.isclose(bigger.info["dpi"][0], 120 * factor, rel_tol=0.01)
        before = cer(sample.truth, read(engine, sample.image))
        after = cer(sample.truth, read(engine, bigger))
        assert after <= before and after < 0.02, (sample.name, before, after)


def test_upscale_doubles_a_page_with_large_text(
    engine: TesseractEngine, page: tuple[Image.Image, str]
) -> None:
    bigger = run(upscale, page[0], engine)
    assert bigger.size == (2 * page[0].width, 2 * page[0].height)


def test_upscale_refuses_to_outgrow_the_servers_pixel_limit(
    engine: TesseractEngine, page: tuple[Image.Image, str]
) -> None:
    from ocrhive.ingest.decode import DecodeLimits
    from ocrhive.ingest.pages import PageLimits

    pixels = page[0].width * page[0].height
    tight = PipelineOptions(limits=PageLimits(decode=DecodeLimits(max_pixels=3 * pixels)))
    outcome = upscale(encoded(page[0]), SETTINGS, Readers(engine=engine), tight)
    bigger = only_png(outcome)
    assert bigger.width * bigger.height <= 3 * pixels
    assert bigger.width > page[0].width


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda h: h.__name__)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The image is empty (0 bytes after base64 decoding)."),
        (b"hello, world", "The submitted file is text, not an image."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "marked as PNG but its data is corrupt"),
    ],
)
def test_bad_input_fails_the_task_with_a_clear_message(
    engine: TesseractEngine, handler: Handler, data: bytes, message: str
) -> None:
    with pytest.raises(TaskFailed, match=re.escape(message)):
        handler(data, SETTINGS, Readers(engine=engine), OPTIONS)
