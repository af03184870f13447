"""An embedded worker process: loads the engines once, then claims and runs tasks until told to
stop, riding out a store that fails for a while (a full disk) instead of dying."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

import structlog

from ocrhive import composition
from ocrhive.config import Settings
from ocrhive.confinement import die_with_parent, limit_memory
from ocrhive.domain.task import ClaimedTask
from ocrhive.embedded.broker import LocalBroker
from ocrhive.embedded.signals import Doorbell, Flag
from ocrhive.logs import configure_logging
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.runner import Backoff, run_claimed
from ocrhive.service import OcrService

log = structlog.get_logger("ocrhive.worker")

#: how many Pending ids a worker looks at per try (another worker may win the oldest)
_CANDIDATES = 8


@dataclass(frozen=True, kw_only=True)
class WorkerConfig:
    """Everything a worker process needs, picklable for ``spawn``."""

    worker_id: str
    settings: Settings
    #: memory cap of this process, MiB (0 = none)
    memory_limit_mb: int = 0


def _next_task(service: OcrService, worker: str) -> ClaimedTask | None:
    for task_id in service.store.pending(limit=_CANDIDATES):
        claimed = service.claim(task_id, worker)
        if claimed is not None:
            return claimed
    return None


def _help(
    service: OcrService, worker: str, readers: Readers, options: PipelineOptions, backoff: Backoff
) -> bool:
    """An idle worker reads open pages of a running document; it stops at the end of a page
    once a task waits, which it then claims (documents share idle workers, not busy ones)."""
    try:
        read = service.help_any(
            worker, readers, options, yield_to=lambda: service.store.count_pending() > 0
        )
    except Exception as exc:  # the store is failing: wait and retry
        backoff.failed("help", exc)
        return False
    return read > 0


def run_worker(config: WorkerConfig, wake: Doorbell, stop: Flag) -> None:
    """The worker process's main loop."""
    parent = os.getppid()
    die_with_parent()
    # Ctrl-C reaches the whole process group; the supervisor decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    settings = config.settings
    configure_logging(settings.log_level)
    structlog.contextvars.bind_contextvars(worker=config.worker_id)
    limit_memory(config.memory_limit_mb)

    readers = composition.load_readers(settings)
    options: PipelineOptions = composition.pipeline_options(settings)
    store = composition.open_store(settings)
    service = composition.build_service(settings, store, LocalBroker(wake))
    backoff = Backoff(stop.wait, stop.is_set)
    log.info("worker_ready", pid=os.getpid())
    while not stop.is_set() and os.getppid() == parent:
        seen = wake.rung()
        try:
            task = _next_task(service, config.worker_id)
            backoff.ok()
        except Exception as exc:  # the store is failing (disk full, locked): wait and retry
            backoff.failed("claim", exc)
            continue
        if task is None:
            if not _help(service, config.worker_id, readers, options, backoff):
                wake.wait(seen, settings.poll_interval, stop)
            continue
        run_claimed(service, task, config.worker_id, readers, options, backoff)
    log.info("worker_stopped")
