"""Webhooks, ocrhive's extension: a client registers an endpoint (and gets the secret that signs
deliveries), may give a task its own ``callbackUrl``, and reads the record of deliveries."""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ocrhive.api.deps import Client, Service, TaskId
from ocrhive.domain.webhooks import Delivery, Endpoint
from ocrhive.errors import InvalidRequest, NotEnabled
from ocrhive.store.base import WebhookStore
from ocrhive.webhooks.targets import TargetPolicy

router = APIRouter(tags=["Webhooks (ocrhive extension)"])
PATH = "/v5.0/ocrhive/webhook"


def _store(request: Request) -> WebhookStore:
    store: WebhookStore | None = getattr(request.app.state, "webhooks", None)
    if store is None:
        raise NotEnabled("Webhooks are not enabled on this server.")
    return store


async def _allowed(request: Request, url: str, field: str) -> None:
    targets: TargetPolicy = request.app.state.webhook_targets
    refusal = await run_in_threadpool(targets.refusal, url)  # resolving a name may block
    if refusal is not None:
        raise InvalidRequest(field, f"'{field}' cannot be used: {refusal}.")


async def callback_url(request: Request) -> str | None:
    """A submission's ``callbackUrl`` query parameter, checked against the allow-list."""
    value = next(
        (v for k, v in request.query_params.multi_items() if k.lower() == "callbackurl"), None
    )
    if value is None or not value.strip():
        return None
    _store(request)
    await _allowed(request, value.strip(), "callbackUrl")
    return value.strip()


def _endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "secret": endpoint.secret}


@router.put(PATH, operation_id="SetWebhook")
async def set_webhook(request: Request, who: Client) -> JSONResponse:
    """Register where this client's final task statuses go (``url`` may be null: then only
    tasks submitted with a ``callbackUrl`` are delivered). Answers the signing secret; it
    stays the same unless ``rotateSecret`` is true."""
    store = _store(request)
    try:
        doc = json.loads(await request.body() or b"{}")
    except (ValueError, RecursionError):
        raise InvalidRequest("$", "The body must be a JSON object.") from None
    if not isinstance(doc, dict):
        raise InvalidRequest("$", "The body must be a JSON object.")
    keys = {str(k).lower(): v for k, v in doc.items()}
    url = keys.get("url")
    if url is not None and not isinstance(url, str):
        raise InvalidRequest("url", "'url' must be a string or null.")
    if url:
        await _allowed(request, url, "url")
    assert who.client_id is not None
    current = await run_in_threadpool(store.endpoint, who.client_id)
    secret = (
        current.secret
        if current is not None and keys.get("rotatesecret") is not True
        else secrets.token_urlsafe(32)
    )
    endpoint = Endpoint(client_id=who.client_id, url=url or None, secret=secret)
    await run_in_threadpool(store.set_endpoint, endpoint)
    return JSONResponse(_endpoint_json(endpoint), headers={"Cache-Control": "no-store"})


@router.get(PATH, operation_id="GetWebhook")
async def get_webhook(request: Request, who: Client) -> JSONResponse:
    """This client's endpoint and secret (404 problem when none is registered)."""
    store = _store(request)
    assert who.client_id is not None
    endpoint = await run_in_threadpool(store.endpoint, who.client_id)
    if endpoint is None:
        return JSONResponse(
            {"status": 404, "title": "Not Found", "detail": "No webhook is registered."},
            status_code=404,
            media_type="application/problem+json",
        )
    return JSONResponse(_endpoint_json(endpoint), headers={"Cache-Control": "no-store"})


@router.delete(PATH, operation_id="DeleteWebhook")
async def delete_webhook(request: Request, who: Client) -> Response:
    """Stop deliveries to this client's endpoint and forget its secret."""
    store = _store(request)
    assert who.client_id is not None
    await run_in_threadpool(store.remove_endpoint, who.client_id)
    return Response(status_code=200)


def _delivery_json(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "url": d.url,
        "state": d.state.value,
        "attempts": d.attempts,
        "lastStatus": d.last_status or None,
        "lastError": d.last_error or None,
        "nextAttemptAt": d.next_at or None,
        "deliveredAt": d.delivered_at,
    }


@router.get(f"{PATH}/deliveries", operation_id="GetWebhookDeliveries")
async def deliveries(
    request: Request, service: Service, who: Client, task_id: TaskId
) -> JSONResponse:
    """The record of a task's deliveries (empty for a task this client cannot see)."""
    store = _store(request)
    view = await run_in_threadpool(service.get_result, task_id, who, with_results=False)
    found = [] if view is None else await run_in_threadpool(store.deliveries, task_id)
    return JSONResponse({"taskId": task_id, "deliveries": [_delivery_json(d) for d in found]})
