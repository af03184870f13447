"""Webhook endpoints, task callbacks and deliveries in the cluster's Redis, so any API node can
register them and any worker node's sweeper can deliver them.

Keys (``P`` is the prefix)::

    P:hook:endpoint:<client>   hash    url, secret
    P:hook:callback:<task>     string  the task's own callback URL (expires with the task)
    P:hook:delivery:<id>       hash    one delivery (expires with its task)
    P:hook:due                 zset    pending delivery ids by next attempt time
    P:hook:task:<task>         zset    a task's delivery ids by creation time
"""

from __future__ import annotations

from typing import Any

import redis

from ocrhive.domain.webhooks import Delivery, DeliveryState, Endpoint
from ocrhive.store.redis import redis_errors_translated, text

# KEYS: delivery, due; ARGV: attempted, id, state, attempts, next_at, last_status, last_error,
# delivered_at ('' = none)
_RECORD = """
local attempts = redis.call('HGET', KEYS[1], 'attempts')
if (not attempts) or attempts ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'attempts', ARGV[4], 'next_at', ARGV[5],
           'last_status', ARGV[6], 'last_error', ARGV[7], 'delivered_at', ARGV[8])
if ARGV[3] == 'pending' then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[2])
else
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 1
"""


class RedisWebhookStore:
    """The webhook contract in Redis."""

    def __init__(self, url: str, *, prefix: str = "ocrhive", timeout: float = 5.0) -> None:
        self._p = f"{prefix}:hook"
        self._db: redis.Redis = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=min(timeout, 2.0)
        )
        self._record = self._db.register_script(_RECORD)

    def _key(self, kind: str, name: str = "") -> str:
        return f"{self._p}:{kind}:{name}" if name else f"{self._p}:{kind}"

    def set_endpoint(self, endpoint: Endpoint) -> None:
        with redis_errors_translated():
            self._db.hset(
                self._key("endpoint", endpoint.client_id),
                mapping={"url": endpoint.url or "", "secret": endpoint.secret},
            )

    def endpoint(self, client_id: str) -> Endpoint | None:
        with redis_errors_translated():
            raw = self._db.hgetall(self._key("endpoint", client_id))
        if not raw:
            return None
        row = {text(k): text(v) for k, v in raw.items()}
        return Endpoint(client_id=client_id, url=row["url"] or None, secret=row["secret"])

    def remove_endpoint(self, client_id: str) -> bool:
        with redis_errors_translated():
            return bool(self._db.delete(self._key("endpoint", client_id)))

    def watch(self, task_id: str, client_id: str, url: str, *, expires_at: float) -> None:
        with redis_errors_translated():
            self._db.set(self._key("callback", task_id), url, pxat=int(expires_at * 1000))

    def watched(self, task_id: str) -> str | None:
        with redis_errors_translated():
            value = self._db.get(self._key("callback", task_id))
        return text(value) if value is not None else None

    def enqueue(self, delivery: Delivery, *, expires_at: float) -> None:
        expire_ms = int(expires_at * 1000)
        with redis_errors_translated():
            pipe = self._db.pipeline(transaction=True)
            key = self._key("delivery", delivery.id)
            pipe.hset(key, mapping=_fields(delivery))
            pipe.pexpireat(key, expire_ms)
            pipe.zadd(self._key("due"), {delivery.id: delivery.next_at})
            pipe.zadd(self._key("task", delivery.task_id), {delivery.id: delivery.created_at})
            pipe.pexpireat(self._key("task", delivery.task_id), expire_ms)
            pipe.execute()

    def due(self, *, now: float, limit: int) -> list[Delivery]:
        with redis_errors_translated():
            ids = [text(i) for i in self._db.zrangebyscore(self._key("due"), 0, now, 0, limit)]
            found = self._load(ids)
            gone = [i for i in ids if i not in {d.id for d in found}]
            if gone:  # expired with their task
                self._db.zrem(self._key("due"), *gone)
        return [d for d in found if d.state is DeliveryState.PENDING]

    def _load(self, ids: list[str]) -> list[Delivery]:
        pipe = self._db.pipeline(transaction=False)
        for delivery_id in ids:
            pipe.hgetall(self._key("delivery", delivery_id))
        return [_delivery(raw) for raw in pipe.execute() if raw]

    def record(self, delivery: Delivery, *, attempted: int) -> bool:
        args = [
            str(attempted),
            delivery.id,
            delivery.state.value,
            str(delivery.attempts),
            repr(delivery.next_at),
            str(delivery.last_status),
            delivery.last_error,
            "" if delivery.delivered_at is None else repr(delivery.delivered_at),
        ]
        keys = [self._key("delivery", delivery.id), self._key("due")]
        with redis_errors_translated():
            return bool(self._record(keys=keys, args=args))

    def deliveries(self, task_id: str) -> list[Delivery]:
        with redis_errors_translated():
            ids = [text(i) for i in self._db.zrange(self._key("task", task_id), 0, -1)]
            return self._load(ids)

    def expire_webhooks(self, *, now: float) -> int:
        """Redis expires the keys itself; stale ids leave the due set in :meth:`due`."""
        return 0


def _fields(d: Delivery) -> dict[Any, Any]:
    return {
        "id": d.id,
        "task_id": d.task_id,
        "client_id": d.client_id,
        "url": d.url,
        "state": d.state.value,
        "attempts": d.attempts,
        "next_at": repr(d.next_at),
        "created_at": repr(d.created_at),
        "last_status": d.last_status,
        "last_error": d.last_error,
        "delivered_at": "" if d.delivered_at is None else repr(d.delivered_at),
    }


def _delivery(raw: Any) -> Delivery:
    row = {text(k): text(v) for k, v in raw.items()}
    return Delivery(
        id=row["id"],
        task_id=row["task_id"],
        client_id=row["client_id"],
        url=row["url"],
        state=DeliveryState(row["state"]),
        attempts=int(row["attempts"]),
        next_at=float(row["next_at"]),
        created_at=float(row["created_at"]),
        last_status=int(row["last_status"]),
        last_error=row["last_error"],
        delivered_at=float(row["delivered_at"]) if row["delivered_at"] else None,
    )
