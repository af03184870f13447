"""Request dependencies, as ``Annotated`` aliases so a handler's signature lists what it needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from ocrhive.api.ratelimit import EdgeLimits
from ocrhive.auth import Authenticator
from ocrhive.errors import InvalidRequest, Unauthorized
from ocrhive.service import OcrService, Requester


def get_service(request: Request) -> OcrService:
    service: OcrService = request.app.state.service
    return service


def get_authenticator(request: Request) -> Authenticator:
    auth: Authenticator = request.app.state.authenticator
    return auth


async def get_client(
    request: Request, auth: Annotated[Authenticator, Depends(get_authenticator)]
) -> Requester:
    """The client a valid ``Authorization: Bearer`` token names; 401 otherwise."""
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("An access token is required: 'Authorization: Bearer <token>'.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "The Authorization header must be 'Bearer <token>'.", token_presented=True
        )
    client_id = await run_in_threadpool(auth.verify, token.strip())
    return Requester(client_id=client_id)


def get_limits(request: Request) -> EdgeLimits:
    limits: EdgeLimits = request.app.state.limits
    return limits


def get_address(request: Request) -> str:
    """The client's address: the socket peer, or what a trusted proxy says (uvicorn applies
    X-Forwarded-For only from the proxies it was told to trust)."""
    return request.client.host if request.client else "unknown"


def get_anonymous() -> Requester:
    """Trial endpoints: whatever Authorization header came along is ignored."""
    return Requester(client_id=None)


def get_task_id(request: Request) -> str:
    """The ``id`` query parameter; its name matches case-insensitively, as in ASP.NET."""
    value = next((v for k, v in request.query_params.multi_items() if k.lower() == "id"), None)
    if value is None or not value.strip():
        raise InvalidRequest("id", "The query parameter 'id' (the task id) is required.")
    return value.strip()


Service = Annotated[OcrService, Depends(get_service)]
Client = Annotated[Requester, Depends(get_client)]
Anonymous = Annotated[Requester, Depends(get_anonymous)]
TaskId = Annotated[str, Depends(get_task_id)]
Auth = Annotated[Authenticator, Depends(get_authenticator)]
Limits = Annotated[EdgeLimits, Depends(get_limits)]
Address = Annotated[str, Depends(get_address)]
