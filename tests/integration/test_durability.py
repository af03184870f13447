"""Nothing is lost: SIGKILLed workers, a SIGKILLed server, bounded retries and retention."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.conftest import LiveServer, b64, png_bytes, text_page

pytestmark = pytest.mark.slow


def big_page() -> bytes:
    """A dense page that takes the engine a few seconds, long enough to be killed mid-task."""
    lines = [f"Line {i:03d}: the quick brown fox jumps over the lazy dog again" for i in range(70)]
    return png_bytes(text_page(lines, size=30, width=1500))


_clients: list[httpx.Client] = []


def client(server: LiveServer) -> httpx.Client:
    token = server.token(server.add_client())
    made = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    _clients.append(made)
    return made


@pytest.fixture(autouse=True)
def _close_clients() -> Any:
    yield
    while _clients:
        _clients.pop().close()


def status(api: httpx.Client, task_id: str) -> dict[str, Any]:
    doc: dict[str, Any] = api.get(
        "/v5.0/ocr/Utilities/GetTaskStatus", params={"id": task_id}
    ).json()
    return doc


def wait_status(
    api: httpx.Client, task_id: str, wanted: set[str], timeout: float = 120
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = status(api, task_id)
        if doc["taskStatus"] in wanted:
            return doc
        time.sleep(0.05)
    raise AssertionError(f"{task_id} never reached {wanted}: {doc}")


_killed: set[int] = set()


def kill_worker_holding(server: LiveServer, api: httpx.Client, task_id: str) -> None:
    """SIGKILL the (only) worker once it holds ``task_id``; never the same process twice."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = [p for p in server.worker_pids() if p not in _killed]
        if pids and status(api, task_id)["taskStatus"] == "Processing":
            # the worker may be a fresh replacement that has not claimed yet: check it holds it
            time.sleep(0.3)
            if status(api, task_id)["taskStatus"] == "Processing" and pids == [
                p for p in server.worker_pids() if p not in _killed
            ]:
                [pid] = pids
                os.kill(pid, signal.SIGKILL)
                _killed.add(pid)
                return
        time.sleep(0.05)
    raise AssertionError("no worker took the task")


def test_a_worker_killed_mid_task_loses_nothing(server_factory: Any) -> None:
    server: LiveServer = server_factory(workers=1)
    server.start()
    api = client(server)
    task_id = api.post("/v5.0/ocr/RecognizeImage", json={"image": b64(big_page())}).text
    kill_worker_holding(server, api, task_id)
    doc = wait_status(api, task_id, {"Completed", "Error"})
    assert doc["taskStatus"] == "Completed", doc
    result = api.get("/v5.0/ocr/RecognizeImage", params={"id": task_id}).json()
    assert result["results"][0]["type"] == "Text"
    health = httpx.get(f"{server.url}/health").json()
    assert health["workers"]["alive"] == 1
    assert "worker_died" in server.log() and "task_released" in server.log()


def test_a_task_that_keeps_killing_workers_ends_in_error_after_bounded_attempts(
    server_factory: Any,
) -> None:
    server: LiveServer = server_factory(workers=1, env={"OCRHIVE_MAX_ATTEMPTS": "2"})
    server.start()
    api = client(server)
    task_id = api.post("/v5.0/ocr/RecognizeImage", json={"image": b64(big_page())}).text
    kill_worker_holding(server, api, task_id)
    kill_worker_holding(server, api, task_id)
    doc = wait_status(api, task_id, {"Completed", "Error"})
    assert doc["taskStatus"] == "Error"
    [message] = doc["error"]["messages"]
    assert "stopped unexpectedly" in message and "2 attempts" in message
    # the replacement worker serves the next task
    good = api.post("/v5.0/ocr/RecognizeImage", json={"image": b64(png_bytes(text_page()))}).text
    assert wait_status(api, good, {"Completed", "Error"})["taskStatus"] == "Completed"


def test_a_sigkilled_server_finishes_every_task_after_restart(server_factory: Any) -> None:
    server: LiveServer = server_factory(workers=1)
    server.start()
    api = client(server)
    ids = [api.post("/v5.0/ocr/RecognizeImage", json={"image": b64(big_page())}).text]
    ids += [
        api.post("/v5.0/ocr/RecognizeImage", json={"image": b64(png_bytes(text_page()))}).text
        for _ in range(4)
    ]
    wait_status(api, ids[0], {"Processing"})
    workers = server.worker_pids()
    server.kill()
    time.sleep(0.5)
    for pid in workers:  # the workers died with their parent: no orphan keeps a task
        proc = Path(f"/proc/{pid}/status")
        assert not proc.exists() or "zombie" in proc.read_text()
    server.proc = None
    server.start()
    for task_id in ids:
        assert wait_status(api, task_id, {"Completed", "Error"})["taskStatus"] == "Completed"
    texts = [api.get("/v5.0/ocr/RecognizeImage", params={"id": i}).json()["results"] for i in ids]
    assert all(t and t[0]["data"] for t in texts)


def test_results_expire_after_the_retention_time(server_factory: Any) -> None:
    server: LiveServer = server_factory(workers=1, env={"OCRHIVE_RETENTION_SECONDS": "3"})
    server.start()
    api = client(server)
    task_id = api.post("/v5.0/ocr/RecognizeImage", json={"image": b64(png_bytes(text_page()))}).text
    assert (
        api.get("/v5.0/ocr/RecognizeImage", params={"id": task_id}).json()["taskStatus"]
        == "Completed"
    )
    time.sleep(3.5)
    doc = api.get("/v5.0/ocr/RecognizeImage", params={"id": task_id}).json()
    assert doc["taskStatus"] == "NotExist" and doc["responseStatusCode"] == "TaskNotFound"


def test_a_second_server_on_the_same_data_folder_is_refused(server_factory: Any) -> None:
    first: LiveServer = server_factory(workers=1)
    first.start()
    second = LiveServer(data_dir=first.data_dir, workers=1)
    with pytest.raises(RuntimeError, match="already using the data folder"):
        second.start(timeout=20)
    assert isinstance(Image.new("L", (1, 1)), Image.Image)


def test_idle_workers_killed_jam_neither_submits_nor_shutdown(server_factory: Any) -> None:
    """Workers SIGKILLed while waiting for work (a multiprocessing Event's sleepers once made
    every later wake-up, and the server's shutdown, block forever)."""
    server: LiveServer = server_factory(workers=2)
    server.start()
    api = client(server)
    time.sleep(0.5)  # both idle, waiting for a wake-up
    for pid in server.worker_pids():
        os.kill(pid, signal.SIGKILL)
    server.wait_for_workers(2)
    started = time.monotonic()
    task_id = api.post(
        "/v5.0/ocr/RecognizeImage", json={"image": b64(png_bytes(text_page(["wake up"])))}
    ).text
    assert wait_status(api, task_id, {"Completed", "Error"})["taskStatus"] == "Completed"
    assert time.monotonic() - started < 30
    assert server.proc is not None
    stopping = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(25)
    assert time.monotonic() - stopping < 20
