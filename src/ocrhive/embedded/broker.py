"""Embedded mode's queue: tasks wait in the task store; a shared event wakes idle workers."""

from __future__ import annotations

from multiprocessing.synchronize import Event


class LocalBroker:
    """Publishing sets an inter-process event; workers also poll, so a missed wake-up only
    costs one poll interval."""

    def __init__(self, wake: Event) -> None:
        self._wake = wake

    def publish(self, task_id: str) -> None:
        self._wake.set()
