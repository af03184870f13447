"""``GET /metrics``: the Prometheus text format for the whole server (API process and every
worker process), read from the multiprocess folder, plus queue depth and workers alive."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry
from starlette.concurrency import run_in_threadpool

from ocrhive.metrics.exposition import api_registry
from ocrhive.service import OcrService

router = APIRouter(tags=["health"])


def _registry(request: Request) -> CollectorRegistry:
    registry: CollectorRegistry | None = getattr(request.app.state, "metrics", None)
    if registry is None:
        service: OcrService = request.app.state.service
        registry = api_registry(service.store.count_pending, request.app.state.workers)
        request.app.state.metrics = registry
    return registry


@router.get("/metrics", operation_id="Metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Every metric in the Prometheus text exposition format (names in docs/metrics.md)."""
    # reading the folder's files and counting Pending rows is blocking I/O
    body = await run_in_threadpool(generate_latest, _registry(request))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
