"""What every official-SDK test needs: a client on the live server, and a wait for a task."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aspose_ocr_cloud import ApiClient, Configuration
from aspose_ocr_cloud.models import OCRTaskStatus

from tests.conftest import Deployment


@pytest.fixture
def sdk(live_server: Deployment, token: str) -> Iterator[ApiClient]:
    """The official SDK's client pointed at the live server with a valid token."""
    config = Configuration(host=live_server.url, access_token=token)
    with ApiClient(config) as client:
        yield client


def finished(get: Callable[[str], Any], task_id: str, timeout: float = 120.0) -> Any:
    """The family's GET answer for ``task_id`` once the task is Completed or in Error."""
    deadline = time.monotonic() + timeout
    result = get(task_id)
    while result.task_status not in (OCRTaskStatus.COMPLETED, OCRTaskStatus.ERROR):
        assert time.monotonic() < deadline, f"task {task_id} still {result.task_status}"
        time.sleep(0.5)
        result = get(task_id)
    return result
