"""Deleted data is gone from the disk: after a DELETE or the end of retention, neither the
submitted image nor its recognised text is in any file of a live server's data folder, and
every file there is private to the server's user."""

from __future__ import annotations

import base64
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, b64, png_bytes, text_page

pytestmark = pytest.mark.slow

LINES = ["Quixotic zephyrs vex 48213 jumbled", "Marmalade invoice KX-7730 settled"]


def files_holding(folder: Path, needle: bytes) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and needle in p.read_bytes())


def within(seconds: float, check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def assert_private(folder: Path) -> None:
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in folder.iterdir()}
    assert "ocrhive.sqlite3" in modes and "server.lock" in modes
    assert all(mode == "0o600" for mode in modes.values()), modes


def start(server_factory: Any, **env: str) -> tuple[LiveServer, httpx.Client]:
    server: LiveServer = server_factory(workers=1, env=env)
    # as an older ocrhive (or a careless operator) left it: readable by everyone
    server.data_dir.mkdir(mode=0o755)
    server.data_dir.chmod(0o755)
    server.start()
    token = server.token(server.add_client())
    api = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})
    return server, api


def recognise(api: httpx.Client, image: bytes) -> tuple[str, str]:
    """Submit ``image`` and wait for it: the task id and its recognised text."""
    response = api.post("/v5.0/ocr/RecognizeImage", json={"image": b64(image)})
    assert response.status_code == 200, response.text
    task_id = response.text
    deadline = time.monotonic() + 60
    while True:
        doc = api.get("/v5.0/ocr/RecognizeImage", params={"id": task_id}, timeout=30).json()
        if doc["taskStatus"] == "Completed" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert doc["taskStatus"] == "Completed", doc
    text = base64.b64decode(doc["results"][0]["data"]).decode()
    assert "48213" in text and "KX-7730" in text, text
    return task_id, text


def distinctive(text: str) -> bytes:
    """The longest recognised line: long enough to occur nowhere by chance."""
    return max(text.splitlines(), key=len).encode()


def test_a_deleted_task_leaves_nothing_on_disk(server_factory: Any) -> None:
    server, api = start(server_factory)
    with api:
        image = png_bytes(text_page(LINES))
        chunk = image[len(image) // 2 : len(image) // 2 + 64]
        task_id, text = recognise(api, image)
        needle = distinctive(text)
        assert files_holding(server.data_dir, needle), "the scan must see the stored result"
        assert api.delete("/v5.0/ocr/RecognizeImage", params={"id": task_id}).status_code == 200
        deleted_at = time.monotonic()
        assert within(10, lambda: not files_holding(server.data_dir, needle)), files_holding(
            server.data_dir, needle
        )
        assert files_holding(server.data_dir, chunk) == []
        assert time.monotonic() - deleted_at < 10
        assert_private(server.data_dir)


def test_an_expired_task_leaves_nothing_on_disk(server_factory: Any) -> None:
    retention = 6.0
    server, api = start(server_factory, OCRHIVE_RETENTION_SECONDS=str(retention))
    with api:
        image = png_bytes(text_page(LINES))
        chunk = image[len(image) // 2 : len(image) // 2 + 64]
        submitted = time.monotonic()
        task_id, text = recognise(api, image)
        needle = distinctive(text)
        assert files_holding(server.data_dir, needle), "the scan must see the stored result"
        expired_at = submitted + retention
        assert within(
            expired_at + 10 - time.monotonic(), lambda: not files_holding(server.data_dir, needle)
        )
        assert time.monotonic() - expired_at < 10
        assert files_holding(server.data_dir, chunk) == []
        doc = api.get("/v5.0/ocr/RecognizeImage", params={"id": task_id}).json()
        assert doc["taskStatus"] == "NotExist"
        assert_private(server.data_dir)
