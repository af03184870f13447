"""The embedded task store: one SQLite file in the data folder, shared by API and workers."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ocrhive.domain.recognition import ArtifactKind, Family
from ocrhive.domain.serialization import settings_from_dict, settings_to_dict
from ocrhive.domain.task import Artifact, ClaimedTask, NewTask, Outcome, TaskStatus, TaskView
from ocrhive.store.base import ClientRecord, RunningTask

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
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    expires_at  REAL NOT NULL,
    messages    TEXT NOT NULL DEFAULT '[]',
    warnings    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS tasks_pending ON tasks(seq) WHERE status = 'Pending';
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
CREATE TABLE IF NOT EXISTS clients (
    client_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  REAL NOT NULL,
    disabled    INTEGER NOT NULL DEFAULT 0
);
"""


class SqliteStore:
    """Tasks and clients in one SQLite database (WAL mode; safe across processes).

    Each thread gets its own connection; every verb is one transaction.
    """

    def __init__(self, path: Path, *, busy_timeout: float = 30.0) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        # executescript manages its own transaction
        self._connection().executescript(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- tasks ------------------------------------------------------------------------------

    def save(self, task: NewTask, image: bytes) -> None:
        with self._tx() as db:
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
            db.execute("INSERT INTO inputs (task_id, data) VALUES (?, ?)", (task.id, image))

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

    def claim(self, worker: str, *, now: float) -> ClaimedTask | None:
        with self._tx() as db:
            row = db.execute(
                "UPDATE tasks SET status = 'Processing', worker = ?, started_at = ?,"
                " updated_at = ?, attempts = attempts + 1"
                " WHERE seq = (SELECT seq FROM tasks WHERE status = 'Pending' ORDER BY seq LIMIT 1)"
                " RETURNING id, family, settings, attempts",
                (worker, now, now),
            ).fetchone()
            if row is None:
                return None
            data = db.execute("SELECT data FROM inputs WHERE task_id = ?", (row[0],)).fetchone()
        return ClaimedTask(
            id=row[0],
            family=Family(row[1]),
            settings=settings_from_dict(json.loads(row[2])),
            image=bytes(data[0]) if data else b"",
            attempts=row[3],
        )

    def complete(self, task_id: str, worker: str, outcome: Outcome, *, now: float) -> bool:
        status = TaskStatus.ERROR if outcome.failed else TaskStatus.COMPLETED
        with self._tx() as db:
            cur = db.execute(
                "UPDATE tasks SET status = ?, updated_at = ?, messages = ?, warnings = ?,"
                " worker = NULL WHERE id = ? AND worker = ? AND status = 'Processing'",
                (
                    status.value,
                    now,
                    json.dumps(list(outcome.messages)),
                    json.dumps(list(outcome.warnings)),
                    task_id,
                    worker,
                ),
            )
            if cur.rowcount == 0:
                return False
            if not outcome.failed:
                db.executemany(
                    "INSERT INTO results (task_id, idx, kind, data) VALUES (?, ?, ?, ?)",
                    [(task_id, i, a.kind.value, a.data) for i, a in enumerate(outcome.results)],
                )
            # the input is no longer needed once the task is final
            db.execute("DELETE FROM inputs WHERE task_id = ?", (task_id,))
        return True

    def release(
        self, task_id: str, reason: str, *, max_attempts: int, now: float
    ) -> TaskStatus | None:
        with self._tx() as db:
            row = db.execute(
                "SELECT attempts FROM tasks WHERE id = ? AND status = 'Processing'", (task_id,)
            ).fetchone()
            if row is None:
                return None
            if row[0] >= max_attempts:
                message = f"{reason} This happened on all {row[0]} attempts; giving up."
                db.execute(
                    "UPDATE tasks SET status = 'Error', worker = NULL, updated_at = ?,"
                    " messages = ? WHERE id = ?",
                    (now, json.dumps([message]), task_id),
                )
                db.execute("DELETE FROM inputs WHERE task_id = ?", (task_id,))
                return TaskStatus.ERROR
            db.execute(
                "UPDATE tasks SET status = 'Pending', worker = NULL, started_at = NULL,"
                " updated_at = ? WHERE id = ?",
                (now, task_id),
            )
            return TaskStatus.PENDING

    def fail(self, task_id: str, message: str, *, now: float) -> bool:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE tasks SET status = 'Error', worker = NULL, updated_at = ?, messages = ?"
                " WHERE id = ? AND status IN ('Pending', 'Processing')",
                (now, json.dumps([message]), task_id),
            )
            db.execute("DELETE FROM inputs WHERE task_id = ?", (task_id,))
            return cur.rowcount > 0

    def delete(self, task_id: str) -> bool:
        with self._tx() as db:
            cur = db.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
            db.execute("DELETE FROM inputs WHERE task_id = ?", (task_id,))
            db.execute("DELETE FROM results WHERE task_id = ?", (task_id,))
            return cur.rowcount > 0

    def running(self) -> list[RunningTask]:
        rows = self._connection().execute(
            "SELECT id, worker, started_at, attempts FROM tasks WHERE status = 'Processing'"
        )
        return [
            RunningTask(id=r[0], worker=r[1] or "", started_at=r[2] or 0.0, attempts=r[3])
            for r in rows
        ]

    def expire(self, *, now: float) -> int:
        with self._tx() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM tasks WHERE expires_at <= ?", (now,))]
            for task_id in ids:
                db.execute("DELETE FROM inputs WHERE task_id = ?", (task_id,))
                db.execute("DELETE FROM results WHERE task_id = ?", (task_id,))
            db.execute("DELETE FROM tasks WHERE expires_at <= ?", (now,))
        return len(ids)

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
