"""What any worker process does with one task — claim it, run it, store the outcome — riding out
a store that fails for a while (a full disk, Redis restarting) instead of dying or losing work.
Embedded workers and Celery worker nodes both run tasks through here."""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog

from ocrhive.domain.task import ClaimedTask, Outcome
from ocrhive.errors import OcrhiveError
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.service import OcrService

log = structlog.get_logger("ocrhive.worker")

#: longest pause between tries while the store fails, seconds
MAX_BACKOFF = 2.0
#: after this long failing to store a result, store a short Error instead, seconds
GIVE_UP_RESULTS_AFTER = 30.0


class Backoff:
    """Waits longer after each consecutive store failure; logs the first of a run only."""

    def __init__(self, wait: Callable[[float], object], stopping: Callable[[], bool]) -> None:
        self._wait = wait
        self._stopping = stopping
        self._delay = 0.0

    @property
    def stopping(self) -> bool:
        return self._stopping()

    def failed(self, what: str, exc: Exception) -> None:
        if self._delay == 0.0:
            log.warning("store_unavailable", during=what, error=f"{type(exc).__name__}: {exc}")
        self._delay = min(max(0.05, self._delay * 2), MAX_BACKOFF)
        self._wait(self._delay)

    def ok(self) -> None:
        if self._delay:
            log.info("store_available")
        self._delay = 0.0


def claim(service: OcrService, task_id: str, worker: str, backoff: Backoff) -> ClaimedTask | None:
    """Claim ``task_id``, retrying while the store fails; None if it is not ours to run."""
    while True:
        try:
            claimed = service.claim(task_id, worker)
        except (OcrhiveError, OSError) as exc:
            backoff.failed("claim", exc)
            if backoff.stopping:
                return None
            continue
        backoff.ok()
        return claimed


def store_outcome(
    service: OcrService, task: ClaimedTask, worker: str, outcome: Outcome, backoff: Backoff
) -> bool:
    """Store ``outcome``, retrying while the store refuses; a result too big to store ends
    the task in Error with a short message instead. Returns whether it was stored."""
    first_failure: float | None = None
    while True:
        try:
            stored = service.complete(task, worker, outcome)
            backoff.ok()
            return stored
        except Exception as exc:  # the store's failure, e.g. StorageFull: wait, do not die
            now = time.monotonic()
            first_failure = first_failure or now
            if now - first_failure > GIVE_UP_RESULTS_AFTER and not outcome.failed:
                outcome = Outcome(
                    messages=("The results could not be stored: the server's storage is full.",)
                )
            backoff.failed("complete", exc)
            if backoff.stopping:
                return False


def run_claimed(
    service: OcrService,
    task: ClaimedTask,
    worker: str,
    readers: Readers,
    options: PipelineOptions,
    backoff: Backoff,
) -> Outcome:
    """Run a claimed task and store what came out, with ``task_id`` bound in the logs."""
    with structlog.contextvars.bound_contextvars(task_id=task.id):
        outcome = service.run(task, worker, readers, options)
        store_outcome(service, task, worker, outcome, backoff)
    return outcome
