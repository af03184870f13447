"""ASGI middleware: case-insensitive paths (docs and SDKs spell them differently), the request
body size limits (413 before the body is read when Content-Length says so) and clients that
leave mid-request."""

from __future__ import annotations

import json

import structlog
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocrhive.errors import PayloadTooLarge

log = structlog.get_logger("ocrhive.api")


class CanonicalPaths:
    """Rewrites any casing of a known path to the spelling the routes are registered with."""

    def __init__(self, app: ASGIApp, paths: list[str]) -> None:
        self.app = app
        self._canonical = {p.lower().rstrip("/"): p for p in paths}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            canonical = self._canonical.get(path.lower().rstrip("/"))
            if canonical is not None and canonical != path:
                scope = dict(scope)
                scope["path"] = canonical
                scope["raw_path"] = canonical.encode()
        await self.app(scope, receive, send)


class _BodyTooLarge(PayloadTooLarge):
    """Raised from ``receive`` when a streamed body passes the limit."""


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, declared or streamed."""

    def __init__(
        self, app: ASGIApp, limit: int, paths: dict[str, tuple[int, str]] | None = None
    ) -> None:
        """``paths`` maps a path (any casing) to its own limit and the name its 413 gives it."""
        self.app = app
        self.limit = limit
        self._paths = {p.lower().rstrip("/"): v for p, v in (paths or {}).items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, name = self._paths.get(scope["path"].lower().rstrip("/"), (self.limit, ""))
        for header, value in scope.get("headers", []):
            if header == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await self._refuse(send, limit, name)
                    return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge("The request body is too large.")
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(send, limit, name)

    async def _refuse(self, send: Send, limit: int, name: str) -> None:
        mib = limit / (1024 * 1024)
        if name:
            general = self.limit / (1024 * 1024)
            detail = (
                f"The request body is larger than {name}'s limit of {mib:g} MiB; requests with "
                f"an access token may send up to {general:g} MiB."
            )
        else:
            detail = f"The request body is larger than this server's limit of {mib:g} MiB."
        body = json.dumps(
            {
                "type": "https://tools.ietf.org/html/rfc9110#section-15.5.14",
                "title": "Payload Too Large",
                "status": 413,
                "detail": detail,
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class Disconnects:
    """Logs a client that left before its request was read (one line, no traceback).

    Without this the framework reports ``ClientDisconnect`` as a crashed request with a stack
    trace; a dropped upload or an idle-timeout close is the client's doing, not a server fault.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:
            client = scope.get("client")
            log.info(
                "client_disconnected",
                method=scope.get("method"),
                path=scope.get("path"),
                client=client[0] if client else None,
            )
