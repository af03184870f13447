"""Token issuing spends one scrypt run whether the client is unknown, disabled or wrong, so the
endpoint's timing does not tell them apart."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import pytest

from ocrhive.auth import Authenticator, new_client
from ocrhive.errors import InvalidClient
from tests.unit.test_auth import KEY, Clients


def _setup() -> tuple[Authenticator, str, tuple[str, str]]:
    clients = Clients()
    active, _ = new_client("active")
    disabled, secret = new_client("disabled")
    clients.add_client(active)
    clients.add_client(disabled)
    clients.set_client_disabled(disabled.client_id, True)
    # the disabled client presents its real secret: still refused, in the same time
    return Authenticator(clients, KEY), active.client_id, (disabled.client_id, secret)


def test_every_refusal_runs_scrypt_once(monkeypatch: pytest.MonkeyPatch) -> None:
    auth, active, disabled = _setup()
    calls: list[int] = []
    real: Callable[..., bytes] = hashlib.scrypt

    def counted(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    for client_id, secret in ((active, "wrong"), disabled, ("unknown-id", "wrong")):
        calls.clear()
        with pytest.raises(InvalidClient):
            auth.issue(client_id, secret)
        assert len(calls) == 1, client_id


def test_refusals_take_alike() -> None:
    auth, active, disabled = _setup()

    def fastest(client_id: str, secret: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            with pytest.raises(InvalidClient):
                auth.issue(client_id, secret)
            times.append(time.perf_counter() - started)
        return min(times)

    wrong, off = fastest(active, "wrong"), fastest(*disabled)
    unknown = fastest("unknown-id", "wrong")
    assert off > 0.5 * wrong and unknown > 0.5 * wrong, (wrong, off, unknown)
