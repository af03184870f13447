"""Embedded mode's process model: N worker processes on this machine, restarted when they die,
their tasks given back; time limits enforced; expired tasks swept."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.context import SpawnProcess

import structlog

from ocrhive.embedded.worker import WorkerConfig, run_worker
from ocrhive.store.base import TaskStore

log = structlog.get_logger("ocrhive.embedded.supervisor")

_CTX = multiprocessing.get_context("spawn")


@dataclass(frozen=True, kw_only=True)
class SupervisorPolicy:
    workers: int
    #: the limit reported to clients, seconds
    task_time_limit: float
    #: extra time before a worker over the limit is killed (the pipeline stops itself first)
    grace: float = 30.0
    max_attempts: int
    sweep_interval: float = 60.0
    check_interval: float = 0.25


class Supervisor:
    """Starts and watches the worker processes of one embedded server."""

    def __init__(self, store: TaskStore, template: WorkerConfig, policy: SupervisorPolicy) -> None:
        self._store = store
        self._template = template
        self._policy = policy
        self.wake = _CTX.Event()
        self._stop = _CTX.Event()
        self._workers: dict[str, SpawnProcess] = {}
        self._generation = 0
        self._thread: threading.Thread | None = None
        self._halt = threading.Event()
        self._prefix = f"{socket.gethostname()}:{os.getpid()}"

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Give back tasks a previous run left in Processing, then start the workers."""
        for task in self._store.running():
            self._store.release(
                task.id,
                "The server stopped while this task was running.",
                max_attempts=self._policy.max_attempts,
                now=time.time(),
            )
            log.warning("task_recovered", task_id=task.id, attempts=task.attempts)
        self._store.expire(now=time.time())
        for _ in range(self._policy.workers):
            self._spawn()
        self._thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)
        self._thread.start()

    def stop(self, grace: float = 10.0) -> None:
        """Ask workers to finish their current task, then kill what is left."""
        self._halt.set()
        if self._thread is not None:
            self._thread.join()
        self._stop.set()
        self.wake.set()
        deadline = time.monotonic() + grace
        for proc in self._workers.values():
            proc.join(max(0.0, deadline - time.monotonic()))
        for worker_id, proc in self._workers.items():
            if proc.is_alive():
                proc.kill()
                proc.join()
                self._give_back(worker_id, "The server shut down while this task was running.")

    def alive(self) -> int:
        return sum(1 for p in self._workers.values() if p.is_alive())

    # -- internals --------------------------------------------------------------------------

    def _spawn(self) -> None:
        self._generation += 1
        worker_id = f"{self._prefix}:w{self._generation}"
        config = replace(self._template, worker_id=worker_id)
        proc = _CTX.Process(
            target=run_worker, args=(config, self.wake, self._stop), name=worker_id, daemon=True
        )
        proc.start()
        self._workers[worker_id] = proc
        log.info("worker_started", worker=worker_id, pid=proc.pid)

    def _give_back(self, worker_id: str, reason: str) -> None:
        for task in self._store.running():
            if task.worker == worker_id:
                status = self._store.release(
                    task.id, reason, max_attempts=self._policy.max_attempts, now=time.time()
                )
                log.warning(
                    "task_released",
                    task_id=task.id,
                    worker=worker_id,
                    status=status.value if status else None,
                )

    def _watch(self) -> None:
        last_sweep = time.monotonic()
        while not self._halt.wait(self._policy.check_interval):
            try:
                self._check_workers()
                self._enforce_time_limit()
                if time.monotonic() - last_sweep >= self._policy.sweep_interval:
                    last_sweep = time.monotonic()
                    removed = self._store.expire(now=time.time())
                    if removed:
                        log.info("tasks_expired", count=removed)
            except Exception:  # the watcher must outlive any single fault
                log.exception("supervisor_error")

    def _check_workers(self) -> None:
        for worker_id, proc in list(self._workers.items()):
            if proc.is_alive():
                continue
            proc.join()
            del self._workers[worker_id]
            log.warning("worker_died", worker=worker_id, exitcode=proc.exitcode)
            self._give_back(
                worker_id,
                "The worker process stopped unexpectedly while processing this task "
                f"(exit code {proc.exitcode}).",
            )
            if not self._halt.is_set():
                self._spawn()

    def _enforce_time_limit(self) -> None:
        now = time.time()
        for task in self._store.running():
            proc = self._workers.get(task.worker)
            if (
                proc is None
                or now - task.started_at <= self._policy.task_time_limit + self._policy.grace
            ):
                continue
            limit = self._policy.task_time_limit
            self._store.fail(
                task.id,
                f"Processing took longer than this server's limit of {limit:g} s and was stopped.",
                now=now,
            )
            log.warning("task_timed_out", task_id=task.id, worker=task.worker)
            if proc.pid is not None:
                os.kill(proc.pid, signal.SIGKILL)
