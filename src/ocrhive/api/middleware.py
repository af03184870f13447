"""ASGI middleware: case-insensitive paths (docs and SDKs spell them differently) and the
request body size limit (413 before the body is read when Content-Length says so)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocrhive.errors import PayloadTooLarge


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

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.limit:
                    await self._refuse(send)
                    return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
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
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        mib = self.limit / (1024 * 1024)
        body = json.dumps(
            {
                "type": "https://tools.ietf.org/html/rfc9110#section-15.5.14",
                "title": "Payload Too Large",
                "status": 413,
                "detail": f"The request body is larger than this server's limit of {mib:g} MiB.",
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
