"""A distributed worker node: a Celery worker of N processes on the Redis broker, each process
with the engines resident, a heartbeat in Redis and a watchdog for its task's time limit, plus
one sweeper process that turns lost heartbeats and overdue tasks into lifecycle decisions."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import socket
import threading
import time
from dataclasses import dataclass, field

import structlog
from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown

from ocrhive import composition
from ocrhive.broker.celery import QUEUE, TASK_NAME, CeleryBroker
from ocrhive.config import Settings
from ocrhive.confinement import die_with_parent, limit_memory
from ocrhive.distributed.nodeprocess import DIE_WITH_PARENT
from ocrhive.distributed.sweeper import run_sweeper
from ocrhive.domain.task import ClaimedTask
from ocrhive.logs import configure_logging
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.runner import Backoff, claim, run_claimed
from ocrhive.service import OcrService
from ocrhive.store.redis import RedisStore

log = structlog.get_logger("ocrhive.worker")

#: a task this far past its deadline (beyond the service's grace) ends its worker process
_WATCHDOG_SLACK = 5.0


@dataclass(kw_only=True)
class _ProcessState:
    """What one pool process keeps between tasks."""

    worker_id: str
    store: RedisStore
    service: OcrService
    readers: Readers
    options: PipelineOptions
    backoff: Backoff
    stopping: threading.Event = field(default_factory=threading.Event)
    current: ClaimedTask | None = None


_settings: Settings | None = None
_state: _ProcessState | None = None


def _heartbeat(state: _ProcessState, ttl: float) -> None:
    """Renew this process's heartbeat; a process that stops renewing is presumed dead."""
    while not state.stopping.wait(ttl / 3):
        # Redis away: the task loop reports it; keep trying
        with contextlib.suppress(Exception):
            state.store.beat(state.worker_id, ttl)


def _watchdog(state: _ProcessState) -> None:
    """End this process when its task runs past its deadline: the pipeline checks the limit
    only between pages, and one page can hang. The sweeper then ends the task in Error, and
    Celery replaces the process."""
    grace = state.service.policy.grace
    while not state.stopping.wait(2.0):
        task = state.current
        if task is None:
            continue
        try:
            running = {t.id: t for t in state.store.running()}
        except Exception:
            continue
        mine = running.get(task.id)
        overdue = mine is not None and time.time() > mine.deadline + grace + _WATCHDOG_SLACK
        if mine is not None and mine.worker == state.worker_id and overdue:
            log.warning("task_over_time_limit", task_id=task.id)
            try:
                state.service.enforce_time_limits()
            finally:
                os._exit(70)


def _init_process(**_: object) -> None:
    """A new pool process: confine it, load the engines, start its heartbeat and watchdog."""
    global _state
    assert _settings is not None
    settings = _settings
    die_with_parent()
    limit_memory(settings.worker_memory_cap_mb())
    configure_logging(settings.log_level)
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    structlog.contextvars.bind_contextvars(worker=worker_id)
    store = RedisStore(settings.redis_url or "")
    store.beat(worker_id, settings.worker_heartbeat_seconds)
    service = composition.build_service(settings, store, CeleryBroker(composition.celery(settings)))
    stopping = threading.Event()
    _state = _ProcessState(
        worker_id=worker_id,
        store=store,
        service=service,
        readers=composition.load_readers(settings),
        options=composition.pipeline_options(settings),
        backoff=Backoff(lambda s: time.sleep(s), stopping.is_set),
        stopping=stopping,
    )
    # imported here: prometheus_client must load after the node chose its metrics folder
    from ocrhive.metrics.prometheus import worker_process_alive

    worker_process_alive()
    for target, args in (
        (_heartbeat, (_state, settings.worker_heartbeat_seconds)),
        (_watchdog, (_state,)),
    ):
        threading.Thread(target=target, args=args, daemon=True).start()
    log.info("worker_ready", pid=os.getpid())


def _shutdown_process(**_: object) -> None:
    if _state is not None:
        _state.stopping.set()
        with contextlib.suppress(Exception):
            _state.store.forget_worker(_state.worker_id)


def process(task_id: str) -> None:
    """The Celery task: run ocrhive task ``task_id`` if it is still waiting. A message for a
    task that is gone, final or held by a live worker is acknowledged and does nothing."""
    state = _state
    assert state is not None, "worker process not initialised"
    claimed = claim(state.service, task_id, state.worker_id, state.backoff)
    if claimed is None:
        # held by another worker: if it is a document with pages left, this is a call for help
        try:
            state.service.help(task_id, state.worker_id, state.readers, state.options)
        except Exception:  # Redis away or a bug: the task's owner reads the pages itself
            log.exception("help_failed", task_id=task_id)
        return
    state.current = claimed
    try:
        run_claimed(
            state.service, claimed, state.worker_id, state.readers, state.options, state.backoff
        )
    finally:
        state.current = None


def worker_app(settings: Settings) -> Celery:
    """The Celery app of a worker node, with ocrhive's task registered."""
    global _settings
    _settings = settings
    app = composition.celery(settings)
    app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True, ignore_result=True)(
        process
    )
    worker_process_init.connect(_init_process, weak=False)
    worker_process_shutdown.connect(_shutdown_process, weak=False)
    return app


def run_node(
    settings: Settings,
    concurrency: int,
    *,
    metrics_port: int = 0,
    metrics_host: str = "127.0.0.1",
) -> None:
    """Run a worker node until interrupted: the sweeper process, then the Celery worker;
    with a ``metrics_port``, the node's metrics (pool processes and sweeper) served from here."""
    if os.environ.get(DIE_WITH_PARENT):
        die_with_parent()
    configure_logging(settings.log_level)
    sweeper = multiprocessing.get_context("spawn").Process(
        target=run_sweeper, args=(settings,), name="ocrhive-sweeper", daemon=True
    )
    sweeper.start()
    if metrics_port:
        from ocrhive.metrics.exposition import serve_node_metrics

        # a thread of this main process: it outlives any pool process, whose counts it reads
        # from the metrics folder
        serve_node_metrics(metrics_port, metrics_host)
    app = worker_app(settings)
    try:
        app.worker_main(
            [
                "worker",
                f"--concurrency={concurrency}",
                "--pool=prefork",
                f"--queues={QUEUE}",
                f"--loglevel={settings.log_level.upper()}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--prefetch-multiplier=1",
                "--optimization=fair",
                f"--hostname=ocrhive@{socket.gethostname()}:{os.getpid()}",
            ]
        )
    finally:
        sweeper.kill()
        sweeper.join(5)
