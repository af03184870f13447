"""``POST /connect/token``: OAuth2 client credentials → a bearer JWT."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ocrhive.api.deps import Auth
from ocrhive.errors import InvalidClient

router = APIRouter()


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


@router.post("/connect/token", operation_id="IssueToken", tags=["auth"])
async def issue_token(request: Request, auth: Auth) -> JSONResponse:
    """Exchange ``client_id``/``client_secret`` (form-urlencoded or multipart) for a token."""
    try:
        form = await request.form()
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
    issued = await run_in_threadpool(auth.issue, client_id, secret)
    return JSONResponse(
        {
            "access_token": issued.access_token,
            "expires_in": issued.expires_in,
            "token_type": "Bearer",
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
