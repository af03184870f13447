"""The sweeper of a distributed worker node: every few seconds it gives back tasks whose worker's
heartbeat has expired, ends overdue tasks, and now and then drops expired ids. Every node runs
one; the store's compare-and-set makes several sweepers safe."""

from __future__ import annotations

import time

import structlog

from ocrhive import composition
from ocrhive.broker.celery import CeleryBroker
from ocrhive.config import Settings
from ocrhive.confinement import die_with_parent
from ocrhive.logs import configure_logging
from ocrhive.service import LossCause
from ocrhive.store.redis import RedisStore

log = structlog.get_logger("ocrhive.sweeper")

#: how often lost workers and overdue tasks are looked for, seconds
SWEEP_INTERVAL = 3.0
#: how often expired ids are dropped from the queue sets, seconds
EXPIRY_INTERVAL = 60.0
#: how often Pending tasks without a message are looked for, and how long a task must have
#: waited before it counts as one, seconds (a submit between its save and its publish must not)
REPUBLISH_INTERVAL = 20.0
REPUBLISH_AFTER = 20.0


def run_sweeper(settings: Settings) -> None:
    """The sweeper process's loop (runs until its node stops)."""
    die_with_parent()
    configure_logging(settings.log_level)
    store = RedisStore(settings.redis_url or "")
    broker = CeleryBroker(composition.celery(settings))
    service = composition.build_service(settings, store, broker)
    deliverer = (
        composition.deliverer(settings, store, service.webhooks) if service.webhooks else None
    )
    last_expiry = last_republish = 0.0
    failing = False
    while True:
        time.sleep(SWEEP_INTERVAL)
        try:
            service.release_orphans(store.live_workers(), LossCause.WORKER_LOST)
            service.enforce_time_limits()
            if deliverer is not None:
                while deliverer.deliver_due():
                    pass
            if time.monotonic() - last_republish >= REPUBLISH_INTERVAL:
                last_republish = time.monotonic()
                service.republish_lost(broker.waiting(), older_than=REPUBLISH_AFTER)
            if time.monotonic() - last_expiry >= EXPIRY_INTERVAL:
                last_expiry = time.monotonic()
                service.expire()
            if failing:
                log.info("sweeper_resumed")
            failing = False
        except Exception as exc:  # Redis away: sweep again when it is back
            if not failing:
                log.warning("sweeper_paused", error=f"{type(exc).__name__}: {exc}")
            failing = True
