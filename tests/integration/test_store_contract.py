"""One contract, every task store: the same test functions run against the in-memory store, SQLite
on disk and a real redis-server, so the service can rely on any of them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrhive.composition import Store
from ocrhive.domain.recognition import ArtifactKind, Family, Language, RecognitionSettings
from ocrhive.domain.task import Artifact, NewTask, PageState, TaskChange, TaskStatus
from ocrhive.store.base import ClientRecord
from ocrhive.store.memory import MemoryStore
from ocrhive.store.redis import RedisStore
from ocrhive.store.sqlite import SqliteStore
from tests.conftest import RedisServer

PENDING, PROCESSING = TaskStatus.PENDING, TaskStatus.PROCESSING
COMPLETED, ERROR = TaskStatus.COMPLETED, TaskStatus.ERROR


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        yield SqliteStore(tmp_path / "db.sqlite3")
    else:
        redis_server: RedisServer = request.getfixturevalue("redis_server")
        store = RedisStore(redis_server.url, prefix=f"t{uuid.uuid4().hex[:12]}")
        yield store
        store.close()


#: a real epoch: Redis expires keys by the wall clock, so times near 0 would expire at once
T0 = time.time()


#: retention long enough that no Redis key expires however late in a long run a test comes
LONG = 10**6


def new(task_id: str, *, now: float = T0, ttl: float = LONG, owner: str = "c") -> NewTask:
    return NewTask(
        id=task_id,
        family=Family.RECOGNIZE_IMAGE,
        owner=owner,
        settings=RecognitionSettings(language=Language.GERMAN, rotate=90),
        created_at=now,
        expires_at=now + ttl,
    )


def start(worker: str, at: float = T0 + 1, deadline: float = T0 + 50) -> TaskChange:
    return TaskChange(
        status=PROCESSING,
        at=at,
        worker=worker,
        started_at=at,
        deadline=deadline,
        count_attempt=True,
    )


def test_a_saved_task_is_pending_with_its_input_and_settings(store: Store) -> None:
    store.save(new("a", now=T0 + 5.0), b"image-bytes")
    view = store.load("a", now=T0 + 6.0)
    assert view is not None
    assert (view.status, view.owner, view.family, view.attempts) == (
        PENDING,
        "c",
        Family.RECOGNIZE_IMAGE,
        0,
    )
    assert view.created_at == T0 + 5.0 and view.expires_at == T0 + 5.0 + LONG
    given = store.load_input("a")
    assert given is not None and given.data == b"image-bytes"
    assert given.settings == RecognitionSettings(language=Language.GERMAN, rotate=90)
    assert store.load("missing", now=T0 + 6.0) is None


def test_pending_lists_oldest_first(store: Store) -> None:
    for name in ["c", "a", "b"]:
        store.save(new(name), b"x")
    assert store.pending(limit=10) == ["c", "a", "b"]
    assert store.pending(limit=2) == ["c", "a"]
    assert store.apply("c", start("w"), expect=PENDING)
    assert store.pending(limit=10) == ["a", "b"]


def test_apply_is_compare_and_set_on_status_and_holder(store: Store) -> None:
    store.save(new("a"), b"x")
    assert store.apply("a", start("w1"), expect=PENDING)
    assert not store.apply("a", start("w2"), expect=PENDING)  # someone else won
    [running] = store.running()
    assert (running.id, running.worker, running.started_at, running.deadline) == (
        "a",
        "w1",
        T0 + 1,
        T0 + 50,
    )
    assert running.attempts == 1
    done = TaskChange(status=COMPLETED, at=T0 + 2.0, messages=(), warnings=("w",), results=())
    assert not store.apply("a", done, expect=PROCESSING, holder="w2")  # not its holder
    assert store.apply("a", done, expect=PROCESSING, holder="w1")
    assert not store.apply("a", done, expect=PROCESSING, holder="w1")  # only once
    assert store.running() == []
    assert not store.apply("x", start("w1"), expect=PENDING)  # unknown task


def test_results_come_back_in_order_and_the_input_is_dropped(store: Store) -> None:
    store.save(new("a"), b"x")
    store.apply("a", start("w"), expect=PENDING)
    results = (
        Artifact(kind=ArtifactKind.TEXT, data=b"hello"),
        Artifact(kind=ArtifactKind.PDF, data=b"%PDF-1.7"),
    )
    change = TaskChange(
        status=COMPLETED, at=T0 + 2.0, messages=(), warnings=("note",), results=results
    )
    assert store.apply("a", change, expect=PROCESSING, holder="w")
    view = store.load("a", now=T0 + 3.0, with_results=True)
    assert view is not None and view.status is COMPLETED
    assert view.results == results and view.warnings == ("note",)
    assert view.updated_at == T0 + 2.0
    assert store.load_input("a") is None
    bare = store.load("a", now=T0 + 3.0)
    assert bare is not None and bare.results is None


def test_a_released_task_keeps_its_attempts_and_input(store: Store) -> None:
    store.save(new("a"), b"x")
    for attempt in (1, 2):
        assert store.apply("a", start("w"), expect=PENDING)
        back = TaskChange(status=PENDING, at=T0 + 2.0)
        assert store.apply("a", back, expect=PROCESSING, holder="w")
        view = store.load("a", now=T0 + 3.0)
        assert view is not None and view.status is PENDING and view.attempts == attempt
        assert store.running() == []
    given = store.load_input("a")
    assert given is not None and given.data == b"x"


def test_error_keeps_messages_and_drops_input(store: Store) -> None:
    store.save(new("a"), b"x")
    failed = TaskChange(status=ERROR, at=T0 + 2.0, messages=("It broke.",))
    assert store.apply("a", failed, expect=PENDING)
    view = store.load("a", now=T0 + 3.0, with_results=True)
    assert view is not None and view.status is ERROR and view.messages == ("It broke.",)
    assert not view.results
    assert store.load_input("a") is None


def test_deadline_updates_keep_the_status(store: Store) -> None:
    store.save(new("a"), b"x")
    store.apply("a", start("w", deadline=T0 + 10.0), expect=PENDING)
    longer = TaskChange(
        status=PROCESSING, at=T0 + 2.0, worker="w", started_at=T0 + 1.0, deadline=T0 + 99.0
    )
    assert store.apply("a", longer, expect=PROCESSING, holder="w")
    [running] = store.running()
    assert running.deadline == T0 + 99.0 and running.attempts == 1


def test_delete_and_expiry(store: Store) -> None:
    store.save(new("old", now=T0 - 20, ttl=10.0), b"1")  # its retention is already over
    store.save(new("new"), b"2")
    store.save(new("gone"), b"3")
    assert store.load("old", now=T0) is None  # hidden the moment it expires
    assert store.expire(now=T0) == 1
    assert store.load("new", now=T0) is not None
    assert store.delete("gone") and not store.delete("gone")
    assert store.load("gone", now=T0) is None and store.load_input("gone") is None
    assert not store.apply("gone", start("w"), expect=PENDING)
    assert store.pending(limit=10) == ["new"]


def test_pending_counts_all_and_per_owner(store: Store) -> None:
    store.save(new("a", owner="alice"), b"x")
    store.save(new("b", owner="alice"), b"x")
    store.save(new("c", owner="bob"), b"x")
    assert store.count_pending() == 3 and store.count_pending("alice") == 2
    assert store.apply("a", start("w"), expect=PENDING)
    assert store.count_pending() == 2 and store.count_pending("alice") == 1
    assert store.apply("a", TaskChange(status=PENDING, at=T0 + 2), expect=PROCESSING, holder="w")
    assert store.count_pending("alice") == 2
    assert store.count_pending("nobody") == 0


def test_clients(store: Store) -> None:
    record = ClientRecord(client_id="id1", name="app", secret_hash="h", created_at=T0 + 1.0)
    store.add_client(record)
    assert store.get_client("id1") == record
    assert store.get_client("nope") is None
    assert store.set_client_disabled("id1", True)
    disabled = store.get_client("id1")
    assert disabled is not None and disabled.disabled
    assert not store.set_client_disabled("nope", True)
    assert [c.client_id for c in store.list_clients()] == ["id1"]


# -- page jobs ------------------------------------------------------------------------------


def test_pages_are_claimed_lowest_first_once_each_and_keep_their_parts(store: Store) -> None:
    store.save(new("doc"), b"pdf")
    assert store.apply("doc", start("owner"), expect=PENDING)
    store.plan_pages("doc", 3)
    assert [j.state for j in store.pages("doc")] == [PageState.OPEN] * 3
    assert store.open_page_tasks(limit=5) == ["doc"]
    first = store.claim_page("doc", "w1")
    second = store.claim_page("doc", "w2")
    assert first is not None and second is not None
    assert (first.index, first.worker, first.attempts) == (0, "w1", 1)
    assert (second.index, second.worker) == (1, "w2")
    assert not store.finish_page("doc", 0, "w2", part=b"x")  # not its holder
    assert store.finish_page("doc", 0, "w1", part=b"page one")
    assert not store.finish_page("doc", 0, "w1", part=b"again")  # only once
    third = store.claim_page("doc", "w1")
    assert third is not None and third.index == 2
    assert store.claim_page("doc", "w3") is None  # nothing open
    assert store.open_page_tasks(limit=5) == []
    assert store.finish_page("doc", 2, "w1", part=b"\x00page three\xff")
    jobs = store.pages("doc")
    assert [(j.index, j.state, j.worker) for j in jobs] == [
        (0, PageState.DONE, None),
        (1, PageState.HELD, "w2"),
        (2, PageState.DONE, None),
    ]
    assert store.load_page("doc", 0) == b"page one"
    assert store.load_page("doc", 2) == b"\x00page three\xff"
    assert store.load_page("doc", 1) is None
    assert [(j.task_id, j.index, j.worker) for j in store.held_pages()] == [("doc", 1, "w2")]


def test_a_lost_workers_page_opens_again_or_fails_and_planning_again_keeps_parts(
    store: Store,
) -> None:
    store.save(new("doc"), b"pdf")
    store.apply("doc", start("owner"), expect=PENDING)
    store.plan_pages("doc", 2)
    store.claim_page("doc", "w1")
    store.claim_page("doc", "w2")
    assert store.finish_page("doc", 1, "w2", part=b"two")
    assert not store.reopen_page("doc", 0, "w2")  # w2 does not hold page 0
    assert store.reopen_page("doc", 0, "w1")
    assert store.held_pages() == []
    assert store.open_page_tasks(limit=5) == ["doc"]
    store.plan_pages("doc", 2)  # the task's next attempt plans again: nothing is lost
    again = store.claim_page("doc", "w3")
    assert again is not None and (again.index, again.attempts) == (0, 2)
    assert store.reopen_page("doc", 0, "w3", failed="It died twice.")
    assert store.finish_page("doc", 0, "w3", part=b"late") is False
    failed = store.pages("doc")[0]
    assert (failed.state, failed.message) == (PageState.FAILED, "It died twice.")
    assert store.load_page("doc", 1) == b"two"
    held = store.claim_page("doc", "w4")
    assert held is None
    store.plan_pages("gone", 4)  # no such task: nothing planned
    assert store.pages("gone") == []


def test_a_page_failure_is_kept_with_its_message(store: Store) -> None:
    store.save(new("doc"), b"pdf")
    store.apply("doc", start("owner"), expect=PENDING)
    store.plan_pages("doc", 2)
    store.claim_page("doc", "w1")
    assert store.finish_page("doc", 0, "w1", part=b"", failed="Page 1 of the PDF is broken.")
    job = store.pages("doc")[0]
    assert (job.state, job.message) == (PageState.FAILED, "Page 1 of the PDF is broken.")
    assert store.load_page("doc", 0) is None
    assert store.claim_page("doc", "w2") is None  # page 2 is open, but the task will fail


@pytest.mark.parametrize("end", ["complete", "delete", "expire"])
def test_page_jobs_and_parts_go_with_their_task(store: Store, end: str) -> None:
    # Redis expires keys on its own clock, so its retention must still lie ahead of *now* (T0
    # was taken when the module was imported, possibly minutes ago in a full run)
    created = time.time() if isinstance(store, RedisStore) else T0
    store.save(new("doc", now=created - 20, ttl=30.0 if end == "expire" else LONG), b"pdf")
    store.apply("doc", start("owner"), expect=PENDING)
    store.plan_pages("doc", 2)
    store.claim_page("doc", "w1")
    store.claim_page("doc", "w2")
    store.finish_page("doc", 0, "w1", part=b"one")
    if end == "complete":
        done = TaskChange(status=COMPLETED, at=T0 + 2.0, messages=(), results=())
        assert store.apply("doc", done, expect=PROCESSING, holder="owner")
    elif end == "delete":
        assert store.delete("doc")
    elif isinstance(store, RedisStore):
        # Redis expires keys on its own clock: the page keys end with the task's retention
        db = store._db
        left = [db.pttl(store._key(k, "doc")) for k in ("task", "pages", "parts")]
        assert 0 < left[1] <= left[0] and 0 < left[2] <= left[0], left
        return
    else:
        store.expire(now=T0 + 20)
    assert store.pages("doc") == [] and store.load_page("doc", 0) is None
    assert store.held_pages() == [] and store.open_page_tasks(limit=5) == []
    assert store.claim_page("doc", "w3") is None
    assert not store.finish_page("doc", 1, "w2", part=b"late")
