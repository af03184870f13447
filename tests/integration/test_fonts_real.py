"""IdentifyFont's handler with the real Tesseract engine on samples set in known fonts."""

from __future__ import annotations

import ast
import random

import pytest
from benchmarks.fonts.samples import Condition, render
from PIL import Image

from ocrhive.domain.recognition import ArtifactKind, RecognitionSettings
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.errors import TaskFailed, UnreadableImage
from ocrhive.fonts.faces import CATALOGUE, FONT_ROOT, Style, installed_faces
from ocrhive.operations import font
from ocrhive.pipeline import PipelineOptions, Readers
from tests.conftest import png_bytes

pytestmark = pytest.mark.slow

#: what the official SDK sends for IdentifyFont when the caller sets nothing
SETTINGS = RecognitionSettings(skew_correct=True, binarization=True)
PARAGRAPH = Condition(name="paragraph", kind="paragraph", points=11, dpi=300, noise=8.0)
LINE = Condition(name="line", kind="line", points=12, dpi=200, blur=0.6)


@pytest.fixture(scope="module")
def readers() -> Readers:
    return Readers(engine=TesseractEngine())


def _sample(font_file: str, condition: Condition, seed: int = 7) -> bytes:
    return render(FONT_ROOT / font_file, condition, random.Random(seed))


def _answer(readers: Readers, data: bytes) -> dict[str, object]:
    outcome = font.run(data, SETTINGS, readers, PipelineOptions())
    assert [r.kind for r in outcome.results] == [ArtifactKind.TEXT]
    answer = ast.literal_eval(outcome.results[0].data.decode("utf-8"))
    assert isinstance(answer, dict)
    return answer


def test_every_reference_face_is_installed() -> None:
    # scripts/service-system-deps.sh installs them; a missing package silently narrows answers
    expected = sum(len(faces) for sets in CATALOGUE.values() for faces in sets)
    assert len(installed_faces()) == expected


def test_a_liberation_serif_paragraph_is_times(readers: Readers) -> None:
    answer = _answer(readers, _sample("truetype/liberation/LiberationSerif-Regular.ttf", PARAGRAPH))
    assert "times" in answer["font"]  # type: ignore[operator]
    assert answer["style"] == "regular"


def test_a_liberation_mono_line_is_courier(readers: Readers) -> None:
    answer = _answer(readers, _sample("truetype/liberation/LiberationMono-Regular.ttf", LINE))
    assert "courier" in answer["font"]  # type: ignore[operator]


def test_a_bold_paragraph_is_bold(readers: Readers) -> None:
    answer = _answer(readers, _sample("truetype/liberation/LiberationSans-Bold.ttf", PARAGRAPH))
    assert answer["style"] == "bold"
    assert "arial" in answer["font"]  # type: ignore[operator]


def test_an_italic_line_is_italic(readers: Readers) -> None:
    answer = _answer(readers, _sample("truetype/crosextra/Caladea-Italic.ttf", LINE))
    assert answer["style"] == "italic"


def test_the_answer_is_the_python_literal_aspose_writes(readers: Readers) -> None:
    data = _sample("opentype/urw-base35/C059-Roman.otf", PARAGRAPH)
    text = font.run(data, SETTINGS, readers, PipelineOptions()).results[0].data.decode("utf-8")
    answer = ast.literal_eval(text)
    assert set(answer) == {"style", "font"}
    assert list(answer) == ["style", "font"]
    assert answer["style"] in {s.value for s in Style}
    assert len(answer["font"]) == 3
    assert set(answer["font"]) <= set(CATALOGUE)
    # byte for byte the way Python prints it: single quotes, ", " and ": " separators
    assert text == repr(answer)
    assert text.startswith("{'style': '")


def test_the_answer_tells_how_it_was_made(readers: Readers) -> None:
    data = _sample("truetype/liberation/LiberationSerif-Regular.ttf", LINE)
    outcome = font.run(data, SETTINGS, readers, PipelineOptions())
    assert any("look-alike fonts" in w for w in outcome.warnings)


def test_not_an_image_fails_the_task(readers: Readers) -> None:
    with pytest.raises(UnreadableImage):
        font.run(b"this is not an image at all", SETTINGS, readers, PipelineOptions())


def test_a_page_without_text_fails_with_a_clear_message(readers: Readers) -> None:
    blank = png_bytes(Image.new("L", (1200, 800), 255))
    with pytest.raises(TaskFailed) as failure:
        font.run(blank, SETTINGS, readers, PipelineOptions())
    assert failure.value.message == font.NO_TEXT
