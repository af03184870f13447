"""Hostile PDFs against a live server: each ends in Error naming its limit, the server's memory
stays bounded, and the same workers go on to finish ordinary work."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests import hostile_files
from tests.conftest import LiveServer, b64
from tests.integration.test_documents_live import PAGES, scanned_pdf
from tests.processtree import TreeSampler

pytestmark = pytest.mark.slow

#: how far the server's whole process tree may grow over its idle size
RSS_HEADROOM = int(1.5 * 2**30)
#: a shorter page time limit than the default 30 s, so the slow page costs seconds, not minutes
PAGE_SECONDS = 5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("hostile") / "data",
        workers=1,
        env={"OCRHIVE_PAGE_RENDER_SECONDS": str(PAGE_SECONDS)},
    )
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def token(server: LiveServer) -> str:
    return server.token(server.add_client())


@pytest.fixture(scope="module")
def sampler(server: LiveServer) -> Iterator[TreeSampler]:
    assert server.proc is not None
    time.sleep(1)  # let the freshly started worker settle before the idle baseline
    sampling = TreeSampler(server.proc.pid)
    yield sampling
    sampling.stop()


@functools.cache
def hostile(name: str) -> bytes:
    maker: Callable[[], bytes] = getattr(hostile_files, name)
    return maker()


def run(
    server: LiveServer, family: str, data: bytes, token: str | None
) -> tuple[dict[str, Any], float]:
    """Submit ``data`` to ``family`` and wait (≤ 120 s) for a final answer; (answer, seconds)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        started = time.monotonic()
        response = client.post(f"/v5.0/ocr/{family}", json={"image": b64(data)})
        assert response.status_code == 200, response.text
        while time.monotonic() - started < 120:
            doc: dict[str, Any] = client.get(
                f"/v5.0/ocr/{family}", params={"id": response.text}
            ).json()
            if doc["taskStatus"] in ("Completed", "Error", "NotExist"):
                return doc, time.monotonic() - started
            time.sleep(0.1)
    return doc, time.monotonic() - started


LIMITS = {
    "recursive_form": ("memory limit", "1024 MiB"),
    "flate_bomb": ("memory limit", "1024 MiB"),
    "slow_page": ("time limit", f"({PAGE_SECONDS} s)"),
}
FAMILIES = ["RecognizeImageTrial", "RecognizePdf"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("name", list(LIMITS))
def test_a_hostile_pdf_ends_in_error_naming_the_limit_within_bounded_memory(
    server: LiveServer, token: str, sampler: TreeSampler, name: str, family: str
) -> None:
    sampler.reset()
    doc, seconds = run(server, family, hostile(name), None if "Trial" in family else token)
    grown = sampler.grown
    print(f"\n{name} via {family}: {doc['taskStatus']} in {seconds:.1f} s, tree +{grown >> 20} MiB")
    assert doc["taskStatus"] == "Error", doc
    message = doc["error"]["messages"][0]
    limit, cap = LIMITS[name]
    assert "Page 1" in message and limit in message and cap in message, message
    assert grown <= RSS_HEADROOM


@pytest.mark.parametrize("family", FAMILIES)
def test_a_page_tree_that_loops_is_reported_as_a_damaged_file(
    server: LiveServer, token: str, family: str
) -> None:
    data = hostile("parent_listing_page_tree")
    doc, _ = run(server, family, data, None if "Trial" in family else token)
    assert doc["taskStatus"] == "Error", doc
    assert "page tree" in doc["error"]["messages"][0] and "Page 1" in doc["error"]["messages"][0]


def test_a_loop_after_the_first_page_fails_the_document_but_not_a_one_page_read(
    server: LiveServer, token: str
) -> None:
    data = hostile("self_listing_page_tree")
    doc, _ = run(server, "RecognizePdf", data, token)
    assert doc["taskStatus"] == "Error" and "Page 2" in doc["error"]["messages"][0], doc
    doc, _ = run(server, "RecognizeImageTrial", data, None)
    assert doc["taskStatus"] == "Completed", doc


def test_afterwards_the_same_worker_finishes_a_normal_pdf(server: LiveServer, token: str) -> None:
    workers = server.worker_pids()
    doc, seconds = run(server, "RecognizePdf", scanned_pdf(PAGES), token)
    assert doc["taskStatus"] == "Completed" and seconds < 60, doc
    assert server.worker_pids() == workers
    health = httpx.get(f"{server.url}/health", timeout=10).json()
    assert health["workers"]["alive"] == 1, health
