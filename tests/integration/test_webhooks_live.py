"""Webhooks through a live embedded server and a real HTTP receiver on 127.0.0.1: registration,
a signed delivery that a receiver can verify, a retry after a failed attempt, the record the
client reads, and the allow-list refusing private targets by default."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.conftest import Cluster, LiveServer, RedisServer, b64, png_bytes, text_page

pytestmark = pytest.mark.slow


class Receiver:
    """A webhook receiver: answers the first ``fail_first`` POSTs with 500, then 204."""

    def __init__(self, fail_first: int = 1) -> None:
        self.fail_first = fail_first
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                failing = len(receiver.received) <= receiver.fail_first
                self.send_response(500 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def wait_for(check: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    return check()


def test_signed_delivery_with_a_retry_and_its_record(
    server_factory: Any, receiver: Receiver
) -> None:
    server: LiveServer = server_factory(workers=1, env={"OCRHIVE_WEBHOOK_ALLOW": "127.0.0.1"})
    server.start()
    token = server.token(server.add_client("alice"))
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        assert api.get("/v5.0/ocrhive/webhook").status_code == 404
        registered = api.put("/v5.0/ocrhive/webhook", json={"url": receiver.url})
        assert registered.status_code == 200, registered.text
        secret = registered.json()["secret"]
        again = api.put("/v5.0/ocrhive/webhook", json={"url": receiver.url}).json()
        assert again["secret"] == secret  # re-registering keeps the secret
        body = {"image": b64(png_bytes(text_page(["Webhook delivery test"])))}
        task_id = api.post("/v5.0/ocr/RecognizeImage", json=body).text
        # the first attempt gets a 500, the retry 10 s later a 204
        assert wait_for(lambda: len(receiver.received) >= 2, 40), receiver.received
        for headers, raw in receiver.received:
            stamp = headers["x-ocrhive-timestamp"]
            mac = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256)
            assert headers["x-ocrhive-signature"] == f"sha256={mac.hexdigest()}"
            doc = json.loads(raw)
            assert doc["id"] == task_id and doc["taskStatus"] == "Completed"
            assert doc["results"] is None  # the status, not the files: GET fetches those
        assert (
            receiver.received[0][0]["x-ocrhive-delivery"]
            == receiver.received[1][0]["x-ocrhive-delivery"]
        )

        def delivered() -> Any:
            record = api.get("/v5.0/ocrhive/webhook/deliveries", params={"id": task_id}).json()
            return record if record["deliveries"][0]["state"] == "delivered" else None

        record = wait_for(delivered, 10)
        assert record is not None
        [entry] = record["deliveries"]
        assert (
            entry["attempts"] == 2 and entry["lastStatus"] == 204 and entry["url"] == receiver.url
        )
        other = server.token(server.add_client("bob"))
        peek = httpx.get(
            f"{server.url}/v5.0/ocrhive/webhook/deliveries",
            params={"id": task_id},
            headers={"Authorization": f"Bearer {other}"},
        ).json()
        assert peek["deliveries"] == []  # another client's task


def test_a_task_callback_and_the_default_allow_list(server_factory: Any) -> None:
    server: LiveServer = server_factory(workers=1)  # default: public targets only
    server.start()
    token = server.token(server.add_client("alice"))
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        refused = api.put("/v5.0/ocrhive/webhook", json={"url": "http://127.0.0.1:9/hook"})
        assert refused.status_code == 400 and "allow-list" in refused.json()["detail"]
        body = {"image": b64(png_bytes(text_page(["x"])))}
        no_secret = api.post(
            "/v5.0/ocr/RecognizeImage",
            params={"callbackUrl": "http://10.0.0.1/x"},
            json=body,
        )
        assert no_secret.status_code == 400
        assert api.put("/v5.0/ocrhive/webhook", json={"url": None}).status_code == 200
        private = api.post(
            "/v5.0/ocr/RecognizeImage",
            params={"callbackUrl": "http://169.254.169.254/latest"},
            json=body,
        )
        assert private.status_code == 400 and "169.254.169.254" in private.json()["detail"]
        trial = httpx.post(
            f"{server.url}/v5.0/ocr/RecognizeImageTrial",
            params={"callbackUrl": "https://93.184.216.34/x"},
            json=body,
        )
        assert trial.status_code == 400


def test_a_cluster_delivers_from_its_worker_nodes(tmp_path: Any) -> None:
    """Distributed mode: registered on an API node, delivered by a worker node's sweeper."""
    redis_server = RedisServer(folder=tmp_path / "redis")
    redis_server.start()
    receiver = Receiver(fail_first=0)
    cluster = Cluster(
        folder=tmp_path / "cluster",
        redis=redis_server,
        env={"OCRHIVE_WEBHOOK_ALLOW": "127.0.0.1"},
        api_count=1,
        worker_count=1,
    )
    try:
        cluster.start()
        token = cluster.token(cluster.add_client("alice"))
        with httpx.Client(
            base_url=cluster.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as api:
            secret = api.put("/v5.0/ocrhive/webhook", json={"url": None}).json()["secret"]
            body = {"image": b64(png_bytes(text_page(["Cluster webhook"])))}
            task_id = api.post(
                "/v5.0/ocr/RecognizeImage", params={"callbackUrl": receiver.url}, json=body
            ).text
            assert wait_for(lambda: receiver.received, 40), cluster.log()
            [(headers, raw)] = receiver.received
            stamp = headers["x-ocrhive-timestamp"]
            mac = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256)
            assert headers["x-ocrhive-signature"] == f"sha256={mac.hexdigest()}"
            assert json.loads(raw)["id"] == task_id
    finally:
        cluster.stop()
        receiver.close()
        redis_server.stop()
