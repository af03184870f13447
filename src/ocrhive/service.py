"""The use cases and the whole task lifecycle: the only place that sees store, queue and pipeline
together, and the one place that decides a task's next status and what its client reads.

Stores persist the changes decided here (compare-and-set on the status, so two processes never
both win); brokers only carry task ids; process models (embedded supervisor, Celery) report
facts — a worker died, a task is held by nobody — and this module decides what follows.
"""

from __future__ import annotations

import enum
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass

import structlog

from ocrhive import documents, operations, pipeline
from ocrhive.broker.base import Broker
from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.domain.task import (
    ClaimedTask,
    NewTask,
    Outcome,
    PageJob,
    RunningTask,
    TaskChange,
    TaskStatus,
    TaskView,
    can_transition,
)
from ocrhive.domain.webhooks import Delivery
from ocrhive.errors import InvalidRequest, TaskFailed, TooManyRequests
from ocrhive.metrics.events import NoEvents, TaskEvents
from ocrhive.store.base import TaskStore, WebhookStore

log = structlog.get_logger("ocrhive.service")


@dataclass(frozen=True, kw_only=True)
class Requester:
    """Who asks: an authenticated client, or nobody (trial endpoints)."""

    client_id: str | None

    @property
    def anonymous(self) -> bool:
        return self.client_id is None


@dataclass(frozen=True, kw_only=True)
class LifecyclePolicy:
    """The operator's rules for a task's life."""

    #: how long a task and its results are kept after submission, seconds
    retention_seconds: float = 24 * 3600.0
    #: how many times a task is started before a lost worker makes it fail
    max_attempts: int = 3
    #: time limit of a one-page task, seconds
    task_time_limit: float = 300.0
    #: what each page after the first adds to a document's limit, seconds
    seconds_per_extra_page: float = 10.0
    #: extra time before a task over its limit is stopped from outside (the pipeline stops
    #: itself between pages first, with a more precise message)
    grace: float = 30.0
    #: most Pending tasks in the whole service, and of one client (0 = no cap)
    max_pending: int = 0
    max_pending_per_client: int = 0

    def time_limit(self, pages: int) -> float:
        """The time limit of a task with ``pages`` pages, seconds."""
        return self.task_time_limit + self.seconds_per_extra_page * max(0, pages - 1)


#: how long a count of all Pending tasks serves the backlog cap, seconds
_COUNT_EVERY = 0.5


class LossCause(enum.Enum):
    """Why a running task lost its worker; decides the retry and the client's message."""

    WORKER_DIED = "worker_died"  #: the worker process exited mid-task (crash, kill)
    OUT_OF_MEMORY = "out_of_memory"  #: it died at its memory cap: retrying cannot help
    SERVER_STOPPED = "server_stopped"  #: found in Processing when the server started
    SHUTDOWN = "shutdown"  #: the server stopped its workers before the task finished
    WORKER_LOST = "worker_lost"  #: held by a worker that no longer exists


def _loss_message(cause: LossCause, detail: str) -> str:
    if cause is LossCause.WORKER_DIED:
        return (
            "The worker process stopped unexpectedly while processing this task"
            f"{f' ({detail})' if detail else ''}."
        )
    if cause is LossCause.OUT_OF_MEMORY:
        return (
            "Processing this task needed more memory than this server allows a worker"
            f"{f' ({detail})' if detail else ''}; it was stopped and is not retried."
        )
    if cause is LossCause.SERVER_STOPPED:
        return "The server stopped while this task was running."
    if cause is LossCause.SHUTDOWN:
        return "The server shut down while this task was running."
    return "The worker processing this task was lost."


def _engine_name(readers: pipeline.Readers, settings: RecognitionSettings) -> str:
    """The engine that read a task: a registry dispatches by language (and tells which engine
    it chose), any other engine reads every language itself."""
    choose = getattr(readers.engine, "engine_for", None)
    engine = choose(settings.language) if callable(choose) else readers.engine
    return str(engine.name)


class OcrService:
    """Submits, looks up, cancels and runs tasks, and moves them through their life."""

    def __init__(
        self,
        store: TaskStore,
        broker: Broker,
        *,
        policy: LifecyclePolicy,
        clock: Callable[[], float] = time.time,
        events: TaskEvents | None = None,
        webhooks: WebhookStore | None = None,
    ) -> None:
        self.store = store
        self.policy = policy
        self.webhooks = webhooks
        self._broker = broker
        self._clock = clock
        #: hears submits, starts, pages read and ends (metrics); never decides anything
        self._events: TaskEvents = events if events is not None else NoEvents()
        self._pending_count = 0
        self._counted_at = -_COUNT_EVERY

    # -- the client's verbs -----------------------------------------------------------------

    def submit(
        self,
        family: Family,
        settings: RecognitionSettings,
        image: bytes | bytearray | memoryview,
        requester: Requester,
        *,
        callback: str | None = None,
    ) -> str:
        """Save a task, then queue it; returns its id (only once the record is written).

        ``callback`` (checked by the caller against the operator's allow-list) receives the
        task's status, signed with the client's webhook secret, once it is final.

        Raises:
            InvalidRequest: a callback without a webhook secret to sign it with.
            TooManyRequests: the service's or the client's queue is at its cap (nothing saved).
            Unavailable: the store or the queue cannot be reached (nothing left queued).
            StorageFull: no room to save the task.
        """
        if callback is not None:
            self._check_callback(requester)
        self._check_backlog(requester)
        now = self._clock()
        task = NewTask(
            id=str(uuid.uuid4()),
            family=family,
            owner=None if family.is_trial else requester.client_id,
            settings=settings,
            created_at=now,
            expires_at=now + self.policy.retention_seconds,
        )
        if callback is not None and self.webhooks is not None and task.owner is not None:
            self.webhooks.watch(task.id, task.owner, callback, expires_at=task.expires_at)
        self.store.save(task, image)
        try:
            self._broker.publish(task.id)
        except Exception:
            # the client gets no id, so no record may wait for a message that never comes
            try:
                self.store.delete(task.id)
            except Exception:
                log.exception("unpublished_task_kept", task_id=task.id)
            raise
        self._pending_count += 1  # until the next count, what this process added
        self._events.task_submitted(family)
        log.info("task_submitted", task_id=task.id, family=family.value, bytes=len(image))
        return task.id

    def _check_callback(self, requester: Requester) -> None:
        if requester.client_id is None:
            raise InvalidRequest("callbackUrl", "Trial tasks cannot have a callback.")
        if self.webhooks is None or self.webhooks.endpoint(requester.client_id) is None:
            raise InvalidRequest(
                "callbackUrl",
                "Register a webhook secret first (PUT /v5.0/ocrhive/webhook): deliveries are "
                "signed with it.",
            )

    def _pending_total(self) -> int:
        """All Pending tasks, counted at most every ``_COUNT_EVERY`` seconds: counting 20,000
        waiting rows on every submit would make a busy queue slower to join (the cap may be
        passed by what arrives within that time)."""
        now = time.monotonic()
        if now - self._counted_at >= _COUNT_EVERY:
            self._pending_count = self.store.count_pending()
            self._counted_at = now
        return self._pending_count

    def _check_backlog(self, requester: Requester) -> None:
        policy = self.policy
        if policy.max_pending and self._pending_total() >= policy.max_pending:
            raise TooManyRequests(
                f"The service has {policy.max_pending} or more tasks waiting; try again later.",
                retry_after=10.0,
            )
        owner = requester.client_id
        if (
            owner
            and policy.max_pending_per_client
            and self.store.count_pending(owner) >= policy.max_pending_per_client
        ):
            raise TooManyRequests(
                f"You have {policy.max_pending_per_client} or more tasks waiting, this server's "
                "limit per client; submit more once some have started.",
                retry_after=5.0,
            )

    def _visible(self, view: TaskView | None, family: Family | None, requester: Requester) -> bool:
        if view is None:
            return False
        if requester.anonymous:
            # the no-token trial path reads trial tasks and nothing else
            return view.family.is_trial and (family is None or family.is_trial)
        if view.family.is_trial:
            return True  # anyone holding a trial id may read it
        return view.owner == requester.client_id

    def get_result(
        self,
        task_id: str,
        requester: Requester,
        *,
        family: Family | None = None,
        with_results: bool = True,
    ) -> TaskView | None:
        """The task as ``requester`` may see it, or None (reported as NotExist)."""
        view = self.store.load(task_id, now=self._clock(), with_results=with_results)
        return view if self._visible(view, family, requester) else None

    def cancel(self, task_id: str, requester: Requester, *, family: Family | None = None) -> bool:
        """Forget a task: a queued one never runs, a running one's result is discarded."""
        view = self.store.load(task_id, now=self._clock())
        if not self._visible(view, family, requester):
            return False
        deleted = self.store.delete(task_id)
        if deleted:
            log.info("task_cancelled", task_id=task_id)
        return deleted

    # -- transitions ------------------------------------------------------------------------

    def _apply(
        self, task_id: str, change: TaskChange, *, expect: TaskStatus, holder: str | None = None
    ) -> bool:
        """Persist ``change`` if the task is still in ``expect``; refuses what the state
        machine forbids (a change that keeps the status only updates the record)."""
        if change.status is not expect and not can_transition(expect, change.status):
            raise ValueError(f"a task cannot go from {expect.value} to {change.status.value}")
        return self.store.apply(task_id, change, expect=expect, holder=holder)

    def _ended(
        self,
        task_id: str,
        family: Family,
        owner: str | None,
        *,
        expires_at: float,
        status: TaskStatus,
        ran: float,
    ) -> None:
        """What follows every final transition: the metrics hear it, and a webhook delivery is
        queued (the task's own callback, else its client's endpoint). A failure here never
        undoes the transition."""
        self._events.task_finished(family, status, ran)
        if self.webhooks is None or owner is None:
            return
        try:
            url = self.webhooks.watched(task_id)
            if url is None:
                endpoint = self.webhooks.endpoint(owner)
                url = endpoint.url if endpoint else None
            if url is None:
                return
            now = self._clock()
            delivery = Delivery(
                id=str(uuid.uuid4()),
                task_id=task_id,
                client_id=owner,
                url=url,
                next_at=now,
                created_at=now,
            )
            self.webhooks.enqueue(delivery, expires_at=expires_at)
            log.info("webhook_queued", task_id=task_id, delivery=delivery.id)
        except Exception:
            log.exception("webhook_not_queued", task_id=task_id)

    def claim(self, task_id: str, worker: str) -> ClaimedTask | None:
        """Give the Pending task ``task_id`` to ``worker``; None when it is not Pending any more
        (another worker won it, it was cancelled, or a redelivered message names a final task).
        A task ``worker`` already holds is given to it again: its earlier try got no answer."""
        now = self._clock()
        view = self.store.load(task_id, now=now)
        if view is not None and view.status is TaskStatus.PROCESSING:
            # maybe this worker's own claim, retried because the store failed after the change
            # (a lost reply, or the input read below): the task would sit held and never run
            held = next((t for t in self.store.running() if t.id == task_id), None)
            if held is None or held.worker != worker:
                return None
            given = self.store.load_input(task_id)
            if given is None:
                return None
            log.info("task_started", task_id=task_id, worker=worker, attempt=held.attempts)
            return ClaimedTask(
                id=task_id,
                family=view.family,
                settings=given.settings,
                image=given.data,
                attempts=held.attempts,
                started_at=held.started_at,
                owner=view.owner,
                expires_at=view.expires_at,
            )
        if view is None or view.status is not TaskStatus.PENDING:
            return None
        change = TaskChange(
            status=TaskStatus.PROCESSING,
            at=now,
            worker=worker,
            started_at=now,
            deadline=now + self.policy.time_limit(1),
            count_attempt=True,
        )
        if not self._apply(task_id, change, expect=TaskStatus.PENDING):
            return None
        given = self.store.load_input(task_id)
        if given is None:  # cancelled between the two steps
            return None
        log.info("task_started", task_id=task_id, worker=worker, attempt=view.attempts + 1)
        self._events.task_started(view.family, now - view.created_at)
        return ClaimedTask(
            id=task_id,
            family=view.family,
            settings=given.settings,
            image=given.data,
            attempts=view.attempts + 1,
            started_at=now,
            owner=view.owner,
            expires_at=view.expires_at,
        )

    def set_page_count(self, task: ClaimedTask, worker: str, pages: int) -> float:
        """Scale a running task's deadline to its page count; returns its limit in seconds."""
        limit = self.policy.time_limit(pages)
        if pages > 1:
            change = TaskChange(
                status=TaskStatus.PROCESSING,
                at=self._clock(),
                worker=worker,
                started_at=task.started_at,
                deadline=task.started_at + limit,
            )
            self._apply(task.id, change, expect=TaskStatus.PROCESSING, holder=worker)
        return limit

    def run(
        self,
        task: ClaimedTask,
        worker: str,
        readers: pipeline.Readers,
        options: pipeline.PipelineOptions,
    ) -> Outcome:
        """Run a claimed task through the pipeline; every failure becomes an outcome."""
        pages = 1  # families that read one image never report a count

        def counted(count: int) -> float:
            nonlocal pages
            pages = count
            return self.set_page_count(task, worker, count)

        try:
            if task.family in documents.FAMILIES:
                jobs = TaskPages(self, task.id, worker, recruit=False)
                outcome = documents.run(
                    task.image, task.settings, readers, options, jobs, on_page_count=counted
                )
            else:
                outcome = operations.run(
                    task.image, task.family, task.settings, readers, options, on_page_count=counted
                )
        except TaskFailed as exc:
            return Outcome(messages=(exc.message,))
        except MemoryError:
            return Outcome(messages=("The worker ran out of memory processing this image.",))
        except Exception as exc:  # a bug or an engine fault: the task fails, the worker lives on
            log.exception("task_crashed", task_id=task.id)
            return Outcome(
                messages=(f"Internal error while processing this task ({type(exc).__name__}).",)
            )
        if not outcome.failed:
            self._events.pages_read(_engine_name(readers, task.settings), pages)
        return outcome

    def complete(self, task: ClaimedTask, worker: str, outcome: Outcome) -> bool:
        """Store what a run produced: Completed with results, or Error with messages. False when
        the task is no longer this worker's (cancelled, timed out, given to another)."""
        failed = outcome.failed
        change = TaskChange(
            status=TaskStatus.ERROR if failed else TaskStatus.COMPLETED,
            at=self._clock(),
            messages=outcome.messages,
            warnings=outcome.warnings,
            results=None if failed else outcome.results,
        )
        stored = self._apply(task.id, change, expect=TaskStatus.PROCESSING, holder=worker)
        if stored:
            self._ended(
                task.id,
                task.family,
                task.owner,
                expires_at=task.expires_at,
                status=change.status,
                ran=self._clock() - task.started_at,
            )
        log.info(
            "task_failed" if failed else "task_completed",
            task_id=task.id,
            seconds=round(self._clock() - task.started_at, 3),
            stored=stored,
            messages=list(outcome.messages),
        )
        return stored

    def process(
        self,
        task: ClaimedTask,
        worker: str,
        readers: pipeline.Readers,
        options: pipeline.PipelineOptions,
    ) -> Outcome:
        """Run a claimed task and store what came out."""
        outcome = self.run(task, worker, readers, options)
        self.complete(task, worker, outcome)
        return outcome

    def _ended_elsewhere(self, task: RunningTask) -> None:
        """A running task ended in Error by the process model, not its worker. Its family and
        owner are read back, once: a running task's record does not carry them."""
        try:
            view = self.store.load(task.id, now=self._clock(), with_results=False)
        except Exception:  # the transition stands; only its count and webhook are lost
            log.warning("task_event_lost", task_id=task.id)
            return
        if view is not None:
            self._ended(
                task.id,
                view.family,
                view.owner,
                expires_at=view.expires_at,
                status=TaskStatus.ERROR,
                ran=self._clock() - task.started_at,
            )

    def release(self, task: RunningTask, cause: LossCause, detail: str = "") -> TaskStatus | None:
        """A running task lost its worker: back to Pending (and the queue) while attempts
        remain, otherwise Error. Returns the new status, or None if the task had moved on."""
        message = _loss_message(cause, detail)
        final = cause is LossCause.OUT_OF_MEMORY or task.attempts >= self.policy.max_attempts
        if final and cause is not LossCause.OUT_OF_MEMORY:
            message += f" This happened on all {task.attempts} attempts; giving up."
        change = TaskChange(
            status=TaskStatus.ERROR if final else TaskStatus.PENDING,
            at=self._clock(),
            messages=(message,) if final else None,
        )
        if not self._apply(task.id, change, expect=TaskStatus.PROCESSING, holder=task.worker):
            return None
        if final:
            self._ended_elsewhere(task)
        else:
            self._broker.publish(task.id)
        log.warning(
            "task_released",
            task_id=task.id,
            worker=task.worker,
            cause=cause.value,
            status=change.status.value,
        )
        return change.status

    def release_orphans(self, live_workers: Collection[str], cause: LossCause) -> int:
        """Release every running task held by none of ``live_workers``; how many."""
        released = 0
        for task in self.store.running():
            if task.worker not in live_workers and self.release(task, cause) is not None:
                released += 1
        self.release_pages(lambda worker: worker not in live_workers, cause)
        return released

    # -- page jobs: a document's pages read by every idle worker ---------------------------------

    def help(
        self,
        task_id: str,
        worker: str,
        readers: pipeline.Readers,
        options: pipeline.PipelineOptions,
        *,
        yield_to: Callable[[], bool] | None = None,
    ) -> int:
        """Read open pages of the running document ``task_id`` for the worker that owns it,
        until none is left or ``yield_to`` says other work waits; how many pages were read
        (0 when the task is not a running document with open pages)."""
        view = self.store.load(task_id, now=self._clock())
        if view is None or view.status is not TaskStatus.PROCESSING:
            return 0
        if view.family not in documents.FAMILIES:
            return 0
        given = self.store.load_input(task_id)
        if given is None:
            return 0
        jobs = TaskPages(self, task_id, worker, recruit=True)
        with structlog.contextvars.bound_contextvars(task_id=task_id):
            read = documents.help_read(
                given.data, given.settings, readers, options, jobs, yield_to=yield_to
            )
        if read:
            log.info("pages_helped", task_id=task_id, pages=read)
        return read

    def invite_help(self, task_id: str) -> None:
        """Tell idle workers that ``task_id`` has pages to read: its id published again is a
        wake-up (embedded) or a message (Celery) that a worker not holding it turns into help."""
        self._broker.publish(task_id)

    def help_any(
        self,
        worker: str,
        readers: pipeline.Readers,
        options: pipeline.PipelineOptions,
        *,
        yield_to: Callable[[], bool] | None = None,
    ) -> int:
        """Help the oldest running document with open pages; how many pages were read."""
        for task_id in self.store.open_page_tasks(limit=4):
            read = self.help(task_id, worker, readers, options, yield_to=yield_to)
            if read:
                return read
        return 0

    def release_pages(self, lost: Callable[[str], bool], cause: LossCause, detail: str = "") -> int:
        """Every page being read by a worker ``lost`` says is gone opens again for another
        worker, or fails (its task then fails) once it used its attempts or its worker died at
        its memory cap; how many."""
        released = 0
        for job in self.store.held_pages():
            if (
                job.worker is not None
                and lost(job.worker)
                and self._release_page(job, cause, detail)
            ):
                released += 1
        return released

    def _release_page(self, job: PageJob, cause: LossCause, detail: str) -> bool:
        final = cause is LossCause.OUT_OF_MEMORY or job.attempts >= self.policy.max_attempts
        message: str | None = None
        if final:
            message = documents.page_message(
                job.index, _loss_message(cause, detail).replace("this task", "this page")
            )
            if cause is not LossCause.OUT_OF_MEMORY:
                message += f" This happened on all {job.attempts} attempts; giving up."
        assert job.worker is not None
        if not self.store.reopen_page(job.task_id, job.index, job.worker, failed=message):
            return False
        if not final:
            self.invite_help(job.task_id)
        log.warning(
            "page_released",
            task_id=job.task_id,
            page=job.index + 1,
            worker=job.worker,
            cause=cause.value,
            failed=final,
        )
        return True

    def enforce_time_limits(self) -> list[RunningTask]:
        """End in Error every task running past its deadline (plus grace); returns them, so
        the process model can stop their workers."""
        now = self._clock()
        stopped = []
        for task in self.store.running():
            if now <= task.deadline + self.policy.grace:
                continue
            limit = task.deadline - task.started_at
            change = TaskChange(
                status=TaskStatus.ERROR,
                at=now,
                messages=(
                    f"Processing took longer than this server's limit of {limit:g} s and was "
                    "stopped.",
                ),
            )
            if self._apply(task.id, change, expect=TaskStatus.PROCESSING, holder=task.worker):
                log.warning("task_timed_out", task_id=task.id, worker=task.worker)
                self._ended_elsewhere(task)
                stopped.append(task)
        return stopped

    def republish_lost(self, waiting_messages: int, *, older_than: float = 30.0) -> int:
        """Publish again Pending tasks whose message was lost (a broker that dies between
        handing a message out and hearing it was received loses it): when fewer messages
        wait than tasks do, the oldest tasks Pending for ``older_than`` seconds get a new one.
        A task with two messages runs once (``claim`` is a compare-and-set). How many."""
        deficit = self.store.count_pending() - waiting_messages
        if deficit <= 0:
            return 0
        now = self._clock()
        sent = 0
        for task_id in self.store.pending(limit=deficit):
            view = self.store.load(task_id, now=now)
            waited = now - view.updated_at if view is not None else 0.0
            if view is not None and view.status is TaskStatus.PENDING and waited >= older_than:
                self._broker.publish(task_id)
                sent += 1
        if sent:
            log.warning("tasks_republished", count=sent, deficit=deficit)
        return sent

    def expire(self) -> int:
        """Delete every task whose retention is over; how many."""
        removed = self.store.expire(now=self._clock())
        if self.webhooks is not None:
            self.webhooks.expire_webhooks(now=self._clock())
        if removed:
            log.info("tasks_expired", count=removed)
        return removed


class TaskPages:
    """The page-job verbs of one running document for one worker (:class:`documents.PageJobs`):
    the owner opens the pages; a helper that finds a page to read invites one more helper, so a
    wake-up passes from idle worker to idle worker while pages remain."""

    def __init__(self, service: OcrService, task_id: str, worker: str, *, recruit: bool) -> None:
        self._service = service
        self._store = service.store
        self._task_id = task_id
        self._worker = worker
        self._recruit = recruit

    def open(self, count: int) -> None:
        self._store.plan_pages(self._task_id, count)
        self._service.invite_help(self._task_id)

    def claim(self) -> int | None:
        job = self._store.claim_page(self._task_id, self._worker)
        if job is None:
            return None
        if self._recruit:
            self._recruit = False
            self._service.invite_help(self._task_id)
        return job.index

    def done(self, index: int, part: bytes) -> bool:
        stored = self._store.finish_page(self._task_id, index, self._worker, part=part)
        log.info("page_read", task_id=self._task_id, page=index + 1, stored=stored)
        return stored

    def failed(self, index: int, message: str) -> bool:
        log.info("page_failed", task_id=self._task_id, page=index + 1, message=message)
        return self._store.finish_page(self._task_id, index, self._worker, part=b"", failed=message)

    def progress(self) -> list[PageJob]:
        return self._store.pages(self._task_id)

    def load(self, index: int) -> bytes | None:
        return self._store.load_page(self._task_id, index)
