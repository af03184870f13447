"""A GET that waits a little: an unfinished task is looked at again, more slowly each time,
until it is final, the configured wait is over or the client has gone, so a client that GETs
straight after POST sees the result of a small image."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import Request

from ocrhive.domain.task import TaskView

#: the first pause between looks, and the longest
_FIRST_DELAY = 0.02
_LONGEST_DELAY = 0.25


async def when_final(
    request: Request, load: Callable[[], Awaitable[TaskView | None]]
) -> TaskView | None:
    """The task's view once final, or as it is when the wait ends (None: unknown or gone)."""
    deadline = time.monotonic() + request.app.state.get_wait_seconds
    delay = _FIRST_DELAY
    while True:
        view = await load()
        if view is None or view.status.is_final or time.monotonic() >= deadline:
            return view
        if await request.is_disconnected():
            return view
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 1.5, _LONGEST_DELAY)
