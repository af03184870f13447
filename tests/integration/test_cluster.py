"""Distributed mode on one machine, as an operator would run it: acceptance across API nodes, and
what a SIGKILLed worker node, a SIGKILLed API node, a restarted redis-server and full queues do."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from PIL import Image

from ocrhive.broker.memory import MemoryBroker
from ocrhive.domain.recognition import ArtifactKind, Family, RecognitionSettings
from ocrhive.domain.task import Artifact, NewTask, TaskChange, TaskStatus
from ocrhive.errors import Unavailable
from ocrhive.service import LifecyclePolicy, OcrService, Requester
from ocrhive.store.redis import RedisStore
from tests.conftest import (
    Cluster,
    OcrhiveNode,
    RedisServer,
    b64,
    png_bytes,
    text_page,
)
from tests.textmetrics import cer

pytestmark = pytest.mark.slow

#: a GET waits this long for an unfinished task; short, so polls stay responsive
NODE_ENV = {"OCRHIVE_GET_WAIT_SECONDS": "1"}
#: the embedded default's problem body type, for both 4xx and 5xx answers
PROBLEM = "application/problem+json"


# -- helpers ----------------------------------------------------------------------------------


def line_for(i: int) -> str:
    """A distinct line per task: its number is what proves the right result came back."""
    return f"Parcel {1000 + 37 * i} leaves the north depot at dawn"


def page_for(i: int) -> bytes:
    return png_bytes(text_page([line_for(i)], size=40, width=1300))


def folded(text: str) -> str:
    return " ".join(text.split())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submit(
    node: OcrhiveNode, token: str | None, body: dict[str, Any], family: str = "RecognizeImage"
) -> str:
    headers = bearer(token) if token else {}
    response = httpx.post(f"{node.url}/v5.0/ocr/{family}", json=body, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    return response.text


def fetch(
    node: OcrhiveNode, token: str | None, task_id: str, family: str = "RecognizeImage"
) -> dict[str, Any]:
    headers = bearer(token) if token else {}
    response = httpx.get(
        f"{node.url}/v5.0/ocr/{family}", params={"id": task_id}, headers=headers, timeout=60
    )
    assert response.status_code == 200, response.text
    doc: dict[str, Any] = response.json()
    return doc


def wait_final(
    node: OcrhiveNode,
    token: str | None,
    task_id: str,
    *,
    family: str = "RecognizeImage",
    timeout: float = 60,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        doc = fetch(node, token, task_id, family)
        if doc["taskStatus"] in ("Completed", "Error", "NotExist"):
            return doc
        if time.monotonic() > deadline:
            raise AssertionError(f"{task_id} not final after {timeout} s: {doc}")
        time.sleep(0.1)


def text_of(doc: dict[str, Any]) -> str:
    assert doc["taskStatus"] == "Completed", doc
    [item] = doc["results"]
    assert item["type"] == "Text"
    return base64.b64decode(item["data"]).decode("utf-8")


def db(cluster: Cluster) -> redis.Redis:
    return redis.Redis.from_url(cluster.redis.url, socket_timeout=5)


def events(nodes: list[OcrhiveNode], event: str) -> list[dict[str, str]]:
    """Every ``event`` line in the nodes' logs (key=value lines), as a dict of its fields."""
    found = []
    for node in nodes:
        for line in node.log_path.read_text(errors="replace").splitlines():
            if f"event='{event}'" in line:
                found.append(dict(re.findall(r"(\w+)=('[^']*'|\S+)", line)))
    return [{k: v.strip("'") for k, v in fields.items()} for fields in found]


def completions(nodes: list[OcrhiveNode]) -> Counter[tuple[str, str]]:
    """How often each (task id, stored) pair was logged as ``task_completed``."""
    return Counter((e["task_id"], e["stored"]) for e in events(nodes, "task_completed"))


@pytest.fixture
def make_cluster(tmp_path: Path) -> Iterator[Callable[..., Cluster]]:
    """Builds clusters with their own redis-server (tests here stop and restart it)."""
    made: list[Cluster] = []

    def make(*, env: dict[str, str] | None = None, worker_count: int = 2) -> Cluster:
        server = RedisServer(folder=tmp_path / f"redis{len(made)}")
        server.start()
        cluster = Cluster(
            folder=tmp_path / f"cluster{len(made)}",
            redis=server,
            env={**NODE_ENV, **(env or {})},
            worker_count=worker_count,
        )
        made.append(cluster)
        cluster.start()
        return cluster

    yield make
    for cluster in made:
        cluster.stop()
        cluster.redis.stop()


# -- 1. acceptance ----------------------------------------------------------------------------


def test_a_new_user_works_across_api_nodes(make_cluster: Callable[..., Cluster]) -> None:
    cluster = make_cluster()
    a, b = cluster.api_nodes
    out = subprocess.run(
        [sys.executable, "-m", "ocrhive.cli", "clients", "add", "alice"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **cluster.node_env},
        timeout=60,
    )
    [line] = out.stdout.splitlines()
    alice = json.loads(line)
    assert set(alice) == {"client_id", "client_secret"}

    # a token issued by A is honoured by B: the signing key is shared through Redis
    token = cluster.token(alice, node=0)
    bob = cluster.token(cluster.add_client("bob"), node=1)

    ids = [submit(a, token, {"image": b64(page_for(i))}) for i in range(20)]
    assert len(set(ids)) == 20
    for i, task_id in enumerate(ids):
        assert folded(text_of(wait_final(b, token, task_id))) == line_for(i), (i, task_id)

    # another client sees nothing of alice's, through either node, and cannot delete it
    for node in (a, b):
        assert fetch(node, bob, ids[0])["taskStatus"] == "NotExist"
        assert httpx.delete(
            f"{node.url}/v5.0/ocr/RecognizeImage", params={"id": ids[0]}, headers=bearer(bob)
        ).is_success
    assert fetch(a, token, ids[0])["taskStatus"] == "Completed"

    # a trial task needs no token and is readable from the other node
    trial = submit(b, None, {"image": b64(page_for(99))}, family="RecognizeImageTrial")
    trial_text = text_of(wait_final(a, None, trial, family="RecognizeImageTrial"))
    assert "dawn" in trial_text or str(1000 + 37 * 99) in trial_text, trial_text

    for node in (a, b):
        bad = httpx.post(
            f"{node.url}/v5.0/ocr/RecognizeImage",
            json={"image": "this is not base64 !!"},
            headers=bearer(token),
        )
        assert bad.status_code == 400, bad.text
        assert bad.headers["content-type"].startswith(PROBLEM)

    deleted = httpx.delete(
        f"{b.url}/v5.0/ocr/RecognizeImage", params={"id": ids[1]}, headers=bearer(token)
    )
    assert deleted.status_code == 200
    assert fetch(a, token, ids[1])["taskStatus"] == "NotExist"
    assert not db(cluster).exists(f"ocrhive:task:{ids[1]}", f"ocrhive:results:{ids[1]}")


# -- 2. a worker node dies mid-task -----------------------------------------------------------

#: pages of the long task: distinct lines per page, so a result from another task cannot pass
LONG_PAGES = [
    [f"Sheet {p} row {r:02d}: the quick brown fox jumps over the lazy dog" for r in range(30)]
    for p in range(1, 4)
]


def long_pdf() -> bytes:
    """A scanned PDF that takes one worker several seconds, long enough to be killed mid-task."""
    images = [
        text_page(lines, size=30, width=1400).convert("1", dither=Image.Dither.NONE)
        for lines in LONG_PAGES
    ]
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=200)
    return buf.getvalue()


def parent_pid(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^PPid:\s+(\d+)$", status, re.MULTILINE)
    assert match, status
    return int(match.group(1))


def node_holding(cluster: Cluster, task_id: str, timeout: float = 30) -> OcrhiveNode:
    """The worker node whose pool process has claimed ``task_id`` (the record names the
    process as ``hostname:pid``; the pool process is a child of the node's main process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker = db(cluster).hget(f"ocrhive:task:{task_id}", "worker")
        if worker:
            pid = int(worker.decode().rpartition(":")[2])
            [node] = [n for n in cluster.worker_nodes if n.proc and n.proc.pid == parent_pid(pid)]
            return node
        time.sleep(0.05)
    raise AssertionError(f"no worker claimed {task_id} within {timeout} s")


def test_a_task_of_a_sigkilled_worker_node_completes_on_the_other(
    make_cluster: Callable[..., Cluster], record_property: Callable[[str, object], None]
) -> None:
    cluster = make_cluster()
    a, b = cluster.api_nodes
    token = cluster.token(cluster.add_client("alice"))
    body = {"image": b64(long_pdf())}

    task_id = submit(a, token, body, family="RecognizePdf")
    holder = node_holding(cluster, task_id)
    survivor = next(n for n in cluster.worker_nodes if n is not holder)
    time.sleep(1.0)
    # still running when killed: the survivor's log below shows it started again (attempt 2)
    assert fetch(b, token, task_id, "RecognizePdf")["taskStatus"] == "Processing"
    killed_at, killed_wall = time.monotonic(), time.time()
    holder.kill()

    doc = wait_final(b, token, task_id, family="RecognizePdf", timeout=60)
    recovery = time.monotonic() - killed_at
    # the other node started it again (its log's clock is the wall clock, as time.time())
    [restart] = [e for e in events([survivor], "task_started") if e["task_id"] == task_id]
    assert restart["attempt"] == "2", restart
    rerun = datetime.fromisoformat(restart["timestamp"]).timestamp() - killed_wall
    record_property("kill_to_restart_seconds", round(rerun, 1))
    record_property("kill_to_completed_seconds", round(recovery, 1))
    print(
        f"SIGKILL to started again {rerun:.1f} s, to Completed {recovery:.1f} s "
        f"(the run itself {recovery - rerun:.1f} s)"
    )
    pages = text_of(doc).split("\f")
    assert len(pages) == len(LONG_PAGES)
    for got, lines in zip(pages, LONG_PAGES, strict=True):
        assert cer(got, "\n".join(lines)) < 0.02
    assert rerun < 30, f"started again {rerun:.1f} s after the SIGKILL"
    assert recovery < 45, f"{recovery:.1f} s from SIGKILL to Completed"
    assert completions([survivor])[(task_id, "True")] == 1
    assert db(cluster).hget(f"ocrhive:task:{task_id}", "attempts") == b"2"


# -- 3. redis-server restarts under load ------------------------------------------------------


#: how long redis-server stays down: a restart's worth, below the worker heartbeat's 15 s
OUTAGE_SECONDS = 6.0


def assert_unavailable(response: httpx.Response) -> None:
    """Redis away: a 503 the client can act on, never a 500 or a dropped connection."""
    assert response.status_code == 503, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    assert float(response.headers["retry-after"]) > 0


def test_fifty_tasks_survive_a_redis_restart_each_completed_once(
    make_cluster: Callable[..., Cluster], record_property: Callable[[str, object], None]
) -> None:
    cluster = make_cluster()
    a, b = cluster.api_nodes
    token = cluster.token(cluster.add_client("alice"))
    with ThreadPoolExecutor(8) as pool:
        # submitted at once, so that most are still waiting or running when Redis stops
        ids = list(
            pool.map(lambda i: submit((a, b)[i % 2], token, {"image": b64(page_for(i))}), range(50))
        )

    def final_count() -> int:
        pipe = db(cluster).pipeline(transaction=False)
        for task_id in ids:
            pipe.hget(f"ocrhive:task:{task_id}", "status")
        return sum(1 for status in pipe.execute() if status in (b"Completed", b"Error"))

    deadline = time.monotonic() + 60
    while (done_at_stop := final_count()) < 3:
        assert time.monotonic() < deadline, "no task finished within 60 s"
        time.sleep(0.02)
    cluster.redis.stop()
    assert done_at_stop <= 25, f"{done_at_stop} of 50 already final: the outage tests too little"

    # a restart's worth of outage; every answer meanwhile is a 503 with Retry-After
    down_started = time.monotonic()
    probes = 0
    with (
        httpx.Client(headers=bearer(token), timeout=30) as api,
        httpx.Client(timeout=30) as anonymous,
    ):
        while time.monotonic() - down_started < OUTAGE_SECONDS:
            for node in (a, b):
                body = {"image": b64(page_for(0))}
                assert_unavailable(api.post(f"{node.url}/v5.0/ocr/RecognizeImage", json=body))
                assert_unavailable(
                    anonymous.post(f"{node.url}/v5.0/ocr/RecognizeImageTrial", json=body)
                )
                for path in ("RecognizeImage", "Utilities/GetTaskStatus"):
                    assert_unavailable(
                        api.get(f"{node.url}/v5.0/ocr/{path}", params={"id": ids[-1]})
                    )
                probes += 4
            time.sleep(0.5)
    down_for = time.monotonic() - down_started

    cluster.redis.start()
    back_at = time.monotonic()
    left = list(ids)
    while left:
        assert time.monotonic() < back_at + 120, f"{len(left)} unfinished 120 s after Redis is back"
        if db(cluster).hget(f"ocrhive:task:{left[0]}", "status") in (b"Completed", b"Error"):
            left.pop(0)
        else:
            time.sleep(0.1)
    drained = time.monotonic() - back_at
    record_property("final_when_redis_stopped", done_at_stop)
    record_property("redis_down_seconds", round(down_for, 1))
    record_property("redis_back_to_all_final_seconds", round(drained, 1))
    print(
        f"{done_at_stop}/50 final when Redis stopped; down {down_for:.1f} s ({probes} probes, "
        f"all 503); all 50 final {drained:.1f} s after it came back"
    )

    for i, task_id in enumerate(ids):
        assert folded(text_of(fetch((b, a)[i % 2], token, task_id))) == line_for(i), task_id
    stored = completions(cluster.worker_nodes)
    assert [t for t in ids if stored[(t, "True")] != 1] == [], stored
    # and nothing else was stored twice under another id
    assert sum(n for (_, ok), n in stored.items() if ok == "True") == 50


# -- 4. an API node dies ----------------------------------------------------------------------


def test_tasks_accepted_by_a_sigkilled_api_node_are_served_by_the_other(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster()
    a, b = cluster.api_nodes
    token = cluster.token(cluster.add_client("alice"), node=0)
    ids = [submit(a, token, {"image": b64(page_for(i))}) for i in range(10)]
    a.kill()  # right after its last answer: most of these are still waiting or running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{a.url}/health", timeout=5)
    for i, task_id in enumerate(ids):
        assert folded(text_of(wait_final(b, token, task_id))) == line_for(i), task_id


# -- 5. backpressure --------------------------------------------------------------------------


def refused(node: OcrhiveNode, token: str) -> httpx.Response:
    response = httpx.post(
        f"{node.url}/v5.0/ocr/RecognizeImage",
        json={"image": b64(page_for(7))},
        headers=bearer(token),
        timeout=30,
    )
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert float(response.headers["retry-after"]) > 0
    return response


def test_full_queues_answer_429_and_enqueue_nothing(make_cluster: Callable[..., Cluster]) -> None:
    cluster = make_cluster(
        env={"OCRHIVE_MAX_PENDING_PER_CLIENT": "3", "OCRHIVE_MAX_PENDING": "5"}, worker_count=0
    )
    a, b = cluster.api_nodes
    alice = cluster.token(cluster.add_client("alice"))
    bob = cluster.token(cluster.add_client("bob"))
    carol = cluster.token(cluster.add_client("carol"))
    store = db(cluster)

    mine = [submit((a, b)[i % 2], alice, {"image": b64(page_for(i))}) for i in range(3)]
    for node in (a, b):
        assert "per client" in refused(node, alice).json()["detail"]
    # nothing was saved or queued for the refused submits: no record, no Celery message
    assert store.zcard("ocrhive:pending") == 3
    assert store.llen("ocrhive") == 3
    assert len(list(store.scan_iter("ocrhive:task:*"))) == 3

    # bob is not held back by alice's cap, until the whole service is full
    theirs = [submit(b, bob, {"image": b64(page_for(10 + i))}) for i in range(2)]
    # each API node recounts the whole queue at most every 0.5 s (service._COUNT_EVERY), so
    # the whole-service cap holds once a fresh count is due
    time.sleep(0.6)
    assert "service" in refused(a, bob).json()["detail"]
    assert "service" in refused(b, carol).json()["detail"]
    assert store.zcard("ocrhive:pending") == 5 and store.llen("ocrhive") == 5

    # a worker node drains the queue, and submits are taken again
    cluster.add_worker_node()
    cluster.wait_ready()
    for i, task_id in enumerate(mine):
        assert folded(text_of(wait_final(b, alice, task_id))) == line_for(i)
    for i, task_id in enumerate(theirs):
        assert folded(text_of(wait_final(a, bob, task_id))) == line_for(10 + i)
    assert store.zcard("ocrhive:pending") == 0
    again = submit(a, alice, {"image": b64(page_for(20))})
    assert folded(text_of(wait_final(b, alice, again))) == line_for(20)


# -- the store under a lost reply -------------------------------------------------------------
# Found by the restart test above: Redis stopping between running a status change and sending
# its reply made the worker's retry hear "not yours any more", and log its stored result as
# dropped (stored=False). A relay that cuts the reply makes the case deterministic.


class ReplyCutter:
    """A TCP relay in front of redis-server that, once armed, passes the next script call on and
    then closes the client's connection instead of sending the reply, as a stopping Redis does."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.armed = threading.Event()
        self.cut = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while self._listener.fileno() != -1:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
            cutting = threading.Event()
            for args in ((client, server, cutting, True), (server, client, cutting, False)):
                threading.Thread(target=self._pump, args=args, daemon=True).start()

    def _pump(
        self, src: socket.socket, dst: socket.socket, cutting: threading.Event, upstream: bool
    ) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if upstream and self.armed.is_set() and b"EVALSHA" in data:
                    self.armed.clear()
                    cutting.set()
                elif not upstream and cutting.is_set():
                    self.cut.set()  # the script ran; its reply never reaches the client
                    break
                dst.sendall(data)
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def processing_task(store: RedisStore, worker: str) -> str:
    now = time.time()
    task_id = str(uuid.uuid4())
    task = NewTask(
        id=task_id,
        family=Family.RECOGNIZE_IMAGE,
        owner="alice",
        settings=RecognitionSettings(),
        created_at=now,
        expires_at=now + 600,
    )
    store.save(task, b"image")
    claim = TaskChange(status=TaskStatus.PROCESSING, at=now, worker=worker, started_at=now)
    assert store.apply(task_id, claim, expect=TaskStatus.PENDING)
    return task_id


COMPLETE = TaskChange(
    status=TaskStatus.COMPLETED,
    at=0.0,
    results=(Artifact(kind=ArtifactKind.TEXT, data=b"Parcel 1000"),),
)


def test_a_completion_whose_reply_was_lost_is_known_as_applied_on_retry(
    redis_server: RedisServer,
) -> None:
    relay = ReplyCutter(redis_server.port)
    prefix = f"t{uuid.uuid4().hex[:12]}"
    store = RedisStore(relay.url, prefix=prefix, timeout=2)
    direct = redis.Redis.from_url(redis_server.url)
    try:
        task_id = processing_task(store, "host:1")
        relay.armed.set()
        with pytest.raises(Unavailable):
            store.apply(task_id, COMPLETE, expect=TaskStatus.PROCESSING, holder="host:1")
        assert relay.cut.is_set()
        # the change did land: only its answer was lost
        assert direct.hget(f"{prefix}:task:{task_id}", "status") == b"Completed"
        # the worker's back-off loop tries the same change again, and must hear "stored"
        assert store.apply(task_id, COMPLETE, expect=TaskStatus.PROCESSING, holder="host:1")
        assert direct.lrange(f"{prefix}:results:{task_id}", 0, -1) == [b"Text\nParcel 1000"]
        # a change that did not land is not taken for one that did: another holder still loses
        other = processing_task(store, "host:2")
        assert not store.apply(other, COMPLETE, expect=TaskStatus.PROCESSING, holder="host:1")
        assert not store.apply(task_id, COMPLETE, expect=TaskStatus.PROCESSING, holder="host:1")
    finally:
        store.close()
        direct.close()
        relay.close()


def test_a_claim_whose_reply_was_lost_is_resumed_by_its_worker(redis_server: RedisServer) -> None:
    relay = ReplyCutter(redis_server.port)
    store = RedisStore(relay.url, prefix=f"t{uuid.uuid4().hex[:12]}", timeout=2)
    service = OcrService(store, MemoryBroker(), policy=LifecyclePolicy())
    try:
        alice = Requester(client_id="alice")
        task_id = service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), b"image", alice)
        # a first call loads the script into Redis: the relay must cut a real run, not NOSCRIPT
        change = TaskChange(status=TaskStatus.PROCESSING, at=0.0)
        assert not store.apply("no-such-task", change, expect=TaskStatus.PENDING)
        relay.armed.set()
        with pytest.raises(Unavailable):
            service.claim(task_id, "host:1")
        assert relay.cut.is_set()
        # the worker's back-off loop claims again: the task is its own, not someone else's
        assert service.claim(task_id, "host:2") is None
        claimed = service.claim(task_id, "host:1")
        assert claimed is not None and claimed.image == b"image" and claimed.attempts == 1
        assert [(t.id, t.worker) for t in store.running()] == [(task_id, "host:1")]
    finally:
        store.close()
        relay.close()
