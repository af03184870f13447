"""Uploads stream: the API process decodes a submission's base64 into the store as it arrives,
so an upload costs it about the decoded file once, and the memory goes back afterwards."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.slow

MB = 1024 * 1024


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


class PeakRss:
    """The highest RSS of one process while the block runs, sampled every millisecond."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss(self.pid))
            time.sleep(0.001)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("uploads") / "data",
        workers=1,
    )
    live.start()
    try:
        yield live, live.token(live.add_client())
    finally:
        live.stop()


def _body(size: int) -> bytes:
    # not an image: the worker refuses it at once, so only the API's side is measured
    encoded = base64.b64encode(os.urandom(size)).decode()
    return json.dumps({"image": encoded, "settings": {"language": "English"}}).encode()


def _settle(pid: int) -> int:
    time.sleep(1.0)
    return _rss(pid)


def test_one_upload_costs_the_api_at_most_one_and_a_half_times_the_file(
    server: tuple[LiveServer, str],
) -> None:
    live, token = server
    assert live.proc is not None
    pid = live.proc.pid
    size = 20 * MB
    body = _body(size)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=live.url, headers=headers, timeout=120) as api:
        api.post("/v5.0/ocr/RecognizeImage", content=_body(MB))  # warm up
        before = _settle(pid)
        with PeakRss(pid) as peak:
            answer = api.post("/v5.0/ocr/RecognizeImage", content=body)
        assert answer.status_code == 200, answer.text
        after = _settle(pid)
    grown = peak.peak - before
    assert grown <= 1.5 * size, (
        f"an upload of {size / MB:.0f} MB grew the API by {grown / MB:.1f} MB"
    )
    assert after - before <= 0.25 * size, f"{(after - before) / MB:.1f} MB kept after the upload"


def test_ten_concurrent_uploads_cost_at_most_twice_their_total(
    server: tuple[LiveServer, str],
) -> None:
    live, token = server
    assert live.proc is not None
    pid = live.proc.pid
    size = 20 * MB
    body = _body(size)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    before = _settle(pid)
    answers: list[int] = []

    def upload() -> None:
        with httpx.Client(base_url=live.url, headers=headers, timeout=300) as api:
            answers.append(api.post("/v5.0/ocr/RecognizeImage", content=body).status_code)

    with PeakRss(pid) as peak:
        threads = [threading.Thread(target=upload) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers == [200] * 10
    grown = peak.peak - before
    assert grown <= 2 * 10 * size, f"10 uploads of 20 MB grew the API by {grown / MB:.0f} MB"
    after = _settle(pid)
    assert after - before <= 0.25 * 10 * size, f"{(after - before) / MB:.0f} MB kept"
