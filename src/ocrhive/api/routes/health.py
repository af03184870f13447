"""``GET /health`` (always 200, for operators: status, reasons, worker counts) and
``GET /health/ready`` (503 while degraded, for load balancers and orchestrators)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ocrhive import __version__
from ocrhive.api.errors import retry_after

router = APIRouter(tags=["health"])

#: what a balancer is told to wait before asking a degraded server again, seconds
READY_RETRY_SECONDS = 5


async def _report(request: Request) -> dict[str, object]:
    workers: Callable[[], tuple[int, int]] | None = getattr(request.app.state, "workers", None)
    storage: Callable[[], Sequence[str]] | None = getattr(request.app.state, "storage", None)
    alive, wanted = workers() if workers else (0, 0)
    reasons: list[str] = []
    if storage is not None:
        # the probe reads the database and statfs; keep it off the event loop
        reasons.extend(await run_in_threadpool(storage))
    if alive < wanted:
        reasons.append(f"{alive} of {wanted} worker processes are running")
    report: dict[str, object] = {
        "status": "degraded" if reasons else "ok",
        "version": __version__,
        "workers": {"alive": alive, "configured": wanted},
    }
    if reasons:
        report["reasons"] = reasons
    return report


@router.get("/health", operation_id="Health")
async def health(request: Request) -> JSONResponse:
    """Always 200 while the server answers; ``status`` says whether it can take new work."""
    return JSONResponse(await _report(request))


@router.get("/health/ready", operation_id="HealthReady")
async def ready(request: Request) -> JSONResponse:
    """200 when new work is accepted; 503 with ``Retry-After`` while degraded."""
    report = await _report(request)
    if report["status"] == "ok":
        return JSONResponse(report)
    return JSONResponse(
        report,
        status_code=503,
        headers={"Retry-After": retry_after(READY_RETRY_SECONDS)},
    )
