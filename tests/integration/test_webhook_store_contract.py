"""One webhook contract, every store: in memory, SQLite on disk and a real redis-server."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrhive.domain.webhooks import Delivery, DeliveryState, Endpoint
from ocrhive.store.base import WebhookStore
from ocrhive.store.sqlite import SqliteStore
from ocrhive.store.webhooks_memory import MemoryWebhookStore
from ocrhive.store.webhooks_redis import RedisWebhookStore
from ocrhive.store.webhooks_sqlite import SqliteWebhookStore
from tests.conftest import RedisServer

T0 = time.time()
#: retention long enough that no Redis key expires however late in a long run a test comes
LONG = 10**6


@pytest.fixture(params=["memory", "sqlite", "redis"])
def hooks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WebhookStore]:
    if request.param == "memory":
        yield MemoryWebhookStore()
    elif request.param == "sqlite":
        yield SqliteWebhookStore(SqliteStore(tmp_path / "db.sqlite3"))
    else:
        server: RedisServer = request.getfixturevalue("redis_server")
        yield RedisWebhookStore(server.url, prefix=f"t{uuid.uuid4().hex[:12]}")


def delivery(task_id: str = "t1", *, at: float = T0, name: str = "") -> Delivery:
    return Delivery(
        id=name or uuid.uuid4().hex,
        task_id=task_id,
        client_id="alice",
        url="https://hooks.example.com/x",
        next_at=at,
        created_at=at,
    )


def test_endpoints_are_set_replaced_and_removed(hooks: WebhookStore) -> None:
    assert hooks.endpoint("alice") is None
    hooks.set_endpoint(Endpoint(client_id="alice", url="https://a.example/h", secret="s1"))
    hooks.set_endpoint(Endpoint(client_id="alice", url=None, secret="s2"))
    assert hooks.endpoint("alice") == Endpoint(client_id="alice", url=None, secret="s2")
    assert hooks.remove_endpoint("alice") and hooks.endpoint("alice") is None


def test_a_task_callback_is_remembered_until_its_task_expires(hooks: WebhookStore) -> None:
    hooks.watch("t1", "alice", "https://a.example/cb", expires_at=T0 + LONG)
    assert hooks.watched("t1") == "https://a.example/cb"
    assert hooks.watched("t2") is None
    hooks.watch("old", "alice", "https://a.example/cb", expires_at=T0 - 1)
    hooks.expire_webhooks(now=T0)
    assert hooks.watched("old") is None and hooks.watched("t1") is not None


def test_due_deliveries_and_their_record(hooks: WebhookStore) -> None:
    first = delivery(at=T0 - 5, name="d1")
    later = delivery(at=T0 + 100, name="d2")
    hooks.enqueue(first, expires_at=T0 + LONG)
    hooks.enqueue(later, expires_at=T0 + LONG)
    assert [d.id for d in hooks.due(now=T0, limit=10)] == ["d1"]
    retry = first.after_attempt(at=T0, status=500, error="the receiver answered 500")
    assert hooks.record(retry, attempted=0)
    assert not hooks.record(retry, attempted=0)  # that attempt is counted once
    assert hooks.due(now=T0, limit=10) == []
    assert [d.id for d in hooks.due(now=T0 + 11, limit=10)] == ["d1"]
    done = retry.after_attempt(at=T0 + 11, status=204, error="")
    assert hooks.record(done, attempted=1)
    [stored, pending] = sorted(hooks.deliveries("t1"), key=lambda d: d.id)
    assert stored.state is DeliveryState.DELIVERED and stored.attempts == 2
    assert stored.last_status == 204 and stored.delivered_at == T0 + 11
    assert pending.state is DeliveryState.PENDING and hooks.due(now=T0 + 1000, limit=1) == [pending]
    assert hooks.deliveries("other") == []
