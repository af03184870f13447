"""The task events the service reports (in-memory observer): submitted, started with its wait,
pages read by the engine the registry chose, and every way a task ends."""

from __future__ import annotations

from ocrhive.broker.memory import MemoryBroker
from ocrhive.domain.recognition import Family, Language, RecognitionSettings
from ocrhive.domain.task import TaskStatus
from ocrhive.engines.registry import EngineRegistry
from ocrhive.errors import EngineFailure
from ocrhive.metrics.events import RecordedEvents
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.service import LifecyclePolicy, LossCause, OcrService, Requester
from ocrhive.store.memory import MemoryStore
from tests.conftest import png_bytes, text_page
from tests.unit.test_service import ScriptedEngine

ALICE = Requester(client_id="alice")
IMAGE = png_bytes(text_page(["x"]))


class Clock:
    """Time the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def make(policy: LifecyclePolicy | None = None) -> tuple[OcrService, RecordedEvents, Clock]:
    events, clock = RecordedEvents(), Clock()
    service = OcrService(
        MemoryStore(),
        MemoryBroker(),
        policy=policy or LifecyclePolicy(),
        clock=clock,
        events=events,
    )
    return service, events, clock


def test_a_completed_task_reports_submit_wait_pages_and_run_time() -> None:
    service, events, clock = make()
    task_id = service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), IMAGE, ALICE)
    assert events.submitted == [Family.RECOGNIZE_IMAGE]
    clock.now += 2.5
    task = service.claim(task_id, "w")
    assert task is not None
    assert events.started == [(Family.RECOGNIZE_IMAGE, 2.5)]
    clock.now += 4.0
    service.process(task, "w", Readers(engine=ScriptedEngine()), PipelineOptions())
    assert events.pages == [("scripted", 1)]
    assert events.finished == [(Family.RECOGNIZE_IMAGE, TaskStatus.COMPLETED, 4.0)]


def test_a_failed_run_counts_as_failed_and_reads_no_pages() -> None:
    service, events, _ = make()
    task_id = service.submit(Family.DETECT_REGIONS, RecognitionSettings(), IMAGE, ALICE)
    task = service.claim(task_id, "w")
    assert task is not None
    engine = ScriptedEngine(fail=EngineFailure("boom"))
    service.process(task, "w", Readers(engine=engine), PipelineOptions())
    assert events.pages == []
    assert [(f, s) for f, s, _ in events.finished] == [(Family.DETECT_REGIONS, TaskStatus.ERROR)]


def test_a_late_result_of_a_cancelled_task_is_not_counted_as_finished() -> None:
    service, events, _ = make()
    task_id = service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), IMAGE, ALICE)
    task = service.claim(task_id, "w")
    assert task is not None
    assert service.cancel(task_id, ALICE)
    service.process(task, "w", Readers(engine=ScriptedEngine()), PipelineOptions())
    assert events.pages == [("scripted", 1)]  # the work was done all the same
    assert events.finished == []


def test_pages_are_credited_to_the_engine_the_registry_chose() -> None:
    service, events, _ = make()
    registry = EngineRegistry(
        routes={Language.CHINESE: "rapidocr"},
        factories={"tesseract": ScriptedEngine, "rapidocr": ChineseEngine},
    )
    for language in (Language.CHINESE, Language.ENGLISH):
        settings = RecognitionSettings(language=language)
        task_id = service.submit(Family.RECOGNIZE_IMAGE, settings, IMAGE, ALICE)
        task = service.claim(task_id, "w")
        assert task is not None
        service.process(task, "w", Readers(engine=registry), PipelineOptions())
    assert events.pages == [("rapidocr", 1), ("scripted", 1)]


class ChineseEngine(ScriptedEngine):
    name = "rapidocr"

    def installed_languages(self) -> frozenset[Language]:
        return frozenset({Language.CHINESE})


def test_tasks_ended_by_the_process_model_count_as_failed() -> None:
    service, events, clock = make(LifecyclePolicy(max_attempts=1, task_time_limit=10.0))
    lost = service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), IMAGE, ALICE)
    slow = service.submit(Family.RECOGNIZE_PDF, RecognitionSettings(), IMAGE, ALICE)
    assert service.claim(lost, "dead") is not None
    assert service.claim(slow, "stuck") is not None
    clock.now += 5.0
    assert service.release_orphans({"stuck"}, LossCause.WORKER_DIED) == 1
    clock.now += 60.0  # past the limit and its grace
    assert [t.id for t in service.enforce_time_limits()] == [slow]
    assert events.finished == [
        (Family.RECOGNIZE_IMAGE, TaskStatus.ERROR, 5.0),
        (Family.RECOGNIZE_PDF, TaskStatus.ERROR, 65.0),
    ]


def test_a_retried_task_is_not_finished_and_is_started_twice() -> None:
    service, events, clock = make(LifecyclePolicy(max_attempts=2))
    task_id = service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), IMAGE, ALICE)
    assert service.claim(task_id, "dead") is not None
    clock.now += 1.0
    service.release_orphans((), LossCause.WORKER_DIED)
    assert service.claim(task_id, "w") is not None
    assert events.finished == []
    assert events.started == [(Family.RECOGNIZE_IMAGE, 0.0), (Family.RECOGNIZE_IMAGE, 1.0)]
