"""The composition root: the one place that turns ``Settings`` into a store, a broker, the service,
the authenticator and what each worker needs. ``serve``, the worker processes, ``clients`` and the
tests all build through it, so an adapter is chosen in exactly one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import structlog
from celery import Celery

from ocrhive.auth import Authenticator, load_or_create_signing_key
from ocrhive.broker.base import Broker
from ocrhive.broker.celery import celery_app
from ocrhive.config import Settings
from ocrhive.engines.choice import EngineChoice
from ocrhive.engines.orientation import PageOrientation
from ocrhive.engines.registry import EngineRegistry
from ocrhive.errors import ConfigurationError
from ocrhive.ingest.decode import DecodeLimits
from ocrhive.ingest.pages import PageLimits
from ocrhive.metrics.events import TaskEvents
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.service import LifecyclePolicy, OcrService
from ocrhive.store.base import ClientStore, TaskStore, WebhookStore
from ocrhive.store.memory import MemoryStore
from ocrhive.store.redis import RedisStore
from ocrhive.store.sqlite import SqliteStore
from ocrhive.store.webhooks_memory import MemoryWebhookStore
from ocrhive.store.webhooks_redis import RedisWebhookStore
from ocrhive.store.webhooks_sqlite import SqliteWebhookStore
from ocrhive.webhooks.deliverer import Deliverer
from ocrhive.webhooks.targets import TargetPolicy

log = structlog.get_logger("ocrhive.composition")


class Store(TaskStore, ClientStore, Protocol):
    """A store that keeps both tasks and clients (every adapter we ship does)."""


def lifecycle_policy(settings: Settings) -> LifecyclePolicy:
    """The task lifecycle rules the operator set."""
    return LifecyclePolicy(
        max_pending=settings.max_pending,
        max_pending_per_client=settings.max_pending_per_client,
        retention_seconds=settings.retention_seconds,
        max_attempts=settings.max_attempts,
        task_time_limit=settings.task_time_limit,
        seconds_per_extra_page=settings.seconds_per_extra_page,
    )


def page_limits(settings: Settings, *, trial: bool = False) -> PageLimits:
    """How much of a document one task may read; the no-token trial gets smaller limits."""
    megapixels = settings.trial_max_megapixels if trial else settings.max_megapixels
    return PageLimits(
        decode=DecodeLimits(max_pixels=int(megapixels * 1_000_000)),
        max_pages=settings.max_pages,
        render_memory_mb=settings.render_memory_mb,
        page_render_seconds=settings.page_render_seconds,
    )


def pipeline_options(settings: Settings) -> PipelineOptions:
    """What every task's pipeline run is allowed."""
    return PipelineOptions(
        limits=page_limits(settings),
        trial_limits=page_limits(settings, trial=True),
        trial_fraction=settings.trial_mask_fraction,
        time_limit=settings.task_time_limit,
    )


def open_store(settings: Settings) -> Store:
    """The task and client store the settings choose: Redis in distributed mode, else the
    embedded default, SQLite in the data folder."""
    if settings.redis_url:
        return RedisStore(settings.redis_url)
    return SqliteStore(
        settings.database_path,
        max_store_mb=settings.max_store_mb,
        min_free_disk_mb=settings.min_free_disk_mb,
    )


def celery(settings: Settings) -> Celery:
    """The Celery application of distributed mode (needs ``settings.redis_url``)."""
    if not settings.redis_url:
        raise ConfigurationError("Distributed mode needs OCRHIVE_REDIS_URL (or --redis-url).")
    return celery_app(
        settings.redis_url,
        max_task_seconds=settings.max_task_seconds() + LifecyclePolicy.grace,
    )


def open_webhooks(settings: Settings, store: TaskStore) -> WebhookStore | None:
    """Where webhook endpoints and deliveries are kept: beside the tasks."""
    if isinstance(store, RedisStore) and settings.redis_url:
        return RedisWebhookStore(settings.redis_url)
    if isinstance(store, SqliteStore):
        return SqliteWebhookStore(store)
    if isinstance(store, MemoryStore):
        return MemoryWebhookStore()
    return None


def deliverer(settings: Settings, store: TaskStore, webhooks: WebhookStore) -> Deliverer:
    """The webhook deliverer with the operator's allow-list and timeout."""
    return Deliverer(
        webhooks,
        store,
        TargetPolicy.parse(settings.webhook_allow),
        timeout=settings.webhook_timeout_seconds,
    )


def task_events() -> TaskEvents:
    """What every process reports task events to: the Prometheus adapter.

    Imported on first use, not with this module: prometheus_client must first be imported
    after ``serve`` or ``worker`` chose the metrics folder, and ``clients`` never needs it.
    """
    from ocrhive.metrics.prometheus import PrometheusEvents

    return PrometheusEvents()


def build_service(
    settings: Settings,
    store: TaskStore,
    broker: Broker,
    webhooks: WebhookStore | None = None,
) -> OcrService:
    """The use cases over ``store`` and ``broker`` with the operator's lifecycle rules; the
    webhook store beside ``store`` unless one is given."""
    return OcrService(
        store,
        broker,
        policy=lifecycle_policy(settings),
        events=task_events(),
        webhooks=webhooks if webhooks is not None else open_webhooks(settings, store),
    )


def build_authenticator(settings: Settings, clients: ClientStore) -> Authenticator:
    """Token issuing and checking, signed with the configured key or the data folder's."""
    if settings.jwt_secret:
        key = settings.jwt_secret.get_secret_value().encode()
    elif isinstance(clients, RedisStore):
        key = clients.signing_key()  # every API node of a cluster must sign alike
    else:
        key = load_or_create_signing_key(settings.data_dir)
    return Authenticator(clients, key, ttl_seconds=settings.token_ttl_seconds)


def load_readers(settings: Settings) -> Readers:
    """The engines a worker process keeps loaded: the registry (English warmed up, others on
    first use), the page-orientation detector (None when its model is missing) and the engine
    choice, whose RapidOCR is the registry's own: loaded on the first page that needs it (or
    the first Chinese or Japanese task) and kept, one ONNX session set per worker."""
    model_dirs = [settings.models_dir] if settings.models_dir else []
    engine = EngineRegistry(model_dirs)
    engine.warm_up()
    try:
        orientation: PageOrientation | None = PageOrientation(model_dirs)
    except FileNotFoundError:
        log.warning("orientation_unavailable", reason="eng.traineddata not found")
        orientation = None
    choice = EngineChoice(rapid=engine.engine("rapidocr"))
    return Readers(engine=engine, orientation=orientation, choice=choice)


@dataclass(frozen=True, kw_only=True)
class Components:
    """Everything one API process serves with."""

    store: Store
    service: OcrService
    authenticator: Authenticator
    webhooks: WebhookStore | None
    targets: TargetPolicy


def build(settings: Settings, broker: Broker, *, store: Store | None = None) -> Components:
    """Store (unless given), service, authenticator and webhooks for an API process."""
    store = store if store is not None else open_store(settings)
    webhooks = open_webhooks(settings, store)
    return Components(
        store=store,
        service=build_service(settings, store, broker, webhooks),
        authenticator=build_authenticator(settings, store),
        webhooks=webhooks,
        targets=TargetPolicy.parse(settings.webhook_allow),
    )
