"""Webhook endpoints, task callbacks and deliveries in the embedded SQLite database, beside the
tasks (same file, same privacy and secure delete)."""

from __future__ import annotations

from typing import Any

from ocrhive.domain.webhooks import Delivery, DeliveryState, Endpoint
from ocrhive.store.sqlite import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    client_id  TEXT PRIMARY KEY,
    url        TEXT,
    secret     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS task_callbacks (
    task_id    TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    url        TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id           TEXT PRIMARY KEY,
    task_id      TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    url          TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    next_at      REAL NOT NULL,
    created_at   REAL NOT NULL,
    last_status  INTEGER NOT NULL,
    last_error   TEXT NOT NULL,
    delivered_at REAL,
    expires_at   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(next_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_task ON deliveries(task_id);
"""

_COLUMNS = (
    "id, task_id, client_id, url, state, attempts, next_at, created_at, last_status,"
    " last_error, delivered_at"
)


class SqliteWebhookStore:
    """The webhook contract on the tasks' SQLite database."""

    def __init__(self, tasks: SqliteStore) -> None:
        self._db = tasks
        with self._db.transaction() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    def set_endpoint(self, endpoint: Endpoint) -> None:
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO webhook_endpoints (client_id, url, secret) VALUES (?, ?, ?)"
                " ON CONFLICT(client_id) DO UPDATE SET url = excluded.url,"
                " secret = excluded.secret",
                (endpoint.client_id, endpoint.url, endpoint.secret),
            )

    def endpoint(self, client_id: str) -> Endpoint | None:
        row = (
            self._db.connection()
            .execute(
                "SELECT client_id, url, secret FROM webhook_endpoints WHERE client_id = ?",
                (client_id,),
            )
            .fetchone()
        )
        return Endpoint(client_id=row[0], url=row[1], secret=row[2]) if row else None

    def remove_endpoint(self, client_id: str) -> bool:
        with self._db.transaction() as db:
            cur = db.execute("DELETE FROM webhook_endpoints WHERE client_id = ?", (client_id,))
            return cur.rowcount > 0

    def watch(self, task_id: str, client_id: str, url: str, *, expires_at: float) -> None:
        with self._db.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO task_callbacks (task_id, client_id, url, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (task_id, client_id, url, expires_at),
            )

    def watched(self, task_id: str) -> str | None:
        row = (
            self._db.connection()
            .execute("SELECT url FROM task_callbacks WHERE task_id = ?", (task_id,))
            .fetchone()
        )
        return str(row[0]) if row else None

    def enqueue(self, delivery: Delivery, *, expires_at: float) -> None:
        with self._db.transaction() as db:
            db.execute(
                f"INSERT INTO deliveries ({_COLUMNS}, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*_row(delivery), expires_at),
            )

    def due(self, *, now: float, limit: int) -> list[Delivery]:
        rows = self._db.connection().execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE state = 'pending' AND next_at <= ?"
            " ORDER BY next_at, created_at LIMIT ?",
            (now, limit),
        )
        return [_delivery(r) for r in rows]

    def record(self, delivery: Delivery, *, attempted: int) -> bool:
        with self._db.transaction() as db:
            cur = db.execute(
                "UPDATE deliveries SET state = ?, attempts = ?, next_at = ?, last_status = ?,"
                " last_error = ?, delivered_at = ? WHERE id = ? AND attempts = ?",
                (
                    delivery.state.value,
                    delivery.attempts,
                    delivery.next_at,
                    delivery.last_status,
                    delivery.last_error,
                    delivery.delivered_at,
                    delivery.id,
                    attempted,
                ),
            )
            return cur.rowcount > 0

    def deliveries(self, task_id: str) -> list[Delivery]:
        rows = self._db.connection().execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE task_id = ? ORDER BY created_at",
            (task_id,),
        )
        return [_delivery(r) for r in rows]

    def expire_webhooks(self, *, now: float) -> int:
        with self._db.transaction() as db:
            a = db.execute("DELETE FROM task_callbacks WHERE expires_at <= ?", (now,)).rowcount
            b = db.execute("DELETE FROM deliveries WHERE expires_at <= ?", (now,)).rowcount
        return int(a) + int(b)


def _row(d: Delivery) -> tuple[object, ...]:
    return (
        d.id,
        d.task_id,
        d.client_id,
        d.url,
        d.state.value,
        d.attempts,
        d.next_at,
        d.created_at,
        d.last_status,
        d.last_error,
        d.delivered_at,
    )


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=str(row[0]),
        task_id=str(row[1]),
        client_id=str(row[2]),
        url=str(row[3]),
        state=DeliveryState(row[4]),
        attempts=int(row[5]),
        next_at=float(row[6]),
        created_at=float(row[7]),
        last_status=int(row[8]),
        last_error=str(row[9]),
        delivered_at=None if row[10] is None else float(row[10]),
    )
