"""``GET /v5.0/ocr/Utilities/GetTaskStatus``: any family's task status, without its results."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ocrhive.api import openapi
from ocrhive.api.deps import Client, Service, TaskId
from ocrhive.api.schemas import envelope

router = APIRouter(tags=["Utilities"])


@router.get(
    "/v5.0/ocr/Utilities/GetTaskStatus", operation_id="GetTaskStatus", **openapi.status_docs()
)
async def get_task_status(service: Service, who: Client, task_id: TaskId) -> JSONResponse:
    view = await run_in_threadpool(service.get_result, task_id, who, with_results=False)
    return JSONResponse(envelope(task_id, view, include_results=False))
