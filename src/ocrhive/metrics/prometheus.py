"""The Prometheus adapter of the task events port, and every metric ocrhive records itself.

Importing this module creates the metrics, so in a server it must be imported only after
``processes.use_folder`` has chosen the multiprocess folder (prometheus_client decides once,
at its own import, whether values live in that folder or in this process's memory).
Names and meanings are listed in docs/metrics.md.
"""

from __future__ import annotations

import threading

from prometheus_client import Counter, Gauge, Histogram

from ocrhive.domain.recognition import Family
from ocrhive.domain.task import TaskStatus

#: queue waits run from milliseconds (idle workers) to an hour (a deep backlog), seconds
WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600)
#: one receipt takes about a second; a 500-page PDF may take over an hour, seconds
RUN_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600)
#: a GET may wait OCRHIVE_GET_WAIT_SECONDS for its task, so the tail reaches past 5 s
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

SUBMITTED = Counter("ocrhive_tasks_submitted", "Tasks saved and queued.", ["family"])
COMPLETED = Counter("ocrhive_tasks_completed", "Tasks ended in Completed.", ["family"])
FAILED = Counter(
    "ocrhive_tasks_failed",
    "Tasks ended in Error (failed outcome, time limit, attempts spent, out of memory).",
    ["family"],
)
WAITED = Histogram(
    "ocrhive_task_wait_seconds",
    "Time from submission to a worker's claim (started_at - created_at), per claim.",
    ["family"],
    buckets=WAIT_BUCKETS,
)
RAN = Histogram(
    "ocrhive_task_run_seconds",
    "Time from a worker's claim to the task's end, Completed or Error.",
    ["family"],
    buckets=RUN_BUCKETS,
)
PAGES = Counter(
    "ocrhive_pages_read", "Pages of completed runs, by the engine that read them.", ["engine"]
)
HTTP = Histogram(
    "ocrhive_http_request_duration_seconds",
    "HTTP requests by method, route template and status code.",
    ["method", "route", "status"],
    buckets=HTTP_BUCKETS,
)

_alive_lock = threading.Lock()
_alive: Gauge | None = None


class PrometheusEvents:
    """Counts the service's task events into the metrics above."""

    def task_submitted(self, family: Family) -> None:
        SUBMITTED.labels(family.value).inc()

    def task_started(self, family: Family, waited_s: float) -> None:
        WAITED.labels(family.value).observe(max(0.0, waited_s))

    def pages_read(self, engine: str, pages: int) -> None:
        PAGES.labels(engine).inc(pages)

    def task_finished(self, family: Family, status: TaskStatus, ran_s: float) -> None:
        (COMPLETED if status is TaskStatus.COMPLETED else FAILED).labels(family.value).inc()
        RAN.labels(family.value).observe(max(0.0, ran_s))


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Time one HTTP request."""
    HTTP.labels(method, route, str(status)).observe(seconds)


def worker_process_alive() -> None:
    """Count this process as a live worker process until it dies.

    Created on first use, not at import: an API process that never calls this must not
    expose a second ``ocrhive_workers_alive`` beside the one its collector reports.
    """
    global _alive
    with _alive_lock:
        if _alive is None:
            # livesum: the files of a dead process are dropped (mark_process_dead), so the sum
            # is the processes alive now
            _alive = Gauge(
                "ocrhive_workers_alive",
                "Worker processes alive.",
                multiprocess_mode="livesum",
            )
        _alive.set(1)
