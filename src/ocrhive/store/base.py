"""The storage ports: what the service needs from a task store and a client registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ocrhive.domain.task import (
    NewTask,
    PageJob,
    RunningTask,
    TaskChange,
    TaskInput,
    TaskStatus,
    TaskView,
)
from ocrhive.domain.webhooks import Delivery, Endpoint


class TaskStore(Protocol):
    """Durable task records: settings, input, status, results, timestamps.

    A store persists what the service decided and nothing more: it never chooses a task's next
    status. Every method is atomic; several processes (or machines) may call them at once.
    """

    def save(self, task: NewTask, image: bytes | bytearray | memoryview) -> None:
        """Store a new task as Pending with its input.

        Raises:
            StorageFull: no room for it (the API answers 507).
        """
        ...

    def load(self, task_id: str, *, now: float, with_results: bool = False) -> TaskView | None:
        """The task, or None when unknown or expired at ``now``."""
        ...

    def load_input(self, task_id: str) -> TaskInput | None:
        """The settings and submitted file of a task that is not final (None once gone)."""
        ...

    def apply(
        self, task_id: str, change: TaskChange, *, expect: TaskStatus, holder: str | None = None
    ) -> bool:
        """Persist ``change`` if the task is in ``expect`` (and held by ``holder`` when given).

        A change to a final status also drops the task's input and page jobs. Returns whether
        it applied; False means another process changed or deleted the task first.
        """
        ...

    def pending(self, *, limit: int) -> list[str]:
        """Ids of Pending tasks, oldest first (embedded workers pick from these)."""
        ...

    def count_pending(self, owner: str | None = None) -> int:
        """How many tasks wait: all of them, or ``owner``'s."""
        ...

    def running(self) -> list[RunningTask]:
        """Every task in Processing, with the worker holding it and its deadline."""
        ...

    def delete(self, task_id: str) -> bool:
        """Remove a task, its input, page jobs and results. True if it existed."""
        ...

    def expire(self, *, now: float) -> int:
        """Delete every task whose retention ended before ``now``; how many were deleted."""
        ...

    # -- page jobs: the pages of one running document, read by any worker ----------------------

    def plan_pages(self, task_id: str, count: int) -> None:
        """Make pages ``0 … count - 1`` of ``task_id`` page jobs; pages already planned (by an
        earlier attempt of the task) keep their state and stored parts."""
        ...

    def claim_page(self, task_id: str, worker: str) -> PageJob | None:
        """Give the lowest OPEN page of ``task_id`` to ``worker`` (compare-and-set, one more
        attempt); None when no page is open, or a page FAILED (the task will fail)."""
        ...

    def finish_page(
        self, task_id: str, index: int, worker: str, *, part: bytes, failed: str | None = None
    ) -> bool:
        """Store a HELD page's result ``part`` (DONE), or FAILED with the message ``failed``,
        if ``worker`` still holds it. False when it does not (released, task gone)."""
        ...

    def reopen_page(
        self, task_id: str, index: int, worker: str, *, failed: str | None = None
    ) -> bool:
        """A page whose worker was lost: OPEN again, or FAILED with ``failed``, if ``worker``
        still holds it."""
        ...

    def pages(self, task_id: str) -> list[PageJob]:
        """Every page job of ``task_id`` in page order (parts not included; [] when none)."""
        ...

    def load_page(self, task_id: str, index: int) -> bytes | None:
        """The stored part of a DONE page."""
        ...

    def held_pages(self) -> list[PageJob]:
        """Every HELD page job of every task, with its worker."""
        ...

    def open_page_tasks(self, *, limit: int) -> list[str]:
        """Ids of tasks with OPEN pages, oldest first (idle workers help read them)."""
        ...


@dataclass(frozen=True, kw_only=True)
class StorageState:
    """Room left for new work, as a store sees it right now."""

    #: free space on the store's disk, bytes
    free_bytes: int
    #: bytes the store's live data takes (free pages it can reuse are not counted)
    store_bytes: int
    #: why new work is refused now (disk under its reserve, ceiling reached); empty when fine
    problems: tuple[str, ...] = ()

    @property
    def full(self) -> bool:
        """True while new work is refused."""
        return bool(self.problems)


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


class WebhookStore(Protocol):
    """Clients' webhook endpoints, tasks' own callback URLs, and deliveries with their record."""

    def set_endpoint(self, endpoint: Endpoint) -> None:
        """Register (or replace) a client's endpoint and secret."""
        ...

    def endpoint(self, client_id: str) -> Endpoint | None: ...

    def remove_endpoint(self, client_id: str) -> bool: ...

    def watch(self, task_id: str, client_id: str, url: str, *, expires_at: float) -> None:
        """Remember that ``task_id``'s final status goes to ``url`` (its own callback)."""
        ...

    def watched(self, task_id: str) -> str | None:
        """The callback URL a task was submitted with, if any."""
        ...

    def enqueue(self, delivery: Delivery, *, expires_at: float) -> None:
        """Store a new delivery (kept until ``expires_at``, the task's retention)."""
        ...

    def due(self, *, now: float, limit: int) -> list[Delivery]:
        """Pending deliveries whose next attempt is due, oldest first."""
        ...

    def record(self, delivery: Delivery, *, attempted: int) -> bool:
        """Store ``delivery`` after an attempt, if no other process recorded attempt number
        ``attempted`` first (so two deliverers never both count one attempt)."""
        ...

    def deliveries(self, task_id: str) -> list[Delivery]:
        """Every delivery of ``task_id``, oldest first."""
        ...

    def expire_webhooks(self, *, now: float) -> int:
        """Forget callbacks and deliveries whose task's retention is over; how many."""
        ...
