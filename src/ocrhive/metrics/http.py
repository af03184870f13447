"""HTTP request timing: an ASGI middleware that records each request's duration under its route
template (``/v5.0/ocr/{family}``-style, never the raw path, so ids cannot explode the labels)."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocrhive.metrics.prometheus import observe_request

#: the label of a request no route matched (a 404, a refusal before routing)
UNMATCHED = "unmatched"
#: methods kept as labels; any other (a client may send any token) is counted as "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestTiming:
    """Times every HTTP request by method, route template and status code.

    Installed inside the path-folding middleware: the router writes the matched route into the
    scope it is given, and an outer middleware would only hold a copy made before routing.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def recorded_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recorded_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = scope["method"] if scope["method"] in METHODS else "other"
            observe_request(method, route, status, time.perf_counter() - started)
