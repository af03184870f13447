"""Metrics plumbing without a server: the multiprocess folder (chosen before prometheus_client
loads, dead processes' live gauges dropped, counters kept), request timing by route template,
and the scrape registry's queue depth and worker figures."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import prometheus_client
import pytest
from fastapi import FastAPI
from prometheus_client import generate_latest

from ocrhive.metrics.exposition import api_registry
from ocrhive.metrics.http import RequestTiming
from ocrhive.metrics.processes import _remove_orphans, drop_dead_processes, use_folder
from ocrhive.metrics.prometheus import HTTP

_CHILD = """
import os, sys
from pathlib import Path
from ocrhive.metrics.processes import use_folder
folder = use_folder(Path(sys.argv[1]))
from ocrhive.metrics.prometheus import SUBMITTED, worker_process_alive
SUBMITTED.labels("RecognizeImage").inc(3)
worker_process_alive()
print(os.getpid())
"""


def _run_child(folder: Path) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder)], check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip())


def test_a_dead_process_stops_counting_as_alive_but_its_counters_stay(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    (folder).mkdir()
    (folder / "stale.db").write_bytes(b"")  # a file of an earlier run: emptied at start
    pid = _run_child(folder)
    assert not (folder / "stale.db").exists()
    assert (folder / f"gauge_livesum_{pid}.db").exists()
    assert drop_dead_processes(folder) == [pid]
    assert not (folder / f"gauge_livesum_{pid}.db").exists()
    assert (folder / f"counter_{pid}.db").exists()
    assert drop_dead_processes(folder) == []


def test_the_folder_cannot_be_chosen_once_prometheus_client_is_loaded(tmp_path: Path) -> None:
    assert prometheus_client is not None  # loaded in this process by the import above
    with pytest.raises(RuntimeError, match="before prometheus_client"):
        use_folder(tmp_path / "late")
    assert not (tmp_path / "late").exists()


def _http_count(method: str, route: str, status: str) -> float:
    value = prometheus_client.REGISTRY.get_sample_value(
        "ocrhive_http_request_duration_seconds_count",
        {"method": method, "route": route, "status": status},
    )
    return value or 0.0


def test_requests_are_timed_by_route_template_not_raw_path() -> None:
    app = FastAPI()

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    app.add_middleware(RequestTiming)
    before = _http_count("GET", "/things/{thing_id}", "200")
    missing = _http_count("GET", "unmatched", "404")
    odd = _http_count("other", "/things/{thing_id}", "405")

    async def visit() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            for n in range(3):
                assert (await client.get(f"/things/{n}")).status_code == 200
            assert (await client.get("/nowhere/42")).status_code == 404
            assert (await client.request("BREW", "/things/1")).status_code == 405

    asyncio.run(visit())
    assert _http_count("GET", "/things/{thing_id}", "200") == before + 3
    assert _http_count("GET", "unmatched", "404") == missing + 1
    assert _http_count("other", "/things/{thing_id}", "405") == odd + 1
    raw = {s.labels.get("route") for m in HTTP.collect() for s in m.samples}
    assert not any(r and r.startswith("/things/") and "{" not in r for r in raw)


def test_the_scrape_reports_queue_depth_and_workers_and_survives_a_failing_store() -> None:
    pending = [7]

    def count() -> int:
        if pending[0] < 0:
            raise OSError("store away")
        return pending[0]

    registry = api_registry(count, lambda: (2, 3))
    text = generate_latest(registry).decode()
    assert "ocrhive_tasks_pending 7.0" in text
    assert "ocrhive_workers_alive 2.0" in text
    assert "ocrhive_workers_configured 3.0" in text
    pending[0] = -1
    text = generate_latest(registry).decode()
    assert "ocrhive_tasks_pending" not in text
    assert "ocrhive_workers_alive 2.0" in text


def test_temporary_folders_of_dead_servers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead_pid = _run_child(tmp_path / "child")  # a process that has exited
    dead = tmp_path / f"ocrhive-metrics-{dead_pid}-k2j4x9"
    live = tmp_path / f"ocrhive-metrics-{os.getpid()}-a8b7c6"
    unrelated = tmp_path / f"other-{dead_pid}-x"
    for folder in (dead, live, unrelated):
        folder.mkdir()
        (folder / "counter_1.db").write_bytes(b"")
    _remove_orphans(tmp_path)
    assert not dead.exists()
    assert live.exists() and unrelated.exists()
