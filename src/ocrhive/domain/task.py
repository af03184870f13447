"""Tasks: what a client submitted, where it is in its life, and what it produced."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ocrhive.domain.recognition import ArtifactKind, Family, RecognitionSettings


class TaskStatus(enum.Enum):
    """Where a task is; mirrors ``OCRTaskStatus`` (NotExist is a lookup answer, not a state)."""

    PENDING = "Pending"  #: queued, no worker has it
    PROCESSING = "Processing"  #: a worker holds it
    COMPLETED = "Completed"  #: finished; results are stored
    ERROR = "Error"  #: finished without results; messages say why

    @property
    def is_final(self) -> bool:
        return self in (TaskStatus.COMPLETED, TaskStatus.ERROR)


#: The transitions a task may make. Processing → Pending is a retry after a lost worker;
#: Pending → Error is a task failed before any worker ran it (its worker budget was spent).
#: Deletion (cancel, retention) is not a transition: the task stops existing in any state.
ALLOWED_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.PENDING: frozenset({TaskStatus.PROCESSING, TaskStatus.ERROR}),
    TaskStatus.PROCESSING: frozenset({TaskStatus.COMPLETED, TaskStatus.ERROR, TaskStatus.PENDING}),
    TaskStatus.COMPLETED: frozenset(),
    TaskStatus.ERROR: frozenset(),
}


def can_transition(current: TaskStatus, target: TaskStatus) -> bool:
    """Whether a task in ``current`` may move to ``target``."""
    return target in ALLOWED_TRANSITIONS[current]


@dataclass(frozen=True, kw_only=True)
class Artifact:
    """One produced file, e.g. the text or the searchable PDF."""

    kind: ArtifactKind
    data: bytes


@dataclass(frozen=True, kw_only=True)
class NewTask:
    """A task as submitted, before the store has seen it."""

    id: str
    family: Family
    #: the client id that owns it; None for trial tasks, which anyone holding the id may read
    owner: str | None
    settings: RecognitionSettings
    created_at: float
    expires_at: float


@dataclass(frozen=True, kw_only=True)
class TaskView:
    """What a lookup returns about a task (results only when asked for)."""

    id: str
    family: Family
    owner: str | None
    status: TaskStatus
    created_at: float
    updated_at: float
    expires_at: float
    attempts: int = 0
    results: tuple[Artifact, ...] | None = None
    messages: tuple[str, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True)
class RunningTask:
    """A task some worker holds right now, and until when it may run."""

    id: str
    worker: str
    started_at: float
    #: when the task's time limit runs out (epoch seconds)
    deadline: float
    attempts: int


@dataclass(frozen=True, kw_only=True)
class TaskChange:
    """One transition the service decided, for a store to persist atomically.

    A store applies it only while the task is in the status the service expected (and, when
    given, held by the expected worker); fields left None stay as they are.
    """

    status: TaskStatus
    #: when the change happened (the task's ``updated_at``)
    at: float
    #: who holds the task afterwards; only Processing tasks have a holder
    worker: str | None = None
    started_at: float | None = None
    deadline: float | None = None
    #: count one more attempt (a worker starts the task)
    count_attempt: bool = False
    messages: tuple[str, ...] | None = None
    warnings: tuple[str, ...] | None = None
    #: the results to keep (Completed only)
    results: tuple[Artifact, ...] | None = None

    @property
    def drops_input(self) -> bool:
        """A final task no longer needs its input."""
        return self.status.is_final


@dataclass(frozen=True, kw_only=True)
class TaskInput:
    """What a worker needs from the store to run a task: its settings and the submitted file."""

    settings: RecognitionSettings
    data: bytes


@dataclass(frozen=True, kw_only=True)
class ClaimedTask:
    """A task a worker has claimed, with everything needed to run it."""

    id: str
    family: Family
    settings: RecognitionSettings
    image: bytes
    attempts: int
    #: when this attempt started (epoch seconds)
    started_at: float = 0.0
    #: the owning client (None for trial tasks) and the end of retention, as the claim read
    #: them: what happens once the task ends needs them, and they never change
    owner: str | None = None
    expires_at: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What running a task produced: results, or messages saying why not."""

    results: tuple[Artifact, ...] = ()
    messages: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return bool(self.messages)


class PageState(enum.Enum):
    """Where one page job of a document is: any worker may read a page of a running task."""

    OPEN = "open"  #: waits for a worker
    HELD = "held"  #: a worker reads it
    DONE = "done"  #: its result parts are stored
    FAILED = "failed"  #: it could not be read; ``message`` says why (the task fails)


@dataclass(frozen=True, kw_only=True)
class PageJob:
    """One page of a running document task, as a unit of work (0-based ``index``)."""

    task_id: str
    index: int
    state: PageState
    #: the worker reading it (HELD only)
    worker: str | None = None
    #: how many times a worker started it
    attempts: int = 0
    #: why it failed (FAILED only)
    message: str = ""
