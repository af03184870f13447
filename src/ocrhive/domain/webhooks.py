"""Webhooks (ocrhive's extension): a client's endpoint and secret, one delivery of a final task's
status to a URL, its retry schedule, and the signature a receiver checks."""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass

#: seconds to wait before each retry of a failed delivery; its length is the number of retries
RETRY_DELAYS: tuple[float, ...] = (10.0, 30.0, 90.0, 270.0, 810.0)


class DeliveryState(enum.Enum):
    """Where a delivery is."""

    PENDING = "pending"  #: waiting for its (next) attempt
    DELIVERED = "delivered"  #: the receiver answered 2xx
    FAILED = "failed"  #: every attempt failed, or the target is not allowed


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """A client's webhook: where its tasks' statuses go (None: only per-task callbacks) and
    the secret that signs every delivery to it."""

    client_id: str
    url: str | None
    secret: str


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One task's final status, on its way to one URL."""

    id: str
    task_id: str
    client_id: str
    url: str
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    #: when the next attempt is due (epoch seconds)
    next_at: float = 0.0
    created_at: float = 0.0
    #: the last attempt's HTTP status (0: no answer) and what went wrong, if anything
    last_status: int = 0
    last_error: str = ""
    delivered_at: float | None = None

    def after_attempt(self, *, at: float, status: int, error: str) -> Delivery:
        """This delivery once an attempt at ``at`` got ``status`` (0 = no answer)."""
        attempts = self.attempts + 1
        if 200 <= status < 300:
            state, next_at, delivered = DeliveryState.DELIVERED, 0.0, at
        elif attempts > len(RETRY_DELAYS):
            state, next_at, delivered = DeliveryState.FAILED, 0.0, None
        else:
            state, next_at, delivered = DeliveryState.PENDING, at + RETRY_DELAYS[attempts - 1], None
        return Delivery(
            id=self.id,
            task_id=self.task_id,
            client_id=self.client_id,
            url=self.url,
            state=state,
            attempts=attempts,
            next_at=next_at,
            created_at=self.created_at,
            last_status=status,
            last_error=error,
            delivered_at=delivered,
        )


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``"<timestamp>." + body`` under ``secret`` (the timestamp
    is signed so a captured delivery cannot be replayed later as new)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"
