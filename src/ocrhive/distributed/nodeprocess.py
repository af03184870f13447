"""``serve --workers N`` in distributed mode: a worker node started beside the API node as a
child process, restarted when it dies, stopped with the server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import structlog

from ocrhive.config import Settings

log = structlog.get_logger("ocrhive.node")

#: set in a worker node's environment when a server started it: it dies with that server
DIE_WITH_PARENT = "OCRHIVE_NODE_DIES_WITH_PARENT"


class NodeProcess:
    """One ``ocrhive worker`` child of this server."""

    def __init__(self, settings: Settings, concurrency: int) -> None:
        self._settings = settings
        self._concurrency = concurrency
        self._proc: subprocess.Popen[bytes] | None = None
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="node", daemon=True)

    def _spawn(self) -> None:
        env = {**os.environ, DIE_WITH_PARENT: "1"}
        if self._settings.redis_url:
            env["OCRHIVE_REDIS_URL"] = self._settings.redis_url
        command = [sys.executable, "-m", "ocrhive.cli", "worker"]
        command += ["--concurrency", str(self._concurrency)]
        if self._settings.models_dir:
            command += ["--models-dir", str(self._settings.models_dir)]
        self._proc = subprocess.Popen(command, env=env)
        log.info("node_started", pid=self._proc.pid, concurrency=self._concurrency)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _watch(self) -> None:
        while not self._halt.wait(1.0):
            proc = self._proc
            if proc is not None and proc.poll() is not None and not self._halt.is_set():
                log.warning("node_died", exitcode=proc.returncode)
                self._spawn()

    def stop(self, grace: float = 15.0) -> None:
        self._halt.set()
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # Celery's warm shutdown: running tasks finish first
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
