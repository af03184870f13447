"""The task families: ``POST`` submit → id, ``GET ?id=`` → envelope, ``DELETE ?id=`` → cancel."""

import asyncio
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ocrhive.api.deps import Anonymous, Client, Service, TaskId
from ocrhive.api.schemas import envelope, parse_submission
from ocrhive.domain.recognition import Family
from ocrhive.domain.task import TaskView
from ocrhive.service import OcrService, Requester

#: families served in this version
FAMILIES = tuple(Family)


async def _submit(
    request: Request, service: OcrService, family: Family, who: Requester
) -> Response:
    body = await request.body()
    image, settings = await run_in_threadpool(parse_submission, body, family)
    task_id = await run_in_threadpool(service.submit, family, settings, image, who)
    return PlainTextResponse(task_id)


async def _fetch(
    request: Request, service: OcrService, family: Family, who: Requester, task_id: str
) -> JSONResponse:
    """The task's envelope; an unfinished task is waited for up to the configured time, so
    clients that GET straight after POST see the result of a small image."""
    wait: float = request.app.state.get_wait_seconds
    deadline = time.monotonic() + wait
    delay = 0.02
    view: TaskView | None
    while True:
        view = await run_in_threadpool(
            service.get_result, task_id, who, family=family, with_results=True
        )
        if view is None or view.status.is_final or time.monotonic() >= deadline:
            break
        if await request.is_disconnected():
            break
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 1.5, 0.25)
    return JSONResponse(envelope(task_id, view))


def _router(family: Family) -> APIRouter:
    router = APIRouter(tags=[family.value])
    path = f"/v5.0/ocr/{family.value}"
    name = family.value
    Who = Anonymous if family.is_trial else Client

    @router.post(path, operation_id=f"Post{name}", response_class=PlainTextResponse)
    async def submit(request: Request, service: Service, who: Who) -> Response:  # type: ignore[valid-type]
        return await _submit(request, service, family, who)

    @router.get(path, operation_id=f"Get{name}")
    async def fetch(request: Request, service: Service, who: Who, task_id: TaskId) -> JSONResponse:  # type: ignore[valid-type]
        return await _fetch(request, service, family, who, task_id)

    @router.delete(path, operation_id=f"Cancel{name}")
    async def cancel(service: Service, who: Who, task_id: TaskId) -> Response:  # type: ignore[valid-type]
        await run_in_threadpool(service.cancel, task_id, who, family=family)
        return Response(status_code=200)

    return router


routers = [_router(f) for f in FAMILIES]
