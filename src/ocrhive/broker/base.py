"""The queue port: how the service tells workers that a saved task is waiting."""

from __future__ import annotations

from typing import Protocol


class Broker(Protocol):
    """Hands task ids to workers; the task record itself lives in the store."""

    def publish(self, task_id: str) -> None:
        """Hand ``task_id`` (already saved as Pending) to the workers."""
        ...
