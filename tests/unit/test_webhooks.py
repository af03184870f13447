"""Webhooks' pure parts and the service's side: the retry schedule, the signature, the target
allow-list, and which transitions queue a delivery (on the in-memory adapters)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from ocrhive.broker.memory import MemoryBroker
from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.domain.task import Outcome
from ocrhive.domain.webhooks import RETRY_DELAYS, Delivery, DeliveryState, Endpoint, signature
from ocrhive.errors import InvalidRequest
from ocrhive.service import LifecyclePolicy, LossCause, OcrService, Requester
from ocrhive.store.memory import MemoryStore
from ocrhive.store.webhooks_memory import MemoryWebhookStore
from ocrhive.webhooks.targets import TargetPolicy

ALICE = Requester(client_id="alice")


def test_failed_attempts_are_retried_with_growing_delays_then_give_up() -> None:
    d = Delivery(id="d", task_id="t", client_id="c", url="u")
    at = 100.0
    for delay in RETRY_DELAYS:
        d = d.after_attempt(at=at, status=503, error="busy")
        assert d.state is DeliveryState.PENDING and d.next_at == at + delay
        at = d.next_at
    d = d.after_attempt(at=at, status=0, error="timeout")
    assert d.state is DeliveryState.FAILED and d.attempts == len(RETRY_DELAYS) + 1
    ok = Delivery(id="d", task_id="t", client_id="c", url="u").after_attempt(
        at=5.0, status=200, error=""
    )
    assert ok.state is DeliveryState.DELIVERED and ok.delivered_at == 5.0


def test_the_signature_covers_the_timestamp_and_the_body() -> None:
    body = b'{"id":"x"}'
    expected = hmac.new(b"key", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("key", 1700000000, body) == f"sha256={expected}"
    assert signature("key", 1700000001, body) != signature("key", 1700000000, body)


def test_private_targets_need_the_operators_permission() -> None:
    default = TargetPolicy.parse("public")
    assert default.refusal("http://127.0.0.1:9/hook") is not None
    assert default.refusal("http://169.254.169.254/latest") is not None
    assert default.refusal("http://10.1.2.3/x") is not None
    assert default.refusal("https://93.184.216.34/hook") is None  # a public address
    assert default.refusal("ftp://93.184.216.34/") is not None
    assert default.refusal("/relative") is not None
    lab = TargetPolicy.parse("127.0.0.0/8, hooks.internal")
    assert lab.refusal("http://127.0.0.1:9/hook") is None
    assert lab.refusal("http://hooks.internal/x") is None
    assert lab.refusal("https://93.184.216.34/hook") is not None  # public not listed
    assert TargetPolicy.parse("").refusal("https://93.184.216.34/") is not None


def make() -> tuple[OcrService, MemoryWebhookStore]:
    hooks = MemoryWebhookStore()
    service = OcrService(
        MemoryStore(), MemoryBroker(), policy=LifecyclePolicy(max_attempts=1), webhooks=hooks
    )
    return service, hooks


def submit(service: OcrService, who: Requester = ALICE, callback: str | None = None) -> str:
    family = Family.RECOGNIZE_IMAGE_TRIAL if who.anonymous else Family.RECOGNIZE_IMAGE
    return service.submit(family, RecognitionSettings(), b"img", who, callback=callback)


def test_a_final_task_queues_one_delivery_to_its_callback_or_its_endpoint() -> None:
    service, hooks = make()
    hooks.set_endpoint(Endpoint(client_id="alice", url="https://a.example/all", secret="s"))
    own = submit(service, callback="https://a.example/own")
    plain = submit(service)
    for task_id in (own, plain):
        claimed = service.claim(task_id, "w")
        assert claimed is not None
        assert hooks.deliveries(task_id) == []  # not before it is final
        service.complete(claimed, "w", Outcome())
    assert [d.url for d in hooks.deliveries(own)] == ["https://a.example/own"]
    assert [d.url for d in hooks.deliveries(plain)] == ["https://a.example/all"]


def test_errors_count_too_and_cancellation_does_not() -> None:
    service, hooks = make()
    hooks.set_endpoint(Endpoint(client_id="alice", url="https://a.example/all", secret="s"))
    lost, cancelled = submit(service), submit(service)
    service.claim(lost, "w")
    [running] = service.store.running()
    service.release(running, LossCause.WORKER_DIED)  # max_attempts=1: Error
    assert len(hooks.deliveries(lost)) == 1
    service.cancel(cancelled, ALICE)
    assert hooks.deliveries(cancelled) == []


def test_no_endpoint_url_means_no_delivery() -> None:
    service, hooks = make()
    hooks.set_endpoint(Endpoint(client_id="alice", url=None, secret="s"))
    task_id = submit(service)
    claimed = service.claim(task_id, "w")
    assert claimed is not None
    service.complete(claimed, "w", Outcome())
    assert hooks.deliveries(task_id) == []


def test_callbacks_need_a_secret_and_a_client() -> None:
    service, _ = make()
    with pytest.raises(InvalidRequest, match="webhook secret"):
        submit(service, callback="https://a.example/own")
    with pytest.raises(InvalidRequest, match="Trial"):
        submit(service, Requester(client_id=None), callback="https://a.example/own")
    assert service.store.count_pending() == 0
