"""The use cases: submit, get_result, cancel, process — the only place that sees store, queue and
pipeline together."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from ocrhive import pipeline
from ocrhive.broker.base import Broker
from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.domain.task import ClaimedTask, NewTask, Outcome, TaskView
from ocrhive.errors import TaskFailed
from ocrhive.store.base import TaskStore

log = structlog.get_logger("ocrhive.service")


@dataclass(frozen=True, kw_only=True)
class Requester:
    """Who asks: an authenticated client, or nobody (trial endpoints)."""

    client_id: str | None

    @property
    def anonymous(self) -> bool:
        return self.client_id is None


class OcrService:
    """Submits, looks up, cancels and processes tasks."""

    def __init__(
        self,
        store: TaskStore,
        broker: Broker,
        *,
        retention_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._broker = broker
        self._retention = retention_seconds
        self._clock = clock

    def submit(
        self, family: Family, settings: RecognitionSettings, image: bytes, requester: Requester
    ) -> str:
        """Queue a task; returns its id at once."""
        now = self._clock()
        task = NewTask(
            id=str(uuid.uuid4()),
            family=family,
            owner=None if family.is_trial else requester.client_id,
            settings=settings,
            created_at=now,
            expires_at=now + self._retention,
        )
        self.store.save(task, image)
        self._broker.publish(task.id)
        log.info("task_submitted", task_id=task.id, family=family.value, bytes=len(image))
        return task.id

    def _visible(self, view: TaskView | None, family: Family | None, requester: Requester) -> bool:
        if view is None:
            return False
        if requester.anonymous:
            # the no-token trial path reads trial tasks and nothing else
            return view.family.is_trial and (family is None or family.is_trial)
        if view.family.is_trial:
            return True  # anyone holding a trial id may read it
        return view.owner == requester.client_id

    def get_result(
        self,
        task_id: str,
        requester: Requester,
        *,
        family: Family | None = None,
        with_results: bool = True,
    ) -> TaskView | None:
        """The task as ``requester`` may see it, or None (reported as NotExist)."""
        view = self.store.load(task_id, now=self._clock(), with_results=with_results)
        return view if self._visible(view, family, requester) else None

    def cancel(self, task_id: str, requester: Requester, *, family: Family | None = None) -> bool:
        """Forget a task: a queued one never runs, a running one's result is discarded."""
        view = self.store.load(task_id, now=self._clock())
        if not self._visible(view, family, requester):
            return False
        deleted = self.store.delete(task_id)
        if deleted:
            log.info("task_cancelled", task_id=task_id)
        return deleted

    def process(
        self,
        task: ClaimedTask,
        worker: str,
        readers: pipeline.Readers,
        options: pipeline.PipelineOptions,
    ) -> Outcome:
        """Run a claimed task through the pipeline and store what came out."""
        started = time.monotonic()
        try:
            outcome = pipeline.run(task.image, task.family, task.settings, readers, options)
        except TaskFailed as exc:
            outcome = Outcome(messages=(exc.message,))
        except MemoryError:
            outcome = Outcome(messages=("The worker ran out of memory processing this image.",))
        except Exception as exc:  # a bug or an engine fault: the task fails, the worker lives on
            log.exception("task_crashed", task_id=task.id)
            outcome = Outcome(
                messages=(f"Internal error while processing this task ({type(exc).__name__}).",)
            )
        stored = self.store.complete(task.id, worker, outcome, now=self._clock())
        log.info(
            "task_failed" if outcome.failed else "task_completed",
            task_id=task.id,
            seconds=round(time.monotonic() - started, 3),
            stored=stored,
            messages=list(outcome.messages),
        )
        return outcome
