"""Embedded mode's queue: tasks wait in the task store; a shared doorbell wakes idle workers."""

from __future__ import annotations

from ocrhive.embedded.signals import Doorbell


class LocalBroker:
    """Publishing rings a doorbell the worker processes share; workers also poll the store,
    so a missed ring only costs one poll interval. The durable queue is the store's list of
    Pending tasks."""

    def __init__(self, wake: Doorbell | None = None) -> None:
        self.wake = wake if wake is not None else Doorbell()

    def publish(self, task_id: str) -> None:
        self.wake.ring()
