"""Embedded mode's queue: tasks wait in the task store; a shared event wakes idle workers."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Event


class LocalBroker:
    """Publishing sets an inter-process event; workers also poll, so a missed wake-up only
    costs one poll interval. The durable queue is the store's list of Pending tasks."""

    def __init__(self, wake: Event | None = None) -> None:
        #: the event idle worker processes wait on (made for ``spawn``, so children share it)
        self.wake: Event = (
            wake if wake is not None else multiprocessing.get_context("spawn").Event()
        )

    def publish(self, task_id: str) -> None:
        self.wake.set()
