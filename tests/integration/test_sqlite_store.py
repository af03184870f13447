"""The SQLite store on disk, beyond the shared store contract: atomic claims across threads and
connections, schema migration."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from ocrhive.domain.task import TaskChange, TaskStatus
from ocrhive.store.sqlite import SqliteStore
from tests.conftest import new_task


def test_every_task_is_claimed_exactly_once_by_concurrent_workers(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3")
    for i in range(200):
        store.save(new_task(f"t{i}"), b"img")
    claimed: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        mine = SqliteStore(tmp_path / "db.sqlite3")
        change = TaskChange(
            status=TaskStatus.PROCESSING, at=1.0, worker=name, started_at=1.0, deadline=9.0
        )
        while ids := mine.pending(limit=4):
            for task_id in ids:
                if mine.apply(task_id, change, expect=TaskStatus.PENDING):
                    given = mine.load_input(task_id)
                    assert given is not None and given.data == b"img"
                    with lock:
                        claimed.append(task_id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(f"t{i}" for i in range(200))


def test_a_database_from_before_deadlines_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE tasks (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " family TEXT NOT NULL, owner TEXT, settings TEXT NOT NULL, status TEXT NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0, worker TEXT, started_at REAL,"
        " created_at REAL NOT NULL, updated_at REAL NOT NULL, expires_at REAL NOT NULL,"
        " messages TEXT NOT NULL DEFAULT '[]', warnings TEXT NOT NULL DEFAULT '[]')"
    )
    old.commit()
    old.close()
    store = SqliteStore(path)
    store.save(new_task("a"), b"x")
    change = TaskChange(
        status=TaskStatus.PROCESSING, at=1.0, worker="w", started_at=1.0, deadline=7.0
    )
    assert store.apply("a", change, expect=TaskStatus.PENDING)
    assert store.running()[0].deadline == 7.0
