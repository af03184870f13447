"""The task events port: what the service tells an observer about a task's life (submitted,
started, pages read, finished), with a do-nothing adapter and an in-memory one for tests.

The service only ever sees this module, so it stays free of any metrics library."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ocrhive.domain.recognition import Family
from ocrhive.domain.task import TaskStatus


class TaskEvents(Protocol):
    """Hears what happens to tasks; must never raise into the lifecycle and must stay cheap."""

    def task_submitted(self, family: Family) -> None:
        """A task was saved and queued."""
        ...

    def task_started(self, family: Family, waited_s: float) -> None:
        """A worker claimed a task that waited ``waited_s`` since it was submitted."""
        ...

    def pages_read(self, engine: str, pages: int) -> None:
        """A task's ``pages`` pages were read by the engine called ``engine``."""
        ...

    def task_finished(self, family: Family, status: TaskStatus, ran_s: float) -> None:
        """A task ended in ``status`` (Completed or Error) after running ``ran_s`` seconds."""
        ...


class NoEvents:
    """Tells nobody (a service built without an observer)."""

    def task_submitted(self, family: Family) -> None:
        pass

    def task_started(self, family: Family, waited_s: float) -> None:
        pass

    def pages_read(self, engine: str, pages: int) -> None:
        pass

    def task_finished(self, family: Family, status: TaskStatus, ran_s: float) -> None:
        pass


@dataclass(kw_only=True)
class RecordedEvents:
    """Keeps every event in lists, in order, for tests to read."""

    submitted: list[Family] = field(default_factory=list)
    started: list[tuple[Family, float]] = field(default_factory=list)
    pages: list[tuple[str, int]] = field(default_factory=list)
    finished: list[tuple[Family, TaskStatus, float]] = field(default_factory=list)

    def task_submitted(self, family: Family) -> None:
        self.submitted.append(family)

    def task_started(self, family: Family, waited_s: float) -> None:
        self.started.append((family, waited_s))

    def pages_read(self, engine: str, pages: int) -> None:
        self.pages.append((engine, pages))

    def task_finished(self, family: Family, status: TaskStatus, ran_s: float) -> None:
        self.finished.append((family, status, ran_s))
