"""In-memory task and client stores: the same contract as SQLite, held in dicts (unit tests)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.domain.task import (
    NewTask,
    PageJob,
    PageState,
    RunningTask,
    TaskChange,
    TaskInput,
    TaskStatus,
    TaskView,
)
from ocrhive.store.base import ClientRecord


@dataclass(kw_only=True)
class _Record:
    view: TaskView
    seq: int
    settings: RecognitionSettings
    image: bytes | None
    worker: str | None = None
    started_at: float | None = None
    deadline: float | None = None
    #: page jobs in page order, and the parts of DONE pages
    pages: list[PageJob] = field(default_factory=list)
    parts: dict[int, bytes] = field(default_factory=dict)


class MemoryStore:
    """Tasks and clients in this process's memory; every verb holds one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[str, _Record] = {}
        self._clients: dict[str, ClientRecord] = {}
        self._seq = 0

    # -- tasks ------------------------------------------------------------------------------

    def save(self, task: NewTask, image: bytes | bytearray | memoryview) -> None:
        view = TaskView(
            id=task.id,
            family=task.family,
            owner=task.owner,
            status=TaskStatus.PENDING,
            created_at=task.created_at,
            updated_at=task.created_at,
            expires_at=task.expires_at,
        )
        with self._lock:
            if task.id in self._tasks:
                raise KeyError(f"task {task.id} exists")
            self._seq += 1
            self._tasks[task.id] = _Record(
                view=view, seq=self._seq, settings=task.settings, image=bytes(image)
            )

    def load(self, task_id: str, *, now: float, with_results: bool = False) -> TaskView | None:
        with self._lock:
            record = self._tasks.get(task_id)
            if record is None or record.view.expires_at <= now:
                return None
            view = record.view
        if not with_results or view.status is not TaskStatus.COMPLETED:
            return replace(view, results=None)
        return replace(view, results=view.results or ())

    def load_input(self, task_id: str) -> TaskInput | None:
        with self._lock:
            record = self._tasks.get(task_id)
            if record is None or record.image is None:
                return None
            return TaskInput(settings=record.settings, data=record.image)

    def apply(
        self, task_id: str, change: TaskChange, *, expect: TaskStatus, holder: str | None = None
    ) -> bool:
        with self._lock:
            record = self._tasks.get(task_id)
            if record is None or record.view.status is not expect:
                return False
            if holder is not None and record.worker != holder:
                return False
            view = record.view
            record.view = replace(
                view,
                status=change.status,
                updated_at=change.at,
                attempts=view.attempts + (1 if change.count_attempt else 0),
                messages=view.messages if change.messages is None else change.messages,
                warnings=view.warnings if change.warnings is None else change.warnings,
                results=change.results if change.results is not None else view.results,
            )
            record.worker = change.worker
            record.started_at = change.started_at
            record.deadline = change.deadline
            if change.drops_input:
                record.image = None
                record.pages, record.parts = [], {}
            return True

    def pending(self, *, limit: int) -> list[str]:
        with self._lock:
            waiting = [r for r in self._tasks.values() if r.view.status is TaskStatus.PENDING]
        waiting.sort(key=lambda r: r.seq)
        return [r.view.id for r in waiting[:limit]]

    def count_pending(self, owner: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for r in self._tasks.values()
                if r.view.status is TaskStatus.PENDING and (owner is None or r.view.owner == owner)
            )

    def running(self) -> list[RunningTask]:
        with self._lock:
            return [
                RunningTask(
                    id=r.view.id,
                    worker=r.worker or "",
                    started_at=r.started_at or 0.0,
                    deadline=r.deadline if r.deadline is not None else float("inf"),
                    attempts=r.view.attempts,
                )
                for r in self._tasks.values()
                if r.view.status is TaskStatus.PROCESSING
            ]

    def delete(self, task_id: str) -> bool:
        with self._lock:
            return self._tasks.pop(task_id, None) is not None

    def expire(self, *, now: float) -> int:
        with self._lock:
            gone = [i for i, r in self._tasks.items() if r.view.expires_at <= now]
            for task_id in gone:
                del self._tasks[task_id]
        return len(gone)

    # -- page jobs --------------------------------------------------------------------------

    def plan_pages(self, task_id: str, count: int) -> None:
        with self._lock:
            record = self._tasks.get(task_id)
            if record is None:
                return
            for index in range(len(record.pages), count):
                record.pages.append(PageJob(task_id=task_id, index=index, state=PageState.OPEN))

    def claim_page(self, task_id: str, worker: str) -> PageJob | None:
        with self._lock:
            record = self._tasks.get(task_id)
            if record is None or any(j.state is PageState.FAILED for j in record.pages):
                return None
            for job in record.pages:
                if job.state is PageState.OPEN:
                    held = replace(
                        job, state=PageState.HELD, worker=worker, attempts=job.attempts + 1
                    )
                    record.pages[job.index] = held
                    return held
            return None

    def _held(self, task_id: str, index: int, worker: str) -> _Record | None:
        record = self._tasks.get(task_id)
        if record is None or index >= len(record.pages):
            return None
        job = record.pages[index]
        return record if job.state is PageState.HELD and job.worker == worker else None

    def finish_page(
        self, task_id: str, index: int, worker: str, *, part: bytes, failed: str | None = None
    ) -> bool:
        with self._lock:
            record = self._held(task_id, index, worker)
            if record is None:
                return False
            job = record.pages[index]
            if failed is None:
                record.pages[index] = replace(job, state=PageState.DONE, worker=None)
                record.parts[index] = part
            else:
                record.pages[index] = replace(
                    job, state=PageState.FAILED, worker=None, message=failed
                )
            return True

    def reopen_page(
        self, task_id: str, index: int, worker: str, *, failed: str | None = None
    ) -> bool:
        with self._lock:
            record = self._held(task_id, index, worker)
            if record is None:
                return False
            job = record.pages[index]
            state = PageState.OPEN if failed is None else PageState.FAILED
            record.pages[index] = replace(job, state=state, worker=None, message=failed or "")
            return True

    def pages(self, task_id: str) -> list[PageJob]:
        with self._lock:
            record = self._tasks.get(task_id)
            return list(record.pages) if record is not None else []

    def load_page(self, task_id: str, index: int) -> bytes | None:
        with self._lock:
            record = self._tasks.get(task_id)
            return record.parts.get(index) if record is not None else None

    def held_pages(self) -> list[PageJob]:
        with self._lock:
            return [
                job
                for record in self._tasks.values()
                for job in record.pages
                if job.state is PageState.HELD
            ]

    def open_page_tasks(self, *, limit: int) -> list[str]:
        with self._lock:
            records = sorted(self._tasks.values(), key=lambda r: r.seq)
            waiting = [
                r.view.id for r in records if any(j.state is PageState.OPEN for j in r.pages)
            ]
            return waiting[:limit]

    # -- clients ----------------------------------------------------------------------------

    def add_client(self, record: ClientRecord) -> None:
        with self._lock:
            if record.client_id in self._clients:
                raise KeyError(f"client {record.client_id} exists")
            self._clients[record.client_id] = record

    def get_client(self, client_id: str) -> ClientRecord | None:
        with self._lock:
            return self._clients.get(client_id)

    def list_clients(self) -> list[ClientRecord]:
        with self._lock:
            return sorted(self._clients.values(), key=lambda r: r.created_at)

    def set_client_disabled(self, client_id: str, disabled: bool) -> bool:
        with self._lock:
            record = self._clients.get(client_id)
            if record is None:
                return False
            self._clients[client_id] = replace(record, disabled=disabled)
            return True
