"""Health for operators and orchestrators: ``GET /health`` (always 200: status, reasons, worker
counts), ``GET /health/live`` (the process answers; restart it if not) and ``GET /health/ready``
(503 unless the store answers, has room, and at least one worker process is alive)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ocrhive import __version__
from ocrhive.api.errors import retry_after
from ocrhive.service import OcrService

router = APIRouter(tags=["health"])

#: what a balancer is told to wait before asking a degraded server again, seconds
READY_RETRY_SECONDS = 5


def _workers(request: Request) -> tuple[int, int]:
    workers: Callable[[], tuple[int, int]] | None = getattr(request.app.state, "workers", None)
    return workers() if workers else (0, 0)


async def _storage_problems(request: Request) -> list[str]:
    storage: Callable[[], Sequence[str]] | None = getattr(request.app.state, "storage", None)
    if storage is None:
        return []
    # the probe reads the database and statfs; keep it off the event loop
    return list(await run_in_threadpool(storage))


async def _report(request: Request) -> dict[str, object]:
    alive, wanted = _workers(request)
    reasons = await _storage_problems(request)
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


def _store_answers(service: OcrService) -> str | None:
    """None when the task store answers a read, else why not."""
    try:
        service.store.pending(limit=1)
    except Exception as exc:
        return f"the task store does not answer ({type(exc).__name__})"
    return None


@router.get("/health", operation_id="Health")
async def health(request: Request) -> JSONResponse:
    """Always 200 while the server answers; ``status`` says whether it can take new work."""
    return JSONResponse(await _report(request))


@router.get("/health/live", operation_id="HealthLive")
async def live() -> JSONResponse:
    """200 whenever this process's event loop answers; nothing else is consulted, so a store
    outage never makes an orchestrator restart a healthy API process."""
    return JSONResponse({"status": "alive", "version": __version__})


@router.get("/health/ready", operation_id="HealthReady")
async def ready(request: Request) -> JSONResponse:
    """200 when a submitted task would be stored and run: the store answers and has room, and
    at least one worker process is alive (some missing ones only degrade ``/health``).
    Otherwise 503 with ``Retry-After`` and the reasons."""
    alive, wanted = _workers(request)
    reasons = await _storage_problems(request)
    unreachable = await run_in_threadpool(_store_answers, request.app.state.service)
    if unreachable is not None:
        reasons.append(unreachable)
    if alive < 1:
        reasons.append("no worker process is alive")
    report: dict[str, object] = {
        "status": "not_ready" if reasons else "ready",
        "version": __version__,
        "workers": {"alive": alive, "configured": wanted},
    }
    if not reasons:
        return JSONResponse(report)
    report["reasons"] = reasons
    return JSONResponse(
        report,
        status_code=503,
        headers={"Retry-After": retry_after(READY_RETRY_SECONDS)},
    )
