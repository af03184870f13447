"""Embedded mode's process model: N worker processes on this machine, always replaced when they
die, with the facts (a worker died, a task is held by nobody, a task ran too long) reported to
the service, which decides what happens to the task."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.context import SpawnProcess
from pathlib import Path

import structlog

from ocrhive.embedded.signals import Doorbell, Flag
from ocrhive.embedded.worker import WorkerConfig, run_worker
from ocrhive.service import LossCause, OcrService

log = structlog.get_logger("ocrhive.supervisor")

_CTX = multiprocessing.get_context("spawn")
#: a worker whose address space was this close to its cap when it died ran out of memory
_NEAR_CAP = 0.9


@dataclass(frozen=True, kw_only=True)
class SupervisorPolicy:
    workers: int
    sweep_interval: float = 60.0
    check_interval: float = 0.25
    #: how often tasks held by no live worker are looked for, seconds
    orphan_interval: float = 2.0


def _vm_size_mb(pid: int | None) -> float:
    """A process's address-space size (what RLIMIT_AS caps), MiB; 0 when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def _exit_detail(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}, exit code {exitcode}"
        except ValueError:
            pass
    return f"exit code {exitcode}"


class Supervisor:
    """Starts and watches the worker processes of one embedded server."""

    def __init__(
        self,
        service: OcrService,
        template: WorkerConfig,
        policy: SupervisorPolicy,
        *,
        wake: Doorbell,
    ) -> None:
        self._service = service
        self._template = template
        self._policy = policy
        self.wake = wake
        self._stop = Flag()
        self._workers: dict[str, SpawnProcess] = {}
        self._vm_peak: dict[str, float] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._thread: threading.Thread | None = None
        self._halt = threading.Event()
        self._prefix = f"{socket.gethostname()}:{os.getpid()}"

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Give back tasks a previous run left in Processing, then start the workers."""
        try:
            self._service.release_orphans((), LossCause.SERVER_STOPPED)
            self._service.expire()
        except Exception:  # e.g. a full disk: the watcher retries; starting matters more
            log.exception("recovery_deferred")
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
        deadline = time.monotonic() + grace
        for proc in self._workers.values():
            proc.join(max(0.0, deadline - time.monotonic()))
        for proc in self._workers.values():
            if proc.is_alive():
                proc.kill()
                proc.join()
        try:
            self._service.release_orphans((), LossCause.SHUTDOWN)
        except Exception:  # the next start releases them
            log.exception("release_on_shutdown_failed")

    def alive(self) -> int:
        with self._lock:
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
        with self._lock:
            self._workers[worker_id] = proc
        log.info("worker_started", worker=worker_id, pid=proc.pid)

    def _watch(self) -> None:
        last_sweep = last_orphans = time.monotonic()
        while not self._halt.wait(self._policy.check_interval):
            # each duty on its own: a failing store (full disk) must never stop the respawns
            self._duty(self._check_workers)
            self._duty(self._enforce_time_limits)
            now = time.monotonic()
            if now - last_orphans >= self._policy.orphan_interval:
                last_orphans = now
                self._duty(self._release_orphans)
            if now - last_sweep >= self._policy.sweep_interval:
                last_sweep = now
                self._duty(self._service.expire)

    @staticmethod
    def _duty(action: Callable[[], object]) -> None:
        try:
            action()
        except Exception:  # the watcher must outlive any single fault
            log.exception("supervisor_error")

    def _check_workers(self) -> None:
        cap = self._template.memory_limit_mb
        for worker_id, proc in list(self._workers.items()):
            if proc.is_alive():
                if cap:
                    size = _vm_size_mb(proc.pid)
                    self._vm_peak[worker_id] = max(self._vm_peak.get(worker_id, 0.0), size)
                continue
            proc.join()
            with self._lock:
                del self._workers[worker_id]
            log.warning("worker_died", worker=worker_id, exitcode=proc.exitcode)
            # replace first: giving the task back may fail (a full disk), a respawn must not
            if not self._halt.is_set():
                self._spawn()
            near_cap = cap and self._vm_peak.pop(worker_id, 0.0) >= _NEAR_CAP * cap
            cause = LossCause.OUT_OF_MEMORY if near_cap else LossCause.WORKER_DIED
            detail = f"cap {cap} MiB" if near_cap else _exit_detail(proc.exitcode)
            for task in self._service.store.running():
                if task.worker == worker_id:
                    self._service.release(task, cause, detail)
            self._service.release_pages({worker_id}.__contains__, cause, detail)

    def _enforce_time_limits(self) -> None:
        for task in self._service.enforce_time_limits():
            proc = self._workers.get(task.worker)
            if proc is not None and proc.pid is not None and proc.is_alive():
                os.kill(proc.pid, signal.SIGKILL)

    def _release_orphans(self) -> None:
        with self._lock:
            live = set(self._workers)
        self._service.release_orphans(live, LossCause.WORKER_LOST)
