"""The SQLite store's hold on its disk: ceiling and free-space reserve, a really full disk,
space handed back after deletes, deleted data gone from every file, private file modes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ocrhive.errors import ConfigurationError, StorageFull
from ocrhive.store.base import ClientRecord
from ocrhive.store.sqlite import SqliteStore
from tests.conftest import new_task
from tests.mounts import fill, remount, tmpfs

MIB = 1024 * 1024


def marked(size: int, mark: bytes) -> bytes:
    """``size`` bytes that do not compress away, with ``mark`` in the middle."""
    body = os.urandom(size)
    middle = size // 2
    return body[:middle] + mark + body[middle + len(mark) :]


def files_holding(folder: Path, needle: bytes) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and needle in p.read_bytes())


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Whether ``check`` holds within ``timeout`` (deletes are scrubbed in the background)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def client(name: str) -> ClientRecord:
    return ClientRecord(client_id=name, name=name, secret_hash="x", created_at=0.0)


def test_deleting_hands_the_space_back_to_the_file_system(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    store = SqliteStore(db)
    empty = db.stat().st_size
    for i in range(10):
        store.save(new_task(f"t{i}"), os.urandom(6 * MIB))
    grown = db.stat().st_size + Path(f"{db}-wal").stat().st_size
    assert grown > 50 * MIB
    for i in range(10):
        assert store.delete(f"t{i}")
    # the pages are vacuumed off the end of the file and the log truncated
    wal = Path(f"{db}-wal")
    assert eventually(lambda: db.stat().st_size < empty + MIB and wal.stat().st_size == 0)
    assert store.storage_state().store_bytes < MIB


def test_expiry_hands_the_space_back_too(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    store = SqliteStore(db)
    for i in range(4):
        store.save(new_task(f"t{i}", ttl=10.0), os.urandom(4 * MIB))
    assert db.stat().st_size + Path(f"{db}-wal").stat().st_size > 15 * MIB
    assert store.expire(now=11.0) == 4
    wal = Path(f"{db}-wal")
    assert eventually(lambda: db.stat().st_size < MIB and wal.stat().st_size == 0)


def test_a_deleted_input_is_in_no_file_of_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = SqliteStore(folder / "db.sqlite3")
    mark = b"ocrhive-secret-mark-" + os.urandom(16).hex().encode()
    store.save(new_task("keep"), marked(300_000, b"other-task-" + mark[::-1]))
    store.save(new_task("gone"), marked(300_000, mark))
    assert files_holding(folder, mark)  # the scan can see it while it is stored
    assert store.delete("gone")
    assert eventually(lambda: files_holding(folder, mark) == [])
    assert files_holding(folder, b"other-task-" + mark[::-1])  # the neighbour is untouched


def test_the_ceiling_refuses_new_work_until_tasks_are_deleted(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite3", max_store_mb=2)
    store.save(new_task("a"), os.urandom(MIB))
    with pytest.raises(StorageFull) as refused:
        store.save(new_task("b"), os.urandom(MIB + MIB // 2))
    assert refused.value.status_code == 507 and refused.value.retry_after >= 1
    assert "2 MiB" in refused.value.message
    assert store.load("b", now=0.0) is None  # nothing half-saved
    store.save(new_task("small"), os.urandom(MIB // 4))  # what still fits is taken
    assert store.delete("a")
    store.save(new_task("b"), os.urandom(MIB + MIB // 2))


def test_the_free_space_reserve_refuses_new_work(tmp_path: Path) -> None:
    free_mb = shutil.disk_usage(tmp_path).free / MIB
    store = SqliteStore(tmp_path / "db.sqlite3", min_free_disk_mb=free_mb + 1024)
    with pytest.raises(StorageFull):
        store.save(new_task("a"), b"img")
    state = store.storage_state()
    assert state.full and "reserve" in state.problems[0]
    assert SqliteStore(tmp_path / "db.sqlite3").storage_state().problems == ()


def test_a_full_disk_refuses_writes_keeps_reads_and_recovers(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", size_mb=16) as disk:
        store = SqliteStore(disk / "data" / "db.sqlite3")
        store.save(new_task("before"), os.urandom(MIB))
        store.add_client(client("alice"))
        filler = disk / "filler"
        fill(filler)
        with pytest.raises(StorageFull):
            store.save(new_task("during"), os.urandom(MIB))
        # add_client has no room check of its own: this is SQLite's own SQLITE_FULL, translated
        with pytest.raises(StorageFull):
            store.add_client(client("bob" + "x" * 200_000))
        state = store.storage_state()
        assert state.full and state.free_bytes < MIB
        assert any("full" in p for p in state.problems)
        view = store.load("before", now=1.0)
        assert view is not None and view.id == "before"
        assert store.get_client("alice") is not None
        filler.unlink()
        time.sleep(1.1)  # the free-space figure is cached for a second
        store.save(new_task("after"), os.urandom(MIB))
        store.add_client(client("bob"))
        assert store.storage_state().problems == ()
        store.close()


def test_files_are_private_to_the_owner(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    db = folder / "db.sqlite3"
    first = SqliteStore(db)
    first.save(new_task("a"), b"img")
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.chmod(0o644)  # as an older ocrhive left them
    folder.chmod(0o755)
    second = SqliteStore(db)
    second.save(new_task("b"), b"img")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_database_from_before_incremental_vacuum_is_converted(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    old = sqlite3.connect(db)
    old.execute("PRAGMA journal_mode=WAL")
    old.execute(
        "CREATE TABLE clients (client_id TEXT PRIMARY KEY, name TEXT NOT NULL,"
        " secret_hash TEXT NOT NULL, created_at REAL NOT NULL,"
        " disabled INTEGER NOT NULL DEFAULT 0)"
    )
    old.execute("INSERT INTO clients VALUES ('alice', 'alice', 'x', 0, 0)")
    old.commit()
    assert old.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    old.close()
    store = SqliteStore(db)
    check = sqlite3.connect(db)
    assert check.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
    check.close()
    assert store.get_client("alice") is not None


def test_a_read_only_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", size_mb=4) as disk:
        writable = SqliteStore(disk / "db.sqlite3")
        writable.add_client(client("alice"))
        writable.close()  # a remount waits for no open file
        remount(disk, read_only=True)
        with pytest.raises(ConfigurationError, match="cannot be used"):
            SqliteStore(disk / "db.sqlite3")
        with pytest.raises(ConfigurationError, match="Read-only file system"):
            SqliteStore(disk / "sub" / "db.sqlite3")
