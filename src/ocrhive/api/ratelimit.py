"""In-process limits of the HTTP edge: token buckets per key, the no-token trial's per-address
quota, and the bounded thread pool that hashes client secrets."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from ocrhive.errors import TooManyRequests

T = TypeVar("T")

#: seconds between sweeps that forget full buckets (so a scan of many addresses costs no memory)
SWEEP_INTERVAL = 60.0


class RateLimiter:
    """Token buckets keyed by a string: ``per_minute`` tokens refill over ``period`` seconds
    (a minute unless told), bursts up to that."""

    def __init__(
        self,
        per_minute: int,
        *,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(per_minute)
        self.period = period
        self.rate = per_minute / period
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, at)
        self._swept = clock()

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - at) * self.rate)

    def take(self, key: str) -> float:
        """Spend one token of ``key``'s bucket.

        Returns:
            0 when the token was spent; otherwise the seconds until one is available (nothing
            is spent).
        """
        now = self._clock()
        self._sweep(now)
        tokens = self._tokens(key, now)
        if tokens < 1.0:
            return (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens - 1.0, now)
        return 0.0

    def give_back(self, key: str) -> None:
        """Return a token spent on an attempt that turned out not to count."""
        now = self._clock()
        self._buckets[key] = (min(self.capacity, self._tokens(key, now) + 1.0), now)

    def _sweep(self, now: float) -> None:
        if now - self._swept < SWEEP_INTERVAL:
            return
        self._swept = now
        full = [k for k in self._buckets if self._tokens(k, now) >= self.capacity]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


DAY = 86_400.0
#: ConvertTextToSpeechTrial calls a day per address (spec §8.6)
SPEECH_TRIAL_CALLS_PER_DAY = 10


def retry_after(seconds: float) -> float:
    """Whole seconds to announce in Retry-After (at least one)."""
    return float(max(1, math.ceil(seconds)))


@dataclass
class _Address:
    unfinished: set[str] = field(default_factory=set)
    reserved: int = 0


class TrialQuota:
    """The no-token trial's per-address limits: submissions a minute and unfinished tasks.

    The ids an address submitted are remembered here; whether they are finished is asked of the
    service (``unfinished``) on the next submission, so the store keeps the only task state.
    """

    def __init__(
        self,
        *,
        submits_per_minute: int,
        max_pending: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.submits = RateLimiter(submits_per_minute, clock=clock)
        self.max_pending = max_pending
        self._addresses: dict[str, _Address] = {}

    @asynccontextmanager
    async def slot(
        self, address: str, unfinished: Callable[[list[str]], Awaitable[set[str]]]
    ) -> AsyncIterator[Callable[[str], None]]:
        """Hold one of ``address``'s trial slots while a submission is read and queued.

        Yields:
            A function to call with the new task's id once it is queued.

        Raises:
            TooManyRequests: over the per-minute rate, or too many unfinished tasks.
        """
        wait = self.submits.take(address)
        if wait:
            raise TooManyRequests(
                f"Too many trial submissions from this address (limit "
                f"{self.submits.capacity:g} a minute); retry in {retry_after(wait):g} s, "
                "or use RecognizeImage with an access token.",
                retry_after=retry_after(wait),
            )
        seen = self._addresses.get(address)
        known = list(seen.unfinished) if seen else []
        still = await unfinished(known) if known else set()
        # no await from here to the reservation, so concurrent submits see each other's slots
        entry = self._addresses.setdefault(address, _Address())
        entry.unfinished.difference_update(set(known) - still)
        if len(entry.unfinished) + entry.reserved >= self.max_pending:
            self._forget_if_empty(address, entry)
            raise TooManyRequests(
                f"This address already has {self.max_pending} unfinished trial tasks, the "
                "trial's limit; fetch their results first, then retry.",
                retry_after=2.0,
            )
        entry.reserved += 1
        try:
            yield entry.unfinished.add
        finally:
            entry.reserved -= 1
            self._forget_if_empty(address, entry)

    def _forget_if_empty(self, address: str, entry: _Address) -> None:
        if not entry.unfinished and not entry.reserved:
            self._addresses.pop(address, None)


class HashingPool:
    """Runs secret hashing on threads of its own, with a bounded queue of callers.

    scrypt costs ~40 ms of CPU and 16 MiB; on the shared default pool a flood of token requests
    starved every other request's thread. Here at most ``threads`` hash at once, and past
    ``queue`` waiting callers a request is refused at once instead of piling up.
    """

    def __init__(self, *, threads: int = 1, queue: int = 8) -> None:
        self.threads = threads
        self.queue = queue
        self._executor: ThreadPoolExecutor | None = None
        self._waiting = 0

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` on the pool's threads.

        Raises:
            TooManyRequests: the queue is full.
        """
        if self._waiting >= self.threads + self.queue:
            raise TooManyRequests("The token endpoint is busy; retry in a second.", retry_after=1.0)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="ocrhive-hash")
        self._waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        finally:
            self._waiting -= 1

    def close(self) -> None:
        """Stop the threads (queued work is finished first)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


@dataclass
class EdgeLimits:
    """Every in-process limit one application instance keeps."""

    token_by_address: RateLimiter
    token_by_client: RateLimiter
    trial: TrialQuota
    hashing: HashingPool
    #: the no-token speech trial's calls a day per address (spec §8.6: 10)
    speech_trial: RateLimiter = field(
        default_factory=lambda: RateLimiter(SPEECH_TRIAL_CALLS_PER_DAY, period=DAY)
    )

    @classmethod
    def build(
        cls,
        *,
        token_attempts_per_minute: int,
        trial_submits_per_minute: int,
        trial_max_pending_per_address: int,
        hashing_threads: int = 1,
    ) -> EdgeLimits:
        """Limits with these settings and empty books."""
        return cls(
            token_by_address=RateLimiter(token_attempts_per_minute),
            token_by_client=RateLimiter(token_attempts_per_minute),
            trial=TrialQuota(
                submits_per_minute=trial_submits_per_minute,
                max_pending=trial_max_pending_per_address,
            ),
            hashing=HashingPool(threads=hashing_threads),
        )
