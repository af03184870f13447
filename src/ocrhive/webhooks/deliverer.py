"""The webhook deliverer: POSTs each due delivery — the final task's status envelope, as
GetTaskStatus shows it — signed with the client's secret, and records every attempt. Failed
attempts are retried with growing delays (``domain.webhooks.RETRY_DELAYS``)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import httpx
import structlog

from ocrhive.api.schemas import envelope
from ocrhive.domain.webhooks import Delivery, DeliveryState, signature
from ocrhive.store.base import TaskStore, WebhookStore
from ocrhive.webhooks.targets import TargetPolicy

log = structlog.get_logger("ocrhive.webhooks")

#: header names a receiver reads
SIGNATURE = "X-Ocrhive-Signature"
TIMESTAMP = "X-Ocrhive-Timestamp"
DELIVERY = "X-Ocrhive-Delivery"
EVENT = "X-Ocrhive-Event"


class Deliverer:
    """Delivers what is due; ``run_forever`` does so every ``interval`` seconds."""

    def __init__(
        self,
        webhooks: WebhookStore,
        tasks: TaskStore,
        targets: TargetPolicy,
        *,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._webhooks = webhooks
        self._tasks = tasks
        self._targets = targets
        self._clock = clock
        # redirects are not followed: a redirect could lead past the allow-list
        self._http = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)

    def deliver_due(self, limit: int = 20) -> int:
        """Attempt every due delivery (at most ``limit``); how many were attempted."""
        due = self._webhooks.due(now=self._clock(), limit=limit)
        for delivery in due:
            self._attempt(delivery)
        return len(due)

    def _attempt(self, delivery: Delivery) -> None:
        now = self._clock()
        status, error = 0, ""
        endpoint = self._webhooks.endpoint(delivery.client_id)
        refusal = self._targets.refusal(delivery.url)
        if endpoint is None:
            error = "the client removed its webhook secret; nothing can be signed"
        elif refusal is not None:
            error = refusal
        else:
            view = self._tasks.load(delivery.task_id, now=now)
            body = json.dumps(
                envelope(delivery.task_id, view, include_results=False), separators=(",", ":")
            ).encode()
            stamp = int(now)
            headers = {
                "Content-Type": "application/json",
                SIGNATURE: signature(endpoint.secret, stamp, body),
                TIMESTAMP: str(stamp),
                DELIVERY: delivery.id,
                EVENT: "task.final",
                "User-Agent": "ocrhive-webhooks",
            }
            try:
                response = self._http.post(delivery.url, content=body, headers=headers)
                status = response.status_code
                if not 200 <= status < 300:
                    error = f"the receiver answered {status}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
        after = delivery.after_attempt(at=now, status=status, error=error)
        if endpoint is None or refusal is not None:
            # retrying cannot help: the secret or the permission is gone
            after = replace(after, state=DeliveryState.FAILED, next_at=0.0)
        self._webhooks.record(after, attempted=delivery.attempts)
        log.info(
            "webhook_attempted",
            task_id=delivery.task_id,
            delivery=delivery.id,
            status=status,
            state=after.state.value,
            error=error or None,
        )

    def run_forever(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Deliver until ``stop`` is set; a failing store only delays deliveries."""
        while not stop.wait(interval):
            try:
                while self.deliver_due() and not stop.is_set():
                    pass
            except Exception:
                log.exception("webhook_deliverer_error")

    def close(self) -> None:
        self._http.close()
