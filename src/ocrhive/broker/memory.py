"""An in-memory broker: published ids wait in a list (unit tests, processes that never submit)."""

from __future__ import annotations

from collections import deque


class MemoryBroker:
    """Keeps published task ids in order; ``take`` hands out the oldest."""

    def __init__(self) -> None:
        self.published: deque[str] = deque()

    def publish(self, task_id: str) -> None:
        self.published.append(task_id)

    def take(self) -> str | None:
        """The oldest published id not yet taken, or None."""
        return self.published.popleft() if self.published else None
