"""An embedded worker process: loads the engines once, then claims and runs tasks until told to
stop, riding out a store that fails for a while (a full disk) instead of dying."""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from pathlib import Path

import structlog

from ocrhive import composition
from ocrhive.config import Settings
from ocrhive.domain.task import ClaimedTask, Outcome
from ocrhive.embedded.broker import LocalBroker
from ocrhive.engines.orientation import PageOrientation
from ocrhive.engines.registry import EngineRegistry
from ocrhive.logs import configure_logging
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.service import OcrService

log = structlog.get_logger("ocrhive.worker")

_PR_SET_PDEATHSIG = 1
#: how many Pending ids a worker looks at per try (another worker may win the oldest)
_CANDIDATES = 8
#: longest pause between tries while the store refuses writes, seconds
_MAX_BACKOFF = 2.0
#: after this long failing to store a result, store a short Error instead, seconds
_GIVE_UP_RESULTS_AFTER = 30.0


@dataclass(frozen=True, kw_only=True)
class WorkerConfig:
    """Everything a worker process needs, picklable for ``spawn``."""

    worker_id: str
    settings: Settings
    #: memory cap of this process, MiB (0 = none)
    memory_limit_mb: int = 0


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies, so a SIGKILLed server leaves no
    orphan worker holding tasks."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class _Backoff:
    """Waits longer after each consecutive store failure; logs the first of a run only."""

    def __init__(self, stop: Event) -> None:
        self._stop = stop
        self._delay = 0.0

    def failed(self, what: str, exc: Exception) -> None:
        if self._delay == 0.0:
            log.warning("store_unavailable", during=what, error=f"{type(exc).__name__}: {exc}")
        self._delay = min(max(0.05, self._delay * 2), _MAX_BACKOFF)
        self._stop.wait(self._delay)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def ok(self) -> None:
        if self._delay:
            log.info("store_available")
        self._delay = 0.0


def _next_task(service: OcrService, worker: str) -> ClaimedTask | None:
    for task_id in service.store.pending(limit=_CANDIDATES):
        claimed = service.claim(task_id, worker)
        if claimed is not None:
            return claimed
    return None


def _store_outcome(
    service: OcrService, task: ClaimedTask, worker: str, outcome: Outcome, backoff: _Backoff
) -> None:
    """Keep trying to store ``outcome`` while the store refuses (a full disk); a result too
    big to store ends the task in Error with a short message instead."""
    first_failure: float | None = None
    while True:
        try:
            service.complete(task, worker, outcome)
            backoff.ok()
            return
        except Exception as exc:  # the store's failure, e.g. StorageFull: wait, do not die
            now = time.monotonic()
            first_failure = first_failure or now
            if now - first_failure > _GIVE_UP_RESULTS_AFTER and not outcome.failed:
                outcome = Outcome(
                    messages=("The results could not be stored: the server's storage is full.",)
                )
            backoff.failed("complete", exc)
            if backoff.stopping:
                return


def run_worker(config: WorkerConfig, wake: Event, stop: Event) -> None:
    """The worker process's main loop."""
    parent = os.getppid()
    _die_with_parent()
    # Ctrl-C reaches the whole process group; the supervisor decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    settings = config.settings
    configure_logging(settings.log_level)
    structlog.contextvars.bind_contextvars(worker=config.worker_id)
    _limit_memory(config.memory_limit_mb)

    model_dirs = [settings.models_dir] if settings.models_dir else []
    # engines load lazily per language (RapidOCR's ~1 GB only in workers that get CJK tasks)
    engine = EngineRegistry(model_dirs)
    engine.warm_up()
    readers = Readers(engine=engine, orientation=_orientation(model_dirs))
    options: PipelineOptions = composition.pipeline_options(settings)
    store = composition.open_store(settings)
    service = composition.build_service(settings, store, LocalBroker(wake))
    backoff = _Backoff(stop)
    log.info("worker_ready", pid=os.getpid())
    while not stop.is_set() and os.getppid() == parent:
        try:
            task = _next_task(service, config.worker_id)
            if task is None:
                wake.clear()
                task = _next_task(service, config.worker_id)
            backoff.ok()
        except Exception as exc:  # the store is failing (disk full, locked): wait and retry
            backoff.failed("claim", exc)
            continue
        if task is None:
            wake.wait(settings.poll_interval)
            continue
        with structlog.contextvars.bound_contextvars(task_id=task.id):
            outcome = service.run(task, config.worker_id, readers, options)
            _store_outcome(service, task, config.worker_id, outcome, backoff)
    log.info("worker_stopped")


def _orientation(model_dirs: list[Path]) -> PageOrientation | None:
    """The page-orientation detector, or None (deskew only) when its model is missing."""
    try:
        return PageOrientation(model_dirs)
    except FileNotFoundError:
        log.warning("orientation_unavailable", reason="eng.traineddata not found")
        return None
