"""The composition root: the one place that turns ``Settings`` into a store, a broker, the service,
the authenticator and what each worker needs. ``serve``, the worker processes, ``clients`` and the
tests all build through it, so an adapter is chosen in exactly one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ocrhive.auth import Authenticator, load_or_create_signing_key
from ocrhive.broker.base import Broker
from ocrhive.config import Settings
from ocrhive.ingest.decode import DecodeLimits
from ocrhive.ingest.pages import PageLimits
from ocrhive.pipeline import PipelineOptions
from ocrhive.service import LifecyclePolicy, OcrService
from ocrhive.store.base import ClientStore, TaskStore
from ocrhive.store.sqlite import SqliteStore


class Store(TaskStore, ClientStore, Protocol):
    """A store that keeps both tasks and clients (every adapter we ship does)."""


def lifecycle_policy(settings: Settings) -> LifecyclePolicy:
    """The task lifecycle rules the operator set."""
    return LifecyclePolicy(
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
    """The task and client store the settings choose (the embedded default: SQLite)."""
    return SqliteStore(
        settings.database_path,
        max_store_mb=settings.max_store_mb,
        min_free_disk_mb=settings.min_free_disk_mb,
    )


def build_service(settings: Settings, store: TaskStore, broker: Broker) -> OcrService:
    """The use cases over ``store`` and ``broker`` with the operator's lifecycle rules."""
    return OcrService(store, broker, policy=lifecycle_policy(settings))


def build_authenticator(settings: Settings, clients: ClientStore) -> Authenticator:
    """Token issuing and checking, signed with the configured key or the data folder's."""
    key = (
        settings.jwt_secret.get_secret_value().encode()
        if settings.jwt_secret
        else load_or_create_signing_key(settings.data_dir)
    )
    return Authenticator(clients, key, ttl_seconds=settings.token_ttl_seconds)


@dataclass(frozen=True, kw_only=True)
class Components:
    """Everything one API process serves with."""

    store: Store
    service: OcrService
    authenticator: Authenticator


def build(settings: Settings, broker: Broker, *, store: Store | None = None) -> Components:
    """Store (unless given), service and authenticator for an API process."""
    store = store if store is not None else open_store(settings)
    return Components(
        store=store,
        service=build_service(settings, store, broker),
        authenticator=build_authenticator(settings, store),
    )
