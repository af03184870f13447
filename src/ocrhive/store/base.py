"""The storage ports: what the service needs from a task store and a client registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ocrhive.domain.task import ClaimedTask, NewTask, Outcome, TaskStatus, TaskView


@dataclass(frozen=True, kw_only=True)
class RunningTask:
    """A task some worker holds right now."""

    id: str
    worker: str
    started_at: float
    attempts: int


class TaskStore(Protocol):
    """Durable task state: settings, input, status, results, timestamps.

    Every method is atomic; several processes may call them at once.
    """

    def save(self, task: NewTask, image: bytes) -> None:
        """Store a new task as Pending with its input."""
        ...

    def load(self, task_id: str, *, now: float, with_results: bool = False) -> TaskView | None:
        """The task, or None when unknown or expired at ``now``."""
        ...

    def claim(self, worker: str, *, now: float) -> ClaimedTask | None:
        """Atomically move the oldest Pending task to Processing for ``worker``."""
        ...

    def complete(self, task_id: str, worker: str, outcome: Outcome, *, now: float) -> bool:
        """Store the outcome (Completed, or Error if it failed) while ``worker`` holds the task."""
        ...

    def release(
        self, task_id: str, reason: str, *, max_attempts: int, now: float
    ) -> TaskStatus | None:
        """Give a task back after its worker was lost: Pending again, or Error once
        ``max_attempts`` runs have started. Returns the new status (None if gone)."""
        ...

    def fail(self, task_id: str, message: str, *, now: float) -> bool:
        """End a Pending or Processing task in Error with ``message``."""
        ...

    def delete(self, task_id: str) -> bool:
        """Remove a task, its input and results. True if it existed."""
        ...

    def running(self) -> list[RunningTask]:
        """Every task in Processing, with the worker holding it."""
        ...

    def expire(self, *, now: float) -> int:
        """Delete every task whose retention ended before ``now``; how many were deleted."""
        ...


@dataclass(frozen=True, kw_only=True)
class ClientRecord:
    """A registered API client; the secret is kept only as a salted hash."""

    client_id: str
    name: str
    secret_hash: str
    created_at: float
    disabled: bool = False


class ClientStore(Protocol):
    """The registry of API clients allowed to get tokens."""

    def add_client(self, record: ClientRecord) -> None: ...

    def get_client(self, client_id: str) -> ClientRecord | None: ...

    def list_clients(self) -> list[ClientRecord]: ...

    def set_client_disabled(self, client_id: str, disabled: bool) -> bool: ...
