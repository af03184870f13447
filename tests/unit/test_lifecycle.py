"""The task lifecycle, decided in the service, on the in-memory store and broker: claiming a given
id, completing, losing a worker with an attempt budget, time limits, orphans, cancellation, and
the state machine as an invariant over random histories."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrhive.broker.memory import MemoryBroker
from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.domain.task import (
    ALLOWED_TRANSITIONS,
    ClaimedTask,
    Outcome,
    TaskChange,
    TaskStatus,
    TaskView,
)
from ocrhive.errors import TooManyRequests
from ocrhive.service import LifecyclePolicy, LossCause, OcrService, Requester
from ocrhive.store.memory import MemoryStore

ALICE = Requester(client_id="alice")
PENDING, PROCESSING = TaskStatus.PENDING, TaskStatus.PROCESSING
COMPLETED, ERROR = TaskStatus.COMPLETED, TaskStatus.ERROR


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(max_attempts: int = 3) -> tuple[OcrService, MemoryBroker, Clock]:
    clock = Clock()
    broker = MemoryBroker()
    policy = LifecyclePolicy(
        retention_seconds=3600,
        max_attempts=max_attempts,
        task_time_limit=300,
        seconds_per_extra_page=10,
        grace=30,
    )
    return OcrService(MemoryStore(), broker, policy=policy, clock=clock), broker, clock


def submit(service: OcrService) -> str:
    return service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), b"img", ALICE)


def status(service: OcrService, task_id: str) -> TaskView:
    view = service.get_result(task_id, ALICE)
    assert view is not None
    return view


def test_submit_saves_then_publishes_the_id() -> None:
    service, broker, _ = make()
    task_id = submit(service)
    assert list(broker.published) == [task_id]
    assert status(service, task_id).status is PENDING


def test_a_given_id_is_claimed_once_with_its_input_and_a_deadline() -> None:
    service, _, clock = make()
    first, second = submit(service), submit(service)
    claimed = service.claim(second, "w1")  # any id, not only the oldest
    assert claimed is not None
    assert (claimed.id, claimed.image, claimed.attempts, claimed.started_at) == (
        second,
        b"img",
        1,
        clock.now,
    )
    assert service.claim(second, "w2") is None
    [running] = service.store.running()
    assert running.worker == "w1" and running.deadline == clock.now + 300
    assert status(service, first).status is PENDING


def test_complete_is_the_holders_and_happens_once() -> None:
    service, _, _ = make()
    task_id = submit(service)
    claimed = service.claim(task_id, "w1")
    assert claimed is not None
    assert not service.complete(claimed, "w2", Outcome())
    assert service.complete(claimed, "w1", Outcome(warnings=("ok",)))
    assert not service.complete(claimed, "w1", Outcome(messages=("late",)))
    view = status(service, task_id)
    assert view.status is COMPLETED and view.warnings == ("ok",) and view.messages == ()
    assert service.claim(task_id, "w3") is None  # a redelivered id of a final task: nothing


def test_a_lost_worker_gives_the_task_back_until_the_budget_is_spent() -> None:
    service, broker, _ = make(max_attempts=2)
    task_id = submit(service)
    broker.published.clear()
    for attempt in (1, 2):
        assert service.claim(task_id, f"w{attempt}") is not None
        [running] = service.store.running()
        new = service.release(running, LossCause.WORKER_DIED, "exit code -9")
        if attempt == 1:
            assert new is PENDING and list(broker.published) == [task_id]
    assert new is ERROR
    [message] = status(service, task_id).messages
    assert "stopped unexpectedly" in message and "exit code -9" in message
    assert "all 2 attempts" in message


def test_running_out_of_memory_is_not_retried() -> None:
    service, _, _ = make(max_attempts=3)
    task_id = submit(service)
    service.claim(task_id, "w")
    [running] = service.store.running()
    assert service.release(running, LossCause.OUT_OF_MEMORY, "cap 2048 MiB") is ERROR
    [message] = status(service, task_id).messages
    assert "more memory" in message and "2048 MiB" in message and "not retried" in message


def test_release_of_a_task_that_moved_on_does_nothing() -> None:
    service, _, _ = make()
    task_id = submit(service)
    claimed = service.claim(task_id, "w")
    assert claimed is not None
    [running] = service.store.running()
    service.complete(claimed, "w", Outcome())
    assert service.release(running, LossCause.WORKER_DIED) is None
    assert status(service, task_id).status is COMPLETED


def test_tasks_held_by_no_live_worker_are_released() -> None:
    service, _, _ = make()
    kept, lost = submit(service), submit(service)
    service.claim(kept, "alive")
    service.claim(lost, "gone")
    assert service.release_orphans({"alive"}, LossCause.WORKER_LOST) == 1
    assert status(service, kept).status is PROCESSING
    assert status(service, lost).status is PENDING


def test_time_limit_scales_with_pages_and_ends_the_task_in_error() -> None:
    service, _, clock = make()
    short, long = submit(service), submit(service)
    claimed_short = service.claim(short, "w1")
    claimed_long = service.claim(long, "w2")
    assert claimed_short is not None and claimed_long is not None
    assert service.set_page_count(claimed_long, "w2", 10) == 300 + 9 * 10
    clock.now += 300 + 30 + 1
    stopped = service.enforce_time_limits()
    assert [t.id for t in stopped] == [short]
    [message] = status(service, short).messages
    assert "limit of 300 s" in message
    assert status(service, long).status is PROCESSING
    clock.now += 90
    assert [t.id for t in service.enforce_time_limits()] == [long]
    assert "limit of 390 s" in status(service, long).messages[0]
    assert not service.complete(claimed_short, "w1", Outcome())  # too late: stays Error


def test_a_task_cancelled_while_running_stays_gone() -> None:
    service, _, _ = make()
    task_id = submit(service)
    claimed = service.claim(task_id, "w")
    assert claimed is not None
    assert service.cancel(task_id, ALICE)
    assert not service.complete(claimed, "w", Outcome())
    assert service.get_result(task_id, ALICE) is None


def test_expiry_removes_tasks_after_retention() -> None:
    service, _, clock = make()
    task_id = submit(service)
    clock.now += 3601
    assert service.get_result(task_id, ALICE) is None
    assert service.expire() == 1


def test_the_service_refuses_a_transition_the_state_machine_forbids() -> None:
    service, _, _ = make()
    task_id = submit(service)
    with pytest.raises(ValueError, match="Pending to Completed"):
        service._apply(task_id, TaskChange(status=COMPLETED, at=1.0), expect=PENDING)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["submit", "claim", "complete", "fail", "lose", "oom", "timeout", "cancel", "expire"]
        ),
        st.integers(min_value=0, max_value=3),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(OPERATIONS)
def test_every_history_follows_the_state_machine(operations: list[tuple[str, int]]) -> None:
    service, _, clock = make(max_attempts=2)
    ids: list[str] = []
    claims: dict[str, ClaimedTask] = {}
    seen: dict[str, TaskStatus] = {}
    for op, pick in operations:
        task_id = ids[pick % len(ids)] if ids else None
        if op == "submit" or task_id is None:
            ids.append(submit(service))
        elif op == "claim":
            if (claimed := service.claim(task_id, f"w{pick}")) is not None:
                claims[task_id] = claimed
        elif op in ("complete", "fail") and task_id in claims:
            claimed = claims[task_id]
            outcome = Outcome(messages=("x",)) if op == "fail" else Outcome()
            holder = service.store.running()
            worker = next((t.worker for t in holder if t.id == task_id), "nobody")
            service.complete(claimed, worker, outcome)
        elif op in ("lose", "oom"):
            for running in service.store.running():
                if running.id == task_id:
                    cause = LossCause.OUT_OF_MEMORY if op == "oom" else LossCause.WORKER_DIED
                    service.release(running, cause)
        elif op == "timeout":
            clock.now += 400
            service.enforce_time_limits()
        elif op == "cancel":
            service.cancel(task_id, ALICE)
        elif op == "expire":
            clock.now += 1000
            service.expire()
        for known in ids:
            view = service.get_result(known, ALICE)
            if view is None:
                continue
            before = seen.get(known, PENDING)
            assert view.status is before or view.status in ALLOWED_TRANSITIONS[before]
            assert view.attempts <= 2
            if view.status is ERROR:
                assert view.messages, "an Error task always says why"
            seen[known] = view.status


def test_queue_caps_refuse_with_429_and_queue_nothing() -> None:
    clock = Clock()
    broker = MemoryBroker()
    policy = LifecyclePolicy(max_pending=3, max_pending_per_client=2)
    service = OcrService(MemoryStore(), broker, policy=policy, clock=clock)
    bob = Requester(client_id="bob")
    submit(service), submit(service)
    with pytest.raises(TooManyRequests) as per_client:
        submit(service)
    assert per_client.value.status_code == 429 and per_client.value.retry_after > 0
    assert "per client" in per_client.value.message
    service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), b"img", bob)
    with pytest.raises(TooManyRequests, match="tasks waiting"):
        service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), b"img", bob)
    assert service.store.count_pending() == 3 and len(broker.published) == 3


def test_pending_tasks_whose_message_was_lost_are_published_again() -> None:
    service, broker, clock = make()
    old = [submit(service) for _ in range(3)]
    clock.now += 60
    fresh = submit(service)
    broker.published.clear()
    # four tasks wait, two messages do: the two oldest get a new one
    assert service.republish_lost(2, older_than=30) == 2
    assert list(broker.published) == old[:2]
    assert service.republish_lost(4, older_than=30) == 0  # as many messages as tasks
    assert service.republish_lost(0, older_than=30) == 3  # the fresh one is too young
    assert fresh not in broker.published
