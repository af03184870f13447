"""The PDF child process for real: its limits, how it ends, that it never outlives its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ocrhive.errors import MemoryLimitExceeded, TimeLimitExceeded, UnreadableImage
from ocrhive.ingest.pages import PageLimits, PageSource
from ocrhive.ingest.pdfsandbox import PdfRenderer
from tests.hostile_files import parent_listing_page_tree, recursive_form, slow_page
from tests.integration.test_documents_live import PAGES, scanned_pdf


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie awaiting its parent's wait counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def child_pids() -> list[int]:
    """This process's PDF renderer children (other fixtures' servers are children too)."""
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    return [int(pid) for pid in children if b"pdfchild" in _cmdline(int(pid))]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_a_self_drawing_form_stops_at_the_memory_cap_and_says_so() -> None:
    started = time.monotonic()
    renderer = PdfRenderer(recursive_form(), memory_mb=256, page_seconds=30, max_pixels=10**8)
    with pytest.raises(MemoryLimitExceeded) as caught:
        renderer.render(0)
    assert time.monotonic() - started < 20
    message = caught.value.message
    assert "Page 1" in message and "memory limit" in message and "256 MiB" in message
    renderer.close()


def test_a_page_slower_than_the_time_limit_is_stopped_and_its_child_killed() -> None:
    renderer = PdfRenderer(slow_page(), memory_mb=1024, page_seconds=1.0, max_pixels=10**8)
    pid = renderer.pid or 0
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as caught:
        renderer.render(0)
    assert 1.0 <= time.monotonic() - started < 5
    assert "Page 1" in caught.value.message and "time limit" in caught.value.message
    assert "1 s" in caught.value.message
    assert not alive(pid)


def test_a_looping_page_tree_is_unreadable_and_the_source_leaves_no_child() -> None:
    before = set(child_pids())
    with pytest.raises(UnreadableImage, match="page tree"):
        source = PageSource(parent_listing_page_tree(), PageLimits(), all_pages=True)
        try:
            list(source)
        finally:
            source.close()
    assert not [pid for pid in set(child_pids()) - before if alive(pid)]


def test_one_child_serves_every_page_of_a_document() -> None:
    source = PageSource(scanned_pdf(PAGES), PageLimits(), all_pages=True)
    try:
        spawned = set(child_pids())
        images = list(source)
        assert set(child_pids()) == spawned and len(spawned) == 1
    finally:
        source.close()
    assert [image.mode for image in images] == ["L"] * 3
    assert all(image.info["dpi"] == (200.0, 200.0) for image in images)


def test_the_child_dies_with_the_process_that_started_it() -> None:
    script = textwrap.dedent(
        """
        import sys, time
        from ocrhive.ingest.pdfsandbox import PdfRenderer
        from tests.hostile_files import slow_page
        renderer = PdfRenderer(slow_page(), memory_mb=512, page_seconds=60, max_pixels=10**8)
        print(renderer.pid, flush=True)
        time.sleep(60)
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=Path(__file__).parents[2]
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)
