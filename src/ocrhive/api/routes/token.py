"""``POST /connect/token``: OAuth2 client credentials → a bearer JWT, rate-limited per address
and per client id, with secrets hashed on a bounded pool of their own."""

from __future__ import annotations

import asyncio
import base64
import binascii
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from ocrhive.api import openapi
from ocrhive.api.deps import Address, Auth, Limits
from ocrhive.api.ratelimit import RateLimiter, retry_after
from ocrhive.errors import InvalidClient, TooManyRequests

router = APIRouter()

#: seconds a refused (429) token request waits before its answer
REFUSAL_DELAY = 0.5


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    """client_secret_basic (RFC 6749 §2.3.1), which some OAuth libraries use."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (unquote(user), unquote(password)) if sep else None


def _spend(limiter: RateLimiter, key: str, what: str) -> None:
    wait = limiter.take(key)
    if wait:
        seconds = retry_after(wait)
        raise TooManyRequests(
            f"Too many token requests {what} (limit {limiter.capacity:g} a minute); "
            f"retry in {seconds:g} s.",
            retry_after=seconds,
        )


@router.post("/connect/token", operation_id="IssueToken", tags=["auth"], **openapi.token_docs())
async def issue_token(
    request: Request, auth: Auth, limits: Limits, address: Address
) -> JSONResponse:
    """Exchange ``client_id``/``client_secret`` (form-urlencoded or multipart) for a token.

    Every attempt spends one of the address's tokens; a failed one also spends one of the
    client id's, so guessing a secret from many addresses is slowed too while a client that
    logs in correctly from many machines is not.
    """
    try:
        return await _issue(request, auth, limits, address)
    except TooManyRequests:
        # answered at once, 40 flooding threads sent thousands of refusals a second and kept
        # the event loop from everyone else (GET p50 71 ms); held back, they send ~80
        await asyncio.sleep(REFUSAL_DELAY)
        raise


async def _issue(request: Request, auth: Auth, limits: Limits, address: Address) -> JSONResponse:
    _spend(limits.token_by_address, address, "from this address")
    try:
        form = await request.form()
    except ClientDisconnect:
        raise
    except Exception:  # malformed multipart bodies: answer like any other bad request
        raise InvalidClient(
            "invalid_request", "The body must be a form with client credentials."
        ) from None
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    grant = fields.get("grant_type", "")
    if grant != "client_credentials":
        raise InvalidClient(
            "unsupported_grant_type" if grant else "invalid_request",
            "grant_type must be 'client_credentials'.",
        )
    client_id, secret = fields.get("client_id"), fields.get("client_secret")
    if not client_id or not secret:
        basic = _basic_credentials(request.headers.get("authorization"))
        if basic:
            client_id, secret = basic
    if not client_id or not secret:
        raise InvalidClient("invalid_request", "client_id and client_secret are required.")
    # client ids are UUIDs; a longer one must not become a megabyte-sized bucket key
    bucket = client_id[:128]
    _spend(limits.token_by_client, bucket, "for this client id")
    try:
        issued = await limits.hashing.run(auth.issue, client_id, secret)
    except TooManyRequests:
        limits.token_by_client.give_back(bucket)
        raise
    limits.token_by_client.give_back(bucket)
    return JSONResponse(
        {
            "access_token": issued.access_token,
            "expires_in": issued.expires_in,
            "token_type": "Bearer",
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
