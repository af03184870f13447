"""The embedded task store: one SQLite file in the data folder, shared by API and workers."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import structlog

from ocrhive.domain.recognition import ArtifactKind, Family
from ocrhive.domain.serialization import settings_from_dict, settings_to_dict
from ocrhive.domain.task import (
    Artifact,
    NewTask,
    PageJob,
    PageState,
    RunningTask,
    TaskChange,
    TaskInput,
    TaskStatus,
    TaskView,
)
from ocrhive.errors import ConfigurationError, StorageFull, Unavailable
from ocrhive.store.base import ClientRecord, StorageState
from ocrhive.store.sqlite_room import RETRY_AFTER, DiskRoom, Scrubber

log = structlog.get_logger("ocrhive.store")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    family      TEXT NOT NULL,
    owner       TEXT,
    settings    TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    worker      TEXT,
    started_at  REAL,
    deadline    REAL,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    expires_at  REAL NOT NULL,
    messages    TEXT NOT NULL DEFAULT '[]',
    warnings    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS tasks_pending ON tasks(seq) WHERE status = 'Pending';
CREATE INDEX IF NOT EXISTS tasks_pending_owner ON tasks(owner) WHERE status = 'Pending';
CREATE INDEX IF NOT EXISTS tasks_processing ON tasks(worker) WHERE status = 'Processing';
CREATE INDEX IF NOT EXISTS tasks_expiry ON tasks(expires_at);
CREATE TABLE IF NOT EXISTS inputs (
    task_id TEXT PRIMARY KEY,
    data    BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    task_id TEXT NOT NULL,
    idx     INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (task_id, idx)
);
CREATE TABLE IF NOT EXISTS pages (
    task_id  TEXT NOT NULL,
    idx      INTEGER NOT NULL,
    state    TEXT NOT NULL,
    worker   TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    message  TEXT NOT NULL DEFAULT '',
    part     BLOB,
    PRIMARY KEY (task_id, idx)
);
CREATE INDEX IF NOT EXISTS pages_open ON pages(task_id, idx) WHERE state = 'open';
CREATE INDEX IF NOT EXISTS pages_held ON pages(worker) WHERE state = 'held';
CREATE TABLE IF NOT EXISTS clients (
    client_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  REAL NOT NULL,
    disabled    INTEGER NOT NULL DEFAULT 0
);
"""


#: an input larger than this is written into its row in pieces of this size
_BLOB_STEP = 1 << 20


class SqliteStore:
    """Tasks and clients in one SQLite database (WAL mode; safe across processes).

    Each thread gets its own connection; every verb is one transaction. Deleted inputs and
    results are overwritten (``secure_delete``); within about a second their pages are handed
    back to the file system and the write-ahead log emptied, so they are in no file. Writes
    refused for want of space raise ``StorageFull``; reads keep working.
    """

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout: float = 30.0,
        max_store_mb: float = 0.0,
        min_free_disk_mb: float = 0.0,
    ) -> None:
        """Open (or create) the database at ``path``, private to this user.

        Args:
            path: the database file; its folder is created (mode 0700) when missing.
            busy_timeout: how long a verb waits for another writer, seconds.
            max_store_mb: ceiling of the live data; ``save`` refuses past it (0 = none).
            min_free_disk_mb: free space kept on the disk; ``save`` refuses below it.

        Raises:
            ConfigurationError: the folder or the database cannot be written.
        """
        self.path = path
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._room = DiskRoom(path.parent, max_store_mb=max_store_mb, reserve_mb=min_free_disk_mb)
        self._scrubber = Scrubber(path, busy_timeout=busy_timeout)
        try:
            self._open_private()
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise ConfigurationError(
                f"The data folder {path.parent} cannot be used: {_why_unusable(path, exc)}."
            ) from None

    def _open_private(self) -> None:
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _narrow(folder, 0o700)
        if not self.path.exists():
            # SQLite creates its -wal and -shm with the database's own mode
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        for name in (self.path.name, f"{self.path.name}-wal", f"{self.path.name}-shm"):
            _narrow(folder / name, 0o600)
        db = self._connection()
        # executescript manages its own transaction
        db.executescript(_SCHEMA)
        # a data folder written before tasks had deadlines
        if "deadline" not in {row[1] for row in db.execute("PRAGMA table_info(tasks)")}:
            db.execute("ALTER TABLE tasks ADD COLUMN deadline REAL")
        # a read-only folder or file opens fine and fails at the first write: find out now
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        if db.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:
            self._convert_to_incremental(db)

    def _convert_to_incremental(self, db: sqlite3.Connection) -> None:
        """A database made before incremental vacuum was turned on is rebuilt once."""
        try:
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            db.execute("VACUUM")
        except sqlite3.Error as exc:
            # VACUUM needs room for a second copy; serving matters more, try at the next start
            log.warning("store_vacuum_postponed", path=str(self.path), error=str(exc))

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
            # only takes effect on a new, empty file: it must come before WAL writes a header
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA secure_delete=ON")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                # a failed COMMIT (disk full) leaves the transaction open on this connection
                if db.in_transaction:
                    try:
                        db.execute("ROLLBACK")
                    except sqlite3.Error:
                        self.close()
                raise
        except sqlite3.Error as exc:
            refusal = _refusal(exc)
            if refusal is None:
                raise
            self._room.write_refused()
            # the connection stays open: the last one to close deletes the -wal and -shm files,
            # and a full disk would not let the next connection create them again
            log.warning("store_write_refused", path=str(self.path), error=str(exc))
            raise refusal from exc
        self._room.write_succeeded()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, for adapters that keep their tables in this database."""
        return self._connection()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, with this store's error translation (disk full → 507)."""
        with self._tx() as db:
            yield db

    def close(self) -> None:
        """Close this thread's connection (the next verb opens a new one)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- room -------------------------------------------------------------------------------

    def storage_state(self) -> StorageState:
        """Free disk space, live data size, and why new work would be refused now."""
        try:
            used = _used_bytes(self._connection())
        except sqlite3.Error as exc:
            state = self._room.state(used=0)
            return replace(
                state, problems=(f"the task store cannot be read: {exc}", *state.problems)
            )
        return self._room.state(used=used)

    def reclaim(self) -> bool:
        """Hand every freed page back to the file system and empty the write-ahead log, now
        (deletes have it done in the background); False when it could not finish."""
        return self._scrubber.reclaim()

    # -- tasks ------------------------------------------------------------------------------

    def save(self, task: NewTask, image: bytes | bytearray | memoryview) -> None:
        """Store a new task as Pending with its input.

        Raises:
            StorageFull: the disk would fall under its reserve or the store pass its ceiling.
        """
        self._room.make_room(len(image))
        with self._tx() as db:
            if self._room.has_ceiling:
                self._room.check_ceiling(_used_bytes(db), len(image))
            db.execute(
                "INSERT INTO tasks (id, family, owner, settings, status, created_at, updated_at,"
                " expires_at) VALUES (?, ?, ?, ?, 'Pending', ?, ?, ?)",
                (
                    task.id,
                    task.family.value,
                    task.owner,
                    json.dumps(settings_to_dict(task.settings)),
                    task.created_at,
                    task.created_at,
                    task.expires_at,
                ),
            )
            if len(image) <= _BLOB_STEP:
                db.execute("INSERT INTO inputs (task_id, data) VALUES (?, ?)", (task.id, image))
                return
            # a large input goes in by pieces: binding it whole would copy it once more
            row = db.execute(
                "INSERT INTO inputs (task_id, data) VALUES (?, zeroblob(?))", (task.id, len(image))
            ).lastrowid
            assert row is not None
            view = memoryview(image)
            with db.blobopen("inputs", "data", row) as blob:
                for start in range(0, len(image), _BLOB_STEP):
                    blob.write(view[start : start + _BLOB_STEP])

    def load(self, task_id: str, *, now: float, with_results: bool = False) -> TaskView | None:
        db = self._connection()
        row = db.execute(
            "SELECT id, family, owner, status, created_at, updated_at, expires_at, attempts,"
            " messages, warnings FROM tasks WHERE id = ? AND expires_at > ?",
            (task_id, now),
        ).fetchone()
        if row is None:
            return None
        results: tuple[Artifact, ...] | None = None
        if with_results and row[3] == TaskStatus.COMPLETED.value:
            results = tuple(
                Artifact(kind=ArtifactKind(kind), data=bytes(data))
                for kind, data in db.execute(
                    "SELECT kind, data FROM results WHERE task_id = ? ORDER BY idx", (task_id,)
                )
            )
        return TaskView(
            id=row[0],
            family=Family(row[1]),
            owner=row[2],
            status=TaskStatus(row[3]),
            created_at=row[4],
            updated_at=row[5],
            expires_at=row[6],
            attempts=row[7],
            messages=tuple(json.loads(row[8])),
            warnings=tuple(json.loads(row[9])),
            results=results,
        )

    def load_input(self, task_id: str) -> TaskInput | None:
        row = (
            self._connection()
            .execute(
                "SELECT t.settings, i.data FROM tasks t JOIN inputs i ON i.task_id = t.id"
                " WHERE t.id = ?",
                (task_id,),
            )
            .fetchone()
        )
        if row is None:
            return None
        return TaskInput(settings=settings_from_dict(json.loads(row[0])), data=bytes(row[1]))

    def apply(
        self, task_id: str, change: TaskChange, *, expect: TaskStatus, holder: str | None = None
    ) -> bool:
        sets = ["status = ?", "updated_at = ?", "worker = ?", "started_at = ?", "deadline = ?"]
        values: list[object] = [
            change.status.value,
            change.at,
            change.worker,
            change.started_at,
            change.deadline,
        ]
        if change.count_attempt:
            sets.append("attempts = attempts + 1")
        if change.messages is not None:
            sets.append("messages = ?")
            values.append(json.dumps(list(change.messages)))
        if change.warnings is not None:
            sets.append("warnings = ?")
            values.append(json.dumps(list(change.warnings)))
        where = "id = ? AND status = ?"
        values += [task_id, expect.value]
        if holder is not None:
            where += " AND worker = ?"
            values.append(holder)
        with self._tx() as db:
            cur = db.execute(f"UPDATE tasks SET {', '.join(sets)} WHERE {where}", values)
            if cur.rowcount == 0:
                return False
            if change.results:
                db.executemany(
                    "INSERT INTO results (task_id, idx, kind, data) VALUES (?, ?, ?, ?)",
                    [(task_id, i, a.kind.value, a.data) for i, a in enumerate(change.results)],
                )
            if change.drops_input:
                db.execute("DELETE FROM inputs WHERE task_id = ?", (task_id,))
                db.execute("DELETE FROM pages WHERE task_id = ?", (task_id,))
        if change.drops_input:
            self._scrubber.soon()
        return True

    def pending(self, *, limit: int) -> list[str]:
        rows = self._connection().execute(
            "SELECT id FROM tasks WHERE status = 'Pending' ORDER BY seq LIMIT ?", (limit,)
        )
        return [r[0] for r in rows]

    def delete(self, task_id: str) -> bool:
        with self._tx() as db:
            cur = db.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
            db.execute("DELETE FROM inputs WHERE task_id = ?", (task_id,))
            db.execute("DELETE FROM results WHERE task_id = ?", (task_id,))
            db.execute("DELETE FROM pages WHERE task_id = ?", (task_id,))
            existed = cur.rowcount > 0
        if existed:
            self._scrubber.soon()
        return existed

    def count_pending(self, owner: str | None = None) -> int:
        db = self._connection()
        if owner is None:
            row = db.execute("SELECT COUNT(*) FROM tasks WHERE status = 'Pending'").fetchone()
        else:
            row = db.execute(
                "SELECT COUNT(*) FROM tasks WHERE status = 'Pending' AND owner = ?", (owner,)
            ).fetchone()
        return int(row[0])

    def running(self) -> list[RunningTask]:
        rows = self._connection().execute(
            "SELECT id, worker, started_at, deadline, attempts FROM tasks"
            " WHERE status = 'Processing'"
        )
        return [
            RunningTask(
                id=r[0],
                worker=r[1] or "",
                started_at=r[2] or 0.0,
                deadline=r[3] if r[3] is not None else float("inf"),
                attempts=r[4],
            )
            for r in rows
        ]

    def expire(self, *, now: float) -> int:
        with self._tx() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM tasks WHERE expires_at <= ?", (now,))]
            for task_id in ids:
                db.execute("DELETE FROM inputs WHERE task_id = ?", (task_id,))
                db.execute("DELETE FROM results WHERE task_id = ?", (task_id,))
                db.execute("DELETE FROM pages WHERE task_id = ?", (task_id,))
            db.execute("DELETE FROM tasks WHERE expires_at <= ?", (now,))
        if ids:
            self._scrubber.soon()
        return len(ids)

    # -- page jobs --------------------------------------------------------------------------

    def plan_pages(self, task_id: str, count: int) -> None:
        with self._tx() as db:
            if db.execute("SELECT 1 FROM tasks WHERE id = ?", (task_id,)).fetchone() is None:
                return
            db.executemany(
                "INSERT OR IGNORE INTO pages (task_id, idx, state) VALUES (?, ?, 'open')",
                [(task_id, index) for index in range(count)],
            )

    def claim_page(self, task_id: str, worker: str) -> PageJob | None:
        with self._tx() as db:
            row = db.execute(
                "UPDATE pages SET state = 'held', worker = ?, attempts = attempts + 1"
                " WHERE task_id = ? AND idx = (SELECT MIN(idx) FROM pages"
                " WHERE task_id = ? AND state = 'open') AND NOT EXISTS (SELECT 1 FROM pages"
                " WHERE task_id = ? AND state = 'failed') RETURNING idx, attempts",
                (worker, task_id, task_id, task_id),
            ).fetchone()
        if row is None:
            return None
        return PageJob(
            task_id=task_id, index=row[0], state=PageState.HELD, worker=worker, attempts=row[1]
        )

    def finish_page(
        self, task_id: str, index: int, worker: str, *, part: bytes, failed: str | None = None
    ) -> bool:
        state = PageState.DONE if failed is None else PageState.FAILED
        with self._tx() as db:
            cur = db.execute(
                "UPDATE pages SET state = ?, worker = NULL, part = ?, message = ?"
                " WHERE task_id = ? AND idx = ? AND state = 'held' AND worker = ?",
                (
                    state.value,
                    part if failed is None else None,
                    failed or "",
                    task_id,
                    index,
                    worker,
                ),
            )
            return cur.rowcount > 0

    def reopen_page(
        self, task_id: str, index: int, worker: str, *, failed: str | None = None
    ) -> bool:
        state = PageState.OPEN if failed is None else PageState.FAILED
        with self._tx() as db:
            cur = db.execute(
                "UPDATE pages SET state = ?, worker = NULL, message = ?"
                " WHERE task_id = ? AND idx = ? AND state = 'held' AND worker = ?",
                (state.value, failed or "", task_id, index, worker),
            )
            return cur.rowcount > 0

    def pages(self, task_id: str) -> list[PageJob]:
        rows = self._connection().execute(
            "SELECT idx, state, worker, attempts, message FROM pages WHERE task_id = ?"
            " ORDER BY idx",
            (task_id,),
        )
        return [_page_job(task_id, *r) for r in rows]

    def load_page(self, task_id: str, index: int) -> bytes | None:
        row = (
            self._connection()
            .execute(
                "SELECT part FROM pages WHERE task_id = ? AND idx = ? AND state = 'done'",
                (task_id, index),
            )
            .fetchone()
        )
        return bytes(row[0]) if row is not None and row[0] is not None else None

    def held_pages(self) -> list[PageJob]:
        rows = self._connection().execute(
            "SELECT task_id, idx, state, worker, attempts, message FROM pages WHERE state = 'held'"
        )
        return [_page_job(*r) for r in rows]

    def open_page_tasks(self, *, limit: int) -> list[str]:
        rows = self._connection().execute(
            # from the partial index of open pages: idle workers ask this every poll
            "SELECT p.task_id FROM pages p JOIN tasks t ON t.id = p.task_id"
            " WHERE p.state = 'open' GROUP BY p.task_id ORDER BY MIN(t.seq) LIMIT ?",
            (limit,),
        )
        return [r[0] for r in rows]

    # -- clients ----------------------------------------------------------------------------

    def add_client(self, record: ClientRecord) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO clients (client_id, name, secret_hash, created_at, disabled)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    record.client_id,
                    record.name,
                    record.secret_hash,
                    record.created_at,
                    int(record.disabled),
                ),
            )

    def get_client(self, client_id: str) -> ClientRecord | None:
        row = (
            self._connection()
            .execute(
                "SELECT client_id, name, secret_hash, created_at, disabled FROM clients"
                " WHERE client_id = ?",
                (client_id,),
            )
            .fetchone()
        )
        return _client(row) if row else None

    def list_clients(self) -> list[ClientRecord]:
        rows = self._connection().execute(
            "SELECT client_id, name, secret_hash, created_at, disabled FROM clients"
            " ORDER BY created_at"
        )
        return [_client(r) for r in rows]

    def set_client_disabled(self, client_id: str, disabled: bool) -> bool:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE clients SET disabled = ? WHERE client_id = ?", (int(disabled), client_id)
            )
            return cur.rowcount > 0


def _client(row: tuple[str, str, str, float, int]) -> ClientRecord:
    return ClientRecord(
        client_id=row[0], name=row[1], secret_hash=row[2], created_at=row[3], disabled=bool(row[4])
    )


def _page_job(
    task_id: str, index: int, state: str, worker: str | None, attempts: int, message: str
) -> PageJob:
    return PageJob(
        task_id=task_id,
        index=index,
        state=PageState(state),
        worker=worker,
        attempts=attempts,
        message=message,
    )


def _narrow(path: Path, mode: int) -> None:
    """Take away permission bits beyond ``mode`` from an existing file or folder."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    # only when needed: chmod fails on a read-only mount even when nothing would change
    if current & ~mode:
        path.chmod(current & mode)


def _why_unusable(path: Path, exc: OSError | sqlite3.Error) -> str:
    """A reason an operator can act on; SQLite says "unable to open database file" for most."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    try:
        if os.statvfs(path.parent).f_flag & os.ST_RDONLY:
            return "Read-only file system"
    except OSError:
        pass
    if not os.access(path.parent, os.W_OK):
        return "Permission denied"
    return str(exc)


def _used_bytes(db: sqlite3.Connection) -> int:
    """Bytes of live data: the file's pages less the free ones SQLite will reuse."""
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    free = db.execute("PRAGMA freelist_count").fetchone()[0]
    return int((pages - free) * page_size)


#: SQLite's primary result codes for a write that found no room or could not reach the disk
_NO_ROOM = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)


def _refusal(exc: sqlite3.Error) -> Unavailable | None:
    """The request error a failed write becomes, or None for errors that are bugs."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in _NO_ROOM:
        return StorageFull(
            "The server's disk is full; new tasks cannot be stored. Try again later.",
            retry_after=RETRY_AFTER,
        )
    if code == sqlite3.SQLITE_READONLY:
        return Unavailable(
            "The task store has become read-only; new tasks cannot be stored.",
            retry_after=RETRY_AFTER,
        )
    return None
