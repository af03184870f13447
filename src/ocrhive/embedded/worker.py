"""A worker process: loads the engine once, then claims and runs tasks until told to stop."""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event
from pathlib import Path

import structlog

from ocrhive.broker.memory import MemoryBroker
from ocrhive.engines.orientation import PageOrientation
from ocrhive.engines.registry import EngineRegistry
from ocrhive.logs import configure_logging
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.service import OcrService
from ocrhive.store.sqlite import SqliteStore

log = structlog.get_logger("ocrhive.embedded.worker")

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, kw_only=True)
class WorkerConfig:
    """Everything a worker process needs, picklable for ``spawn``."""

    worker_id: str
    database: Path
    model_dirs: tuple[Path, ...] = ()
    options: PipelineOptions = field(default_factory=PipelineOptions)
    retention_seconds: float = 24 * 3600.0
    poll_interval: float = 0.1
    memory_limit_mb: int = 0
    log_level: str = "info"


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


def run_worker(config: WorkerConfig, wake: Event, stop: Event) -> None:
    """The worker process's main loop."""
    parent = os.getppid()
    _die_with_parent()
    # Ctrl-C reaches the whole process group; the supervisor decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    configure_logging(config.log_level)
    structlog.contextvars.bind_contextvars(worker=config.worker_id)
    _limit_memory(config.memory_limit_mb)

    # engines load lazily per language (RapidOCR's ~1 GB only in workers that get CJK tasks)
    engine = EngineRegistry(list(config.model_dirs))
    engine.warm_up()
    readers = Readers(engine=engine, orientation=_orientation(config.model_dirs))
    store = SqliteStore(config.database)
    service = OcrService(store, MemoryBroker(), retention_seconds=config.retention_seconds)
    log.info("worker_ready", pid=os.getpid())
    while not stop.is_set() and os.getppid() == parent:
        task = store.claim(config.worker_id, now=time.time())
        if task is None:
            wake.clear()
            task = store.claim(config.worker_id, now=time.time())
        if task is None:
            wake.wait(config.poll_interval)
            continue
        with structlog.contextvars.bound_contextvars(task_id=task.id):
            log.info("task_started", attempt=task.attempts)
            service.process(task, config.worker_id, readers, config.options)
    store.close()
    log.info("worker_stopped")


def _orientation(model_dirs: tuple[Path, ...]) -> PageOrientation | None:
    """The page-orientation detector, or None (deskew only) when its model is missing."""
    try:
        return PageOrientation(list(model_dirs))
    except FileNotFoundError:
        log.warning("orientation_unavailable", reason="eng.traineddata not found")
        return None
