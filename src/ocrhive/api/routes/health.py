"""``GET /health``: 200 once the server accepts tasks, with worker counts for operators."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/health", operation_id="Health")
async def health(request: Request) -> JSONResponse:
    workers: Callable[[], tuple[int, int]] | None = getattr(request.app.state, "workers", None)
    alive, wanted = workers() if workers else (0, 0)
    return JSONResponse({"status": "ok", "workers": {"alive": alive, "configured": wanted}})
