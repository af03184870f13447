"""A live server whose disk fills up: new work is refused with 507 and Retry-After (never a
bare 500), /health and /health/ready say so, and everything resumes by itself once space
returns. The data folder is a real 64 MB tmpfs filled by a real file."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, b64, png_bytes, text_page
from tests.mounts import fill, tmpfs

pytestmark = pytest.mark.slow


def final_status(api: httpx.Client, task_id: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        doc = api.get("/v5.0/ocr/RecognizeImage", params={"id": task_id}, timeout=30).json()
        status: str = doc["taskStatus"]
        if status in ("Completed", "Error", "NotExist") or time.monotonic() > deadline:
            return status
        time.sleep(0.25)


def test_a_full_disk_refuses_new_work_then_recovers_alone(tmp_path: Path) -> None:
    # the mount is the data folder itself, so the server's log (beside it) is on another disk
    with tmpfs(tmp_path / "data", size_mb=64) as disk:
        server = LiveServer(data_dir=disk, workers=1, env={"OCRHIVE_MIN_FREE_DISK_MB": "2"})
        try:
            server.start()
            token = server.token(server.add_client())
            with httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            ) as api:
                body = {"image": b64(png_bytes(text_page()))}
                earlier = []
                for _ in range(3):
                    response = api.post("/v5.0/ocr/RecognizeImage", json=body)
                    assert response.status_code == 200, response.text
                    earlier.append(response.text)

                filler = disk / "filler"
                fill(filler)
                # at once (the server's free-space figure may still be a second old, so
                # SQLite's own "disk full" is met) and after the figure is fresh
                for pause in (0.0, 0.0, 1.2, 0.0):
                    time.sleep(pause)
                    response = api.post("/v5.0/ocr/RecognizeImage", json=body)
                    assert response.status_code in (503, 507), response.text
                    assert response.headers["content-type"] == "application/problem+json"
                    assert int(response.headers["retry-after"]) >= 1
                    assert "full" in response.json()["detail"]
                health = api.get("/health")
                assert health.status_code == 200
                assert health.json()["status"] == "degraded"
                assert any("disk" in reason for reason in health.json()["reasons"])
                assert "alive" in health.json()["workers"]
                ready = api.get("/health/ready")
                assert ready.status_code == 503 and int(ready.headers["retry-after"]) >= 1
                # results already stored can still be read while the disk is full
                assert (
                    api.get("/v5.0/ocr/RecognizeImage", params={"id": earlier[0]}).status_code
                    == 200
                )

                filler.unlink()
                deadline = time.monotonic() + 20
                while api.get("/health/ready").status_code != 200:
                    assert time.monotonic() < deadline, api.get("/health").json()
                    time.sleep(0.25)
                assert api.get("/health").json()["status"] == "ok"
                response = api.post("/v5.0/ocr/RecognizeImage", json=body)
                assert response.status_code == 200, response.text
                assert final_status(api, response.text, timeout=60) == "Completed"

                # needs the worker side (a worker whose write failed for want of space waits
                # and retries instead of dying or leaving its task in Processing)
                ends = {task_id: final_status(api, task_id, timeout=60) for task_id in earlier}
                assert set(ends.values()) <= {"Completed", "Error"}, ends
        finally:
            server.stop()
