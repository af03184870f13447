"""The SQLite task store on disk: atomic claims across threads, retries, expiry, cancellation."""

from __future__ import annotations

import threading
from pathlib import Path

from ocrhive.domain.recognition import ArtifactKind, Family, RecognitionSettings
from ocrhive.domain.task import Artifact, NewTask, Outcome, TaskStatus
from ocrhive.store.sqlite import SqliteStore


def new(task_id: str, now: float = 0.0, ttl: float = 100.0) -> NewTask:
    return NewTask(
        id=task_id,
        family=Family.RECOGNIZE_IMAGE,
        owner="c",
        settings=RecognitionSettings(),
        created_at=now,
        expires_at=now + ttl,
    )


def test_every_task_is_claimed_exactly_once_by_concurrent_workers(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    for i in range(200):
        store.save(new(f"t{i}"), b"img")
    claimed: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        mine = SqliteStore(tmp_path / "db.sqlite3")
        while (task := mine.claim(name, now=1.0)) is not None:
            assert task.image == b"img"
            with lock:
                claimed.append(task.id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(f"t{i}" for i in range(200))


def test_claims_are_first_in_first_out_and_results_come_back_in_order(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.save(new("a"), b"1")
    store.save(new("b"), b"2")
    task = store.claim("w", now=1.0)
    assert task is not None and task.id == "a" and task.attempts == 1
    results = (
        Artifact(kind=ArtifactKind.TEXT, data=b"x"),
        Artifact(kind=ArtifactKind.PDF, data=b"%PDF"),
    )
    assert store.complete("a", "w", Outcome(results=results), now=2.0)
    view = store.load("a", now=3.0, with_results=True)
    assert view is not None and view.status is TaskStatus.COMPLETED and view.results == results
    assert not store.complete("a", "w", Outcome(results=results), now=2.0)  # only once


def test_release_retries_until_the_attempt_bound_then_fails(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.save(new("a"), b"1")
    for attempt in (1, 2):
        task = store.claim("w", now=1.0)
        assert task is not None and task.attempts == attempt
        assert store.release("a", "Worker died.", max_attempts=3, now=2.0) is TaskStatus.PENDING
    assert store.claim("w", now=1.0) is not None
    assert store.release("a", "Worker died.", max_attempts=3, now=2.0) is TaskStatus.ERROR
    view = store.load("a", now=3.0)
    assert view is not None and view.status is TaskStatus.ERROR
    assert "3 attempts" in view.messages[0]


def test_a_cancelled_running_task_stays_gone(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.save(new("a"), b"1")
    assert store.claim("w", now=1.0) is not None
    assert store.delete("a")
    assert not store.complete("a", "w", Outcome(results=()), now=2.0)
    assert store.load("a", now=2.0) is None


def test_expired_tasks_are_invisible_then_deleted(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    store.save(new("old", now=0.0, ttl=10.0), b"1")
    store.save(new("new", now=0.0, ttl=100.0), b"1")
    assert store.load("old", now=11.0) is None
    assert store.expire(now=11.0) == 1
    assert store.load("new", now=11.0) is not None
    assert store.claim("w", now=11.0) is not None
