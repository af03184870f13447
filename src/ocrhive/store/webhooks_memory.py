"""Webhook endpoints, task callbacks and deliveries in this process's memory (unit tests)."""

from __future__ import annotations

import threading

from ocrhive.domain.webhooks import Delivery, DeliveryState, Endpoint


class MemoryWebhookStore:
    """The webhook contract held in dicts; every verb holds one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoints: dict[str, Endpoint] = {}
        self._callbacks: dict[str, tuple[str, float]] = {}
        self._deliveries: dict[str, tuple[Delivery, float]] = {}

    def set_endpoint(self, endpoint: Endpoint) -> None:
        with self._lock:
            self._endpoints[endpoint.client_id] = endpoint

    def endpoint(self, client_id: str) -> Endpoint | None:
        with self._lock:
            return self._endpoints.get(client_id)

    def remove_endpoint(self, client_id: str) -> bool:
        with self._lock:
            return self._endpoints.pop(client_id, None) is not None

    def watch(self, task_id: str, client_id: str, url: str, *, expires_at: float) -> None:
        with self._lock:
            self._callbacks[task_id] = (url, expires_at)

    def watched(self, task_id: str) -> str | None:
        with self._lock:
            hit = self._callbacks.get(task_id)
        return hit[0] if hit else None

    def enqueue(self, delivery: Delivery, *, expires_at: float) -> None:
        with self._lock:
            self._deliveries[delivery.id] = (delivery, expires_at)

    def due(self, *, now: float, limit: int) -> list[Delivery]:
        with self._lock:
            ready = [
                d
                for d, _ in self._deliveries.values()
                if d.state is DeliveryState.PENDING and d.next_at <= now
            ]
        return sorted(ready, key=lambda d: (d.next_at, d.created_at))[:limit]

    def record(self, delivery: Delivery, *, attempted: int) -> bool:
        with self._lock:
            current = self._deliveries.get(delivery.id)
            if current is None or current[0].attempts != attempted:
                return False
            self._deliveries[delivery.id] = (delivery, current[1])
            return True

    def deliveries(self, task_id: str) -> list[Delivery]:
        with self._lock:
            mine = [d for d, _ in self._deliveries.values() if d.task_id == task_id]
        return sorted(mine, key=lambda d: d.created_at)

    def expire_webhooks(self, *, now: float) -> int:
        with self._lock:
            gone = [k for k, (_, exp) in self._callbacks.items() if exp <= now]
            for key in gone:
                del self._callbacks[key]
            old = [k for k, (_, exp) in self._deliveries.items() if exp <= now]
            for key in old:
                del self._deliveries[key]
        return len(gone) + len(old)
