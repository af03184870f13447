"""API clients and access tokens: hashed client secrets, HS256 JWTs that expire."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt

from ocrhive.errors import InvalidClient, Unauthorized
from ocrhive.store.base import ClientRecord, ClientStore

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
ISSUER = "ocrhive"
AUDIENCE = "ocrhive-api"


def hash_secret(secret: str) -> str:
    """A salted scrypt hash of ``secret``, self-describing (``scrypt$n$r$p$salt$hash``)."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(
        secret.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches the hash ``stored`` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            secret.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def new_client(name: str) -> tuple[ClientRecord, str]:
    """A fresh client record and its clear-text secret (shown once, never stored)."""
    secret = secrets.token_urlsafe(32)
    record = ClientRecord(
        client_id=str(uuid.uuid4()),
        name=name,
        secret_hash=hash_secret(secret),
        created_at=time.time(),
    )
    return record, secret


def load_or_create_signing_key(data_dir: Path) -> bytes:
    """The token signing key kept in the data folder, created (mode 0600) on first use."""
    path = data_dir / "token-signing.key"
    try:
        key = path.read_bytes().strip()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


@dataclass(frozen=True, kw_only=True)
class IssuedToken:
    access_token: str
    expires_in: int


class Authenticator:
    """Exchanges client credentials for tokens and checks tokens on each request."""

    def __init__(self, clients: ClientStore, key: bytes, *, ttl_seconds: int = 3600) -> None:
        if len(key) < 32:
            raise ValueError("the token signing key must be at least 32 bytes")
        self._clients = clients
        self._key = key
        self._ttl = ttl_seconds

    def issue(self, client_id: str, client_secret: str) -> IssuedToken:
        """A token for valid, enabled credentials.

        Raises:
            InvalidClient: unknown client, wrong secret or disabled client (one answer for all,
                so the endpoint does not reveal which client ids exist).
        """
        record = self._clients.get_client(client_id)
        # one scrypt run on every path, so the answer's timing does not tell unknown, disabled
        # and wrong-secret clients apart
        stored = record.secret_hash if record is not None else _DUMMY_HASH
        matches = verify_secret(client_secret, stored)
        if record is None or record.disabled or not matches:
            raise InvalidClient("invalid_client", "Client authentication failed.")
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": client_id,
            "iat": now,
            "nbf": now,
            "exp": now + self._ttl,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._key, algorithm="HS256")
        return IssuedToken(access_token=token, expires_in=self._ttl)

    def verify(self, token: str) -> str:
        """The client id a valid token was issued to.

        Raises:
            Unauthorized: bad signature, wrong algorithm (``none`` included), expired, not yet
                valid, wrong issuer/audience, or the client has since been disabled or removed.
        """
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=["HS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
                leeway=5,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired.", token_presented=True) from None
        except jwt.PyJWTError:
            raise Unauthorized("The access token is invalid.", token_presented=True) from None
        client_id = str(claims["sub"])
        record = self._clients.get_client(client_id)
        if record is None or record.disabled:
            raise Unauthorized("The client of this token is not active.", token_presented=True)
        return client_id


_DUMMY_HASH = hash_secret("ocrhive-timing-equaliser")
