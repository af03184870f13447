"""The ASGI application factory: routes, error handlers, path folding, body and rate limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from ocrhive import __version__
from ocrhive.api import errors, openapi
from ocrhive.api.connections import AcceptErrorLog
from ocrhive.api.middleware import BodyLimit, CanonicalPaths, Disconnects
from ocrhive.api.ratelimit import EdgeLimits
from ocrhive.api.routes import health, legacy, recognize, token, utilities, web
from ocrhive.api.routes import metrics as metrics_route
from ocrhive.api.routes import webhooks as webhooks_routes
from ocrhive.auth import Authenticator
from ocrhive.metrics.http import RequestTiming
from ocrhive.service import OcrService
from ocrhive.store.base import WebhookStore
from ocrhive.webhooks.targets import TargetPolicy


def create_app(
    service: OcrService,
    authenticator: Authenticator,
    *,
    max_body_bytes: int = 64 * 1024 * 1024,
    get_wait_seconds: float = 5.0,
    workers: Callable[[], tuple[int, int]] | None = None,
    storage: Callable[[], Sequence[str]] | None = None,
    trial_max_body_bytes: int = 8 * 1024 * 1024,
    trial_submits_per_minute: int = 60,
    trial_max_pending_per_address: int = 8,
    token_attempts_per_minute: int = 30,
    hashing_threads: int = 1,
    webhooks: WebhookStore | None = None,
    webhook_targets: TargetPolicy | None = None,
) -> FastAPI:
    """Build the HTTP application around ready-made service objects.

    Args:
        service: the use cases.
        authenticator: issues and checks access tokens.
        max_body_bytes: largest request body.
        get_wait_seconds: how long a GET waits for an unfinished task.
        workers: reports (alive, configured) worker processes for /health.
        storage: why the store refuses new work now, for /health.
        trial_max_body_bytes: largest body of a no-token trial submission.
        trial_submits_per_minute: trial submissions a minute per client address.
        trial_max_pending_per_address: unfinished trial tasks per client address.
        token_attempts_per_minute: /connect/token attempts a minute per address and client id.
        hashing_threads: threads that hash client secrets (the rest of the CPU stays free).
        webhooks: where webhook endpoints and deliveries are kept (None: webhooks off).
        webhook_targets: the operator's allow-list of webhook targets (default: public only).
    """
    limits = EdgeLimits.build(
        token_attempts_per_minute=token_attempts_per_minute,
        trial_submits_per_minute=trial_submits_per_minute,
        trial_max_pending_per_address=trial_max_pending_per_address,
        hashing_threads=hashing_threads,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        AcceptErrorLog().install(asyncio.get_running_loop())
        try:
            yield
        finally:
            limits.hashing.close()
            # uvicorn re-raises SIGTERM once it has shut down, so code after uvicorn.run() never
            # runs: what must stop with the server (workers, deliveries) stops here
            for hook in reversed(app.state.shutdown_hooks):
                await run_in_threadpool(hook)

    app = FastAPI(
        title="ocrhive",
        version=__version__,
        description="Self-hosted OCR speaking the Aspose.OCR Cloud 5.0 REST API.",
        lifespan=lifespan,
        # /docs is served by routes/web.py from the swagger_ui_bundle package, not a CDN
        docs_url=None,
        redoc_url=None,
    )
    app.state.limits = limits
    #: callables run when the server shuts down (the process models add theirs)
    app.state.shutdown_hooks = []
    app.state.service = service
    app.state.authenticator = authenticator
    app.state.get_wait_seconds = get_wait_seconds
    app.state.workers = workers
    #: why the store refuses new work now (empty when it does not); shown by /health
    app.state.storage = storage
    app.state.webhooks = webhooks
    app.state.webhook_targets = webhook_targets or TargetPolicy()
    errors.install(app)
    openapi.install(app)
    app.include_router(token.router)
    app.include_router(health.router)
    app.include_router(metrics_route.router)
    app.include_router(utilities.router)
    app.include_router(webhooks_routes.router)
    for router in recognize.routers:
        app.include_router(router)
    app.include_router(legacy.router)
    app.include_router(web.router)

    served = [f"/v5.0/ocr/{f.value}" for f in recognize.FAMILIES]
    served += list(legacy.PATHS)
    served += ["/connect/token", "/health", "/health/ready", "/v5.0/ocr/Utilities/GetTaskStatus"]
    served += ["/health/live", "/metrics"]
    served += [webhooks_routes.PATH, f"{webhooks_routes.PATH}/deliveries"]
    # innermost: it reads the route the router matched, which outer middleware cannot see
    app.add_middleware(RequestTiming)
    app.add_middleware(CanonicalPaths, paths=served)
    trial = {
        f"/v5.0/ocr/{f.value}": (
            min(trial_max_body_bytes, max_body_bytes),
            f"the trial ({f.value})",
        )
        for f in recognize.FAMILIES
        if f.is_trial
    }
    app.add_middleware(BodyLimit, limit=max_body_bytes, paths=trial)
    app.add_middleware(Disconnects)
    return app
