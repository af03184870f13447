"""The Redis store beyond the shared contract, on a real redis-server: worker heartbeats, the
shared signing key, and a Redis that cannot be reached answering as the service expects."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from ocrhive.broker.celery import CeleryBroker, celery_app
from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.domain.task import NewTask
from ocrhive.errors import Unavailable
from ocrhive.service import LifecyclePolicy, OcrService
from ocrhive.store.redis import RedisStore
from tests.conftest import RedisServer, free_port


def fresh(redis_server: RedisServer) -> RedisStore:
    return RedisStore(redis_server.url, prefix=f"t{uuid.uuid4().hex[:12]}")


def test_heartbeats_say_who_is_alive_until_they_expire(redis_server: RedisServer) -> None:
    store = fresh(redis_server)
    store.beat("host:1", ttl=0.5)
    store.beat("host:2", ttl=30)
    assert store.live_workers() == {"host:1", "host:2"}
    store.forget_worker("host:2")
    time.sleep(0.7)
    assert store.live_workers() == set()


def test_every_api_node_gets_the_same_signing_key(redis_server: RedisServer) -> None:
    a = fresh(redis_server)
    b = RedisStore(redis_server.url, prefix=a._p)
    key = a.signing_key()
    assert len(key) >= 32 and b.signing_key() == key
    assert fresh(redis_server).signing_key() != key


def test_pending_counts_per_owner_follow_claims(redis_server: RedisServer) -> None:
    store = fresh(redis_server)
    now = time.time()
    for i, owner in enumerate(["alice", "alice", "bob", None]):
        store.save(
            NewTask(
                id=f"t{i}",
                family=Family.RECOGNIZE_IMAGE_TRIAL if owner is None else Family.RECOGNIZE_IMAGE,
                owner=owner,
                settings=RecognitionSettings(),
                created_at=now,
                expires_at=now + 60,
            ),
            b"x",
        )
    assert (store.count_pending(), store.count_pending("alice"), store.count_pending("bob")) == (
        4,
        2,
        1,
    )
    assert store.delete("t0")
    assert store.count_pending() == 3 and store.count_pending("alice") == 1


def test_an_unreachable_redis_is_unavailable_not_a_crash() -> None:
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    with pytest.raises(Unavailable) as caught:
        store.load("x", now=time.time())
    assert caught.value.status_code == 503 and caught.value.retry_after > 0
    assert not store.ping()
    assert store.storage_state().full


def test_tasks_whose_message_was_lost_get_a_new_one(redis_server: RedisServer) -> None:
    """A record saved while its message never reached the queue (a broker dying between
    handing a message out and hearing it was received) is published again by the sweep."""
    prefix = f"t{uuid.uuid4().hex[:12]}"
    store = RedisStore(redis_server.url, prefix=prefix)
    # a database of its own, so the queue holds only this test's messages
    url = redis_server.url.rsplit("/", 1)[0] + "/7"
    redis.Redis.from_url(url).flushdb()
    broker = CeleryBroker(celery_app(url, max_task_seconds=100))
    service = OcrService(store, broker, policy=LifecyclePolicy())
    then = time.time() - 120
    for i in range(3):
        store.save(
            NewTask(
                id=f"lost{i}",
                family=Family.RECOGNIZE_IMAGE,
                owner="alice",
                settings=RecognitionSettings(),
                created_at=then,
                expires_at=then + 3600,
            ),
            b"x",
        )
    before = broker.waiting()
    assert service.republish_lost(before, older_than=30) == 3
    assert broker.waiting() == before + 3
    assert service.republish_lost(broker.waiting(), older_than=30) == 0
