"""Distributed mode's queue: Celery on a Redis broker carries task ids to worker nodes.

A message holds nothing but a task id; the record (settings, input, status, results) lives in the
task store. Celery's result backend is not used. Messages are acknowledged after the task ran
(``acks_late``) and given back when a worker process is lost, one at a time per process
(prefetch 1); the visibility timeout is longer than any task may run, so Redis never hands a
running task's message to a second node — a node that dies is noticed by its heartbeats instead.
"""

from __future__ import annotations

from typing import Any

import amqp.exceptions
import kombu.exceptions
import redis.exceptions
from celery import Celery

from ocrhive.errors import Unavailable

#: the Celery task that runs one ocrhive task, by name (worker nodes register it)
TASK_NAME = "ocrhive.process"
#: the queue (a Redis list) the messages wait in
QUEUE = "ocrhive"


def celery_app(redis_url: str, *, max_task_seconds: float) -> Celery:
    """The Celery application both API nodes (publishing) and worker nodes (consuming) use."""
    app = Celery("ocrhive", broker=redis_url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={
            # above the longest task: Redis must not redeliver a message a live worker holds
            "visibility_timeout": int(max_task_seconds) + 600,
            "socket_timeout": 5,
            "socket_connect_timeout": 2,
        },
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_pool_limit=16,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    return app


class CeleryBroker:
    """Publishes task ids as Celery messages."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    def publish(self, task_id: str) -> None:
        """Send ``task_id`` to the worker nodes.

        Raises:
            Unavailable: the broker cannot be reached (after a short retry).
        """
        options: dict[str, Any] = {
            "retry": True,
            "retry_policy": {
                "max_retries": 2,
                "interval_start": 0.2,
                "interval_step": 0.5,
                "interval_max": 1.0,
            },
        }
        try:
            self._app.send_task(TASK_NAME, args=(task_id,), queue=QUEUE, **options)
        except (
            kombu.exceptions.OperationalError,
            redis.exceptions.RedisError,
            OSError,
        ):
            raise Unavailable(
                "The task queue (Redis) is unreachable; try again shortly.", retry_after=5.0
            ) from None

    def waiting(self) -> int:
        """Messages waiting in the queue (not counting those a worker has fetched)."""
        with self._app.connection_for_read() as connection:
            try:
                declared = connection.default_channel.queue_declare(QUEUE, passive=True)
            except amqp.exceptions.ChannelError:  # no worker has declared it yet: empty
                return 0
            return int(declared.message_count)
