"""/metrics and the health probes on live servers: an embedded server's counters move as tasks
run in its worker processes (and survive those processes being killed), readiness fails and
recovers for real causes, and a distributed worker node serves its pool processes' counts."""

from __future__ import annotations

import io
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import (
    Cluster,
    LiveServer,
    OcrhiveNode,
    RedisServer,
    b64,
    free_port,
    png_bytes,
    text_page,
)

pytestmark = pytest.mark.slow

IMAGE = "/v5.0/ocr/RecognizeImage"
PDF = "/v5.0/ocr/RecognizePdf"


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text page, by name and labels."""
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def pool_processes(node_pid: int) -> list[int]:
    """A Celery node's pool processes: the children forked from it, so with its command line
    (the sweeper and multiprocessing's resource tracker are started afresh)."""
    node_cmdline = Path(f"/proc/{node_pid}/cmdline").read_bytes()
    found = []
    for task in Path(f"/proc/{node_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if Path(f"/proc/{child}/cmdline").read_bytes() == node_cmdline:
                found.append(int(child))
    return found


def two_page_pdf() -> bytes:
    pages = [
        text_page(["Page one of two."]).convert("RGB"),
        text_page(["Page two."]).convert("RGB"),
    ]
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=150)
    return buf.getvalue()


def run_all(api: httpx.Client, jobs: list[tuple[str, bytes]]) -> list[str]:
    """Submit every job, wait until each is final; their final statuses in order."""
    ids = []
    for path, data in jobs:
        response = api.post(path, json={"image": b64(data)})
        assert response.status_code == 200, response.text
        ids.append(response.text)
    statuses = []
    for (path, _), task_id in zip(jobs, ids, strict=True):
        deadline = time.monotonic() + 90
        while True:
            doc = api.get(path, params={"id": task_id}).json()
            if doc["taskStatus"] in ("Completed", "Error") or time.monotonic() > deadline:
                statuses.append(doc["taskStatus"])
                break
            time.sleep(0.2)
    return statuses


def test_embedded_metrics_count_the_work_of_every_process(server_factory: Any) -> None:
    server: LiveServer = server_factory(workers=2)
    server.start()
    assert httpx.get(f"{server.url}/health/live", timeout=5).status_code == 200
    assert httpx.get(f"{server.url}/health/ready", timeout=5).status_code == 200
    token = server.token(server.add_client())
    page = png_bytes(text_page())
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as api:
        statuses = run_all(
            api,
            [
                (IMAGE, page),
                (IMAGE, page),
                (IMAGE, b"just some text, not an image"),
                (PDF, two_page_pdf()),
            ],
        )
    assert statuses == ["Completed", "Completed", "Error", "Completed"]

    samples = scrape(f"{server.url}/metrics")
    assert value(samples, "ocrhive_tasks_submitted_total", family="RecognizeImage") == 3
    assert value(samples, "ocrhive_tasks_submitted_total", family="RecognizePdf") == 1
    assert value(samples, "ocrhive_tasks_completed_total", family="RecognizeImage") == 2
    assert value(samples, "ocrhive_tasks_completed_total", family="RecognizePdf") == 1
    assert value(samples, "ocrhive_tasks_failed_total", family="RecognizeImage") == 1
    assert value(samples, "ocrhive_tasks_failed_total", family="RecognizePdf") == 0
    assert value(samples, "ocrhive_task_wait_seconds_count", family="RecognizeImage") == 3
    assert value(samples, "ocrhive_task_run_seconds_count", family="RecognizeImage") == 3
    assert value(samples, "ocrhive_task_run_seconds_count", family="RecognizePdf") == 1
    assert value(samples, "ocrhive_task_run_seconds_sum", family="RecognizePdf") > 0
    # two one-page images and a two-page PDF; the failed task read nothing
    assert value(samples, "ocrhive_pages_read_total", engine="tesseract") == 4
    assert value(samples, "ocrhive_workers_alive") == 2
    assert value(samples, "ocrhive_tasks_pending") == 0
    assert ("ocrhive_tasks_pending", frozenset()) in samples
    posted = value(
        samples,
        "ocrhive_http_request_duration_seconds_count",
        method="POST",
        route=IMAGE,
        status="200",
    )
    assert posted == 3
    routes = {dict(labels).get("route") for name, labels in samples if "http_request" in name}
    assert {IMAGE, PDF, "/connect/token"} <= routes
    # GETs carried the ids in the query: no label holds one
    assert not any(r and any(c.isdigit() for c in r.replace("v5.0", "")) for r in routes)

    # kill every worker: the supervisor replaces them, their counts stay
    for pid in server.worker_pids():
        os.kill(pid, signal.SIGKILL)
    server.wait_for_workers(2)
    after = scrape(f"{server.url}/metrics")
    assert value(after, "ocrhive_tasks_completed_total", family="RecognizeImage") == 2
    assert value(after, "ocrhive_pages_read_total", engine="tesseract") == 4
    assert value(after, "ocrhive_workers_alive") == 2
    # the server's own folder: private, and not on the data disk (a mapped file on a full disk
    # would kill the server with SIGBUS)
    # a worker's start-up environment shows it (the server set it after its own start)
    environ = Path(f"/proc/{server.worker_pids()[0]}/environ").read_bytes().split(b"\0")
    [setting] = [e for e in environ if e.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
    folder = Path(setting.split(b"=", 1)[1].decode())
    assert folder.is_dir() and (folder.stat().st_mode & 0o077) == 0
    assert server.data_dir not in folder.parents


def test_readiness_and_a_worker_nodes_metrics_port(tmp_path: Path) -> None:
    redis = RedisServer(folder=tmp_path / "redis")
    redis.start()
    cluster = Cluster(folder=tmp_path / "cluster", redis=redis, api_count=1, worker_count=0)
    try:
        cluster.start()
        api_url = cluster.url
        # a store and no worker anywhere: alive, not ready
        assert httpx.get(f"{api_url}/health/live", timeout=5).status_code == 200
        ready = httpx.get(f"{api_url}/health/ready", timeout=5)
        assert ready.status_code == 503 and int(ready.headers["retry-after"]) >= 1
        assert "no worker process is alive" in ready.json()["reasons"]

        port = free_port()
        node = OcrhiveNode(
            ["worker", "--concurrency", "1", "--metrics-port", str(port)],
            cluster.node_env,
            cluster.folder / "worker-metrics.log",
        )
        node.start()
        cluster.worker_nodes.append(node)
        deadline = time.monotonic() + 90
        while httpx.get(f"{api_url}/health/ready", timeout=5).status_code != 200:
            assert node.alive() and time.monotonic() < deadline, cluster.log()
            time.sleep(0.25)

        token = cluster.token(cluster.add_client())
        page = png_bytes(text_page())
        with httpx.Client(
            base_url=api_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as api:
            statuses = run_all(api, [(IMAGE, page), (IMAGE, page), (IMAGE, b"not an image")])
        assert statuses == ["Completed", "Completed", "Error"]

        node_samples = scrape(f"http://127.0.0.1:{port}/metrics")
        assert value(node_samples, "ocrhive_tasks_completed_total", family="RecognizeImage") == 2
        assert value(node_samples, "ocrhive_tasks_failed_total", family="RecognizeImage") == 1
        assert value(node_samples, "ocrhive_task_wait_seconds_count", family="RecognizeImage") == 3
        assert value(node_samples, "ocrhive_pages_read_total", engine="tesseract") == 2
        assert value(node_samples, "ocrhive_workers_alive") == 1
        # submitting happens on the API node, running on the worker node
        assert value(node_samples, "ocrhive_tasks_submitted_total", family="RecognizeImage") == 0
        api_samples = scrape(f"{api_url}/metrics")
        assert value(api_samples, "ocrhive_tasks_submitted_total", family="RecognizeImage") == 3
        assert value(api_samples, "ocrhive_tasks_completed_total", family="RecognizeImage") == 0
        assert value(api_samples, "ocrhive_workers_alive") == 1  # heartbeats in Redis

        # Celery replaces a killed pool process: the dead one stops counting as alive (its
        # live gauge is dropped at the scrape), what it did still counts
        assert node.proc is not None
        [pool] = pool_processes(node.proc.pid)
        os.kill(pool, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while node.log_path.read_text().count("event='worker_ready'") < 2:
            assert time.monotonic() < deadline, node.log_path.read_text()
            time.sleep(0.2)
        assert pool_processes(node.proc.pid) != [pool]
        node_samples = scrape(f"http://127.0.0.1:{port}/metrics")
        assert value(node_samples, "ocrhive_workers_alive") == 1
        assert value(node_samples, "ocrhive_tasks_completed_total", family="RecognizeImage") == 2

        # the store goes away: still alive, not ready
        redis.stop()
        assert httpx.get(f"{api_url}/health/live", timeout=5).status_code == 200
        ready = httpx.get(f"{api_url}/health/ready", timeout=15)
        assert ready.status_code == 503
        assert any("store" in reason for reason in ready.json()["reasons"]), ready.json()
    finally:
        cluster.stop()
        redis.stop()
