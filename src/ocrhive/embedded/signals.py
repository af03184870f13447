"""Signals between the server and its worker processes that a killed process cannot jam.

``multiprocessing.Event`` is built on a condition whose ``set()`` waits for every sleeper to
acknowledge: a worker SIGKILLed while waiting on it (or holding its lock) made every later
``set()`` — each submit's wake-up, the server's shutdown — block forever. These are plain
shared-memory words instead: no locks, so a death can lose at most one wake-up, which the
workers' polling of the store covers anyway.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

#: how often a waiting process looks at a shared word, seconds (the latency of a wake-up)
TICK = 0.02

_CTX = multiprocessing.get_context("spawn")


class Flag:
    """A shared on/off switch (e.g. "stop"), passed to worker processes when they start."""

    def __init__(self) -> None:
        self._word: Any = _CTX.RawValue("b", 0)

    def set(self) -> None:
        self._word.value = 1

    def is_set(self) -> bool:
        return bool(self._word.value)

    def wait(self, timeout: float) -> bool:
        """Return as soon as the flag is set, or after ``timeout`` seconds; whether it is."""
        deadline = time.monotonic() + timeout
        while not self.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(TICK, left))
        return True


class Doorbell:
    """A shared counter every publish rings; idle workers wait for it to change."""

    def __init__(self) -> None:
        self._word: Any = _CTX.RawValue("Q", 0)

    def ring(self) -> None:
        # not atomic across processes: two rings at once may count as one, which still wakes
        self._word.value = (self._word.value + 1) % (1 << 63)

    def rung(self) -> int:
        """The current count (remember it, then :meth:`wait` for it to move)."""
        return int(self._word.value)

    def wait(self, seen: int, timeout: float, stop: Flag | None = None) -> None:
        """Until the count differs from ``seen``, ``stop`` is set, or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while self._word.value == seen and not (stop is not None and stop.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(TICK, left))
