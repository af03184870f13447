"""Client secrets and tokens (no server, an in-memory client registry)."""

from __future__ import annotations

import time

import jwt
import pytest

from ocrhive.auth import Authenticator, hash_secret, new_client, verify_secret
from ocrhive.errors import InvalidClient, Unauthorized
from ocrhive.store.base import ClientRecord

KEY = b"k" * 48


class Clients:
    def __init__(self) -> None:
        self.records: dict[str, ClientRecord] = {}

    def add_client(self, record: ClientRecord) -> None:
        self.records[record.client_id] = record

    def get_client(self, client_id: str) -> ClientRecord | None:
        return self.records.get(client_id)

    def list_clients(self) -> list[ClientRecord]:
        return list(self.records.values())

    def set_client_disabled(self, client_id: str, disabled: bool) -> bool:
        from dataclasses import replace

        if client_id not in self.records:
            return False
        self.records[client_id] = replace(self.records[client_id], disabled=disabled)
        return True


def test_secrets_are_stored_salted_and_verified() -> None:
    stored = hash_secret("s3cret")
    assert "s3cret" not in stored and stored != hash_secret("s3cret")
    assert verify_secret("s3cret", stored)
    assert not verify_secret("s3cret!", stored)
    assert not verify_secret("s3cret", "garbage")


def test_tokens_round_trip_and_name_the_client() -> None:
    clients = Clients()
    record, secret = new_client("app")
    clients.add_client(record)
    auth = Authenticator(clients, KEY, ttl_seconds=120)
    issued = auth.issue(record.client_id, secret)
    assert issued.expires_in == 120
    assert auth.verify(issued.access_token) == record.client_id
    with pytest.raises(InvalidClient):
        auth.issue(record.client_id, "wrong")
    with pytest.raises(InvalidClient):
        auth.issue("unknown", secret)
    clients.set_client_disabled(record.client_id, True)
    with pytest.raises(Unauthorized):
        auth.verify(issued.access_token)


def test_expired_forged_and_unsigned_tokens_are_refused() -> None:
    clients = Clients()
    record, _ = new_client("app")
    clients.add_client(record)
    auth = Authenticator(clients, KEY)
    now = int(time.time())
    claims = {
        "iss": "ocrhive",
        "aud": "ocrhive-api",
        "sub": record.client_id,
        "iat": now,
        "exp": now + 60,
    }
    assert auth.verify(jwt.encode(claims, KEY, algorithm="HS256")) == record.client_id
    for token in (
        jwt.encode({**claims, "exp": now - 60}, KEY, algorithm="HS256"),
        jwt.encode(claims, b"x" * 48, algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
        jwt.encode({**claims, "aud": "other"}, KEY, algorithm="HS256"),
        "not.a.jwt",
    ):
        with pytest.raises(Unauthorized):
            auth.verify(token)
