"""The use cases on the in-memory store and broker: who sees which task, and how failures inside
the pipeline end a task (faults injected through the engine port, as production calls it)."""

from __future__ import annotations

import pytest
from PIL import Image

from ocrhive.broker.memory import MemoryBroker
from ocrhive.composition import build_service
from ocrhive.config import Settings
from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import Family, Language, RecognitionSettings
from ocrhive.domain.task import TaskStatus
from ocrhive.engines.base import EngineRequest
from ocrhive.errors import EngineFailure
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.service import OcrService, Requester
from ocrhive.store.memory import MemoryStore
from tests.conftest import png_bytes, text_page

ALICE, BOB, NOBODY = (
    Requester(client_id="alice"),
    Requester(client_id="bob"),
    Requester(client_id=None),
)


class ScriptedEngine:
    """An engine whose behaviour the test chooses: a fixed page, or a failure."""

    name = "scripted"

    def __init__(self, fail: BaseException | None = None) -> None:
        self.fail = fail
        self.requests: list[EngineRequest] = []

    def recognize(self, image: Image.Image, request: EngineRequest) -> Page:
        self.requests.append(request)
        if self.fail is not None:
            raise self.fail
        box = BBox(left=0, top=0, right=10, bottom=10)
        words = tuple(Word(text=t, bbox=box, confidence=95.0) for t in ["one", "two", "three"])
        line = Line(bbox=box, words=words)
        block = Block(bbox=box, paragraphs=(Paragraph(bbox=box, lines=(line,)),))
        return Page(width=image.width, height=image.height, blocks=(block,))

    def installed_languages(self) -> frozenset[Language]:
        return frozenset({Language.ENGLISH})


@pytest.fixture
def service() -> OcrService:
    # built as every process builds it, on the in-memory adapters
    return build_service(Settings(retention_seconds=60), MemoryStore(), MemoryBroker())


def run_next(service: OcrService, engine: ScriptedEngine) -> None:
    [task_id] = service.store.pending(limit=1)
    task = service.claim(task_id, "w")
    assert task is not None
    service.process(task, "w", Readers(engine=engine), PipelineOptions())


def test_visibility_rules(service: OcrService) -> None:
    image = png_bytes(text_page(["x"]))
    mine = service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), image, ALICE)
    trial = service.submit(Family.RECOGNIZE_IMAGE_TRIAL, RecognitionSettings(), image, NOBODY)
    assert service.get_result(mine, ALICE) is not None
    assert service.get_result(mine, BOB) is None
    assert service.get_result(mine, NOBODY, family=Family.RECOGNIZE_IMAGE_TRIAL) is None
    assert service.get_result(trial, NOBODY, family=Family.RECOGNIZE_IMAGE_TRIAL) is not None
    assert service.get_result(trial, BOB) is not None  # anyone holding a trial id
    assert not service.cancel(mine, BOB)
    assert not service.cancel(mine, NOBODY, family=Family.RECOGNIZE_IMAGE_TRIAL)
    assert service.get_result(mine, ALICE) is not None
    assert service.cancel(mine, ALICE)
    assert service.get_result(mine, ALICE) is None


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (EngineFailure("Tesseract failed on this image: boom"), "Tesseract failed"),
        (MemoryError(), "ran out of memory"),
        (ZeroDivisionError("bug"), "Internal error while processing this task (ZeroDivisionError)"),
    ],
)
def test_failures_inside_the_pipeline_end_the_task_in_error(
    service: OcrService, fault: BaseException, message: str
) -> None:
    task_id = service.submit(
        Family.RECOGNIZE_IMAGE, RecognitionSettings(), png_bytes(text_page(["x"])), ALICE
    )
    run_next(service, ScriptedEngine(fail=fault))
    view = service.get_result(task_id, ALICE)
    assert view is not None and view.status is TaskStatus.ERROR
    assert message in view.messages[0]
    assert "Traceback" not in view.messages[0]


def test_trial_masks_through_the_service(service: OcrService) -> None:
    task_id = service.submit(
        Family.RECOGNIZE_IMAGE_TRIAL, RecognitionSettings(), png_bytes(text_page(["x"])), NOBODY
    )
    engine = ScriptedEngine()
    run_next(service, engine)
    view = service.get_result(task_id, NOBODY, family=Family.RECOGNIZE_IMAGE_TRIAL)
    assert view is not None and view.results is not None
    words = view.results[0].data.decode().split()
    assert len(words) == 3 and sum(set(w) == {"*"} for w in words) == 1
    assert engine.requests[0].language is Language.ENGLISH
