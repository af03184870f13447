"""RequestErrors (and framework errors) → Aspose-compatible answers, in one place."""

from __future__ import annotations

import errno
import math
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ocrhive.errors import (
    InvalidClient,
    InvalidRequest,
    RequestError,
    RetryLater,
    StorageFull,
    Unauthorized,
)

log = structlog.get_logger("ocrhive.api")

_TYPES = {
    400: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
    401: "https://tools.ietf.org/html/rfc9110#section-15.5.2",
    404: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
    405: "https://tools.ietf.org/html/rfc9110#section-15.5.6",
    413: "https://tools.ietf.org/html/rfc9110#section-15.5.14",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    501: "https://tools.ietf.org/html/rfc9110#section-15.6.2",
    503: "https://tools.ietf.org/html/rfc9110#section-15.6.4",
    507: "https://tools.ietf.org/html/rfc4918#section-11.5",
}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """An RFC 7807 ProblemDetails answer (the ASP.NET Core shape the SDKs expect)."""
    body: dict[str, Any] = {
        "type": _TYPES.get(status, "about:blank"),
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def to_response(exc: RequestError) -> Response:
    """The HTTP answer for a refused request."""
    if isinstance(exc, InvalidClient):
        return JSONResponse(
            {"error": exc.error, "error_description": exc.message},
            status_code=400,
            headers={"Cache-Control": "no-store"},
        )
    if isinstance(exc, Unauthorized):
        challenge = 'Bearer error="invalid_token"' if exc.token_presented else "Bearer"
        response = problem(401, "Unauthorized", exc.message)
        response.headers["WWW-Authenticate"] = challenge
        return response
    if isinstance(exc, InvalidRequest):
        return problem(
            exc.status_code,
            "One or more validation errors occurred.",
            exc.message,
            errors={exc.field: [exc.message]},
        )
    if isinstance(exc, RetryLater):
        response = problem(exc.status_code, exc.title, exc.message)
        response.headers["Retry-After"] = retry_after(exc.retry_after)
        return response
    return problem(exc.status_code, exc.title, exc.message)


def retry_after(seconds: float) -> str:
    """A ``Retry-After`` value: whole seconds, at least one (clients treat 0 as "hammer now")."""
    return str(max(1, math.ceil(seconds)))


def _allowed(request: Request) -> str:
    """Every method of the path: Starlette's own 405 names only the first route it tried, and
    each verb of a family is a route of its own."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    async def on_request_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestError)
        return to_response(exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors: dict[str, list[str]] = {}
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body"))
            errors.setdefault(loc or "$", []).append(str(err.get("msg", "invalid")))
        first = next(iter(errors.items()))
        return problem(
            400,
            "One or more validation errors occurred.",
            f"'{first[0]}': {first[1][0]}",
            errors=errors,
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        response = problem(exc.status_code, str(exc.detail), str(exc.detail))
        # a 405 carries the Allow header RFC 9110 requires; the problem body must not drop it
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = _allowed(request)
        return response

    async def on_crash(request: Request, exc: Exception) -> Response:
        # a RequestError raised in a middleware or a background path lands here, not above
        if isinstance(exc, RequestError):
            return to_response(exc)
        # a full disk met outside the store (request spooling, logs) is still a full disk
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            log.warning("disk_full", path=request.url.path, error=str(exc))
            return to_response(
                StorageFull("The server's disk is full. Try again later.", retry_after=10)
            )
        log.exception("request_crashed", path=request.url.path)
        return problem(500, "Internal Server Error", "The server failed; the error was logged.")

    app.add_exception_handler(RequestError, on_request_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)
