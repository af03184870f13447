"""The edge's in-process limits on a fake clock: token buckets, the trial quota under
concurrent submissions, the bounded hashing pool."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ocrhive.api.ratelimit import HashingPool, RateLimiter, TrialQuota, retry_after
from ocrhive.errors import TooManyRequests


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_says_when_to_retry() -> None:
    clock = Clock()
    limiter = RateLimiter(30, clock=clock)
    assert all(limiter.take("a") == 0 for _ in range(30))
    wait = limiter.take("a")
    assert wait == pytest.approx(2.0)  # one token every 2 s at 30 a minute
    assert limiter.take("b") == 0  # keys do not share a bucket
    clock.now += 2.0
    assert limiter.take("a") == 0 and limiter.take("a") > 0


def test_given_back_tokens_and_the_sweep_of_full_buckets() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    limiter.take("a")
    limiter.take("a")
    limiter.give_back("a")
    assert limiter.take("a") == 0
    for i in range(500):
        limiter.take(f"scan-{i}")
    clock.now += 120
    limiter.take("a")
    assert len(limiter) == 1  # only the bucket just used is remembered


def test_retry_after_is_whole_seconds_and_never_zero() -> None:
    assert retry_after(0.01) == 1 and retry_after(2.2) == 3


def test_the_trial_quota_counts_concurrent_submissions() -> None:
    quota = TrialQuota(submits_per_minute=100, max_pending=2)
    unfinished_ids: set[str] = set()

    async def unfinished(ids: list[str]) -> set[str]:
        await asyncio.sleep(0.01)  # a store lookup: other submissions run meanwhile
        return {i for i in ids if i in unfinished_ids}

    async def submit(n: int) -> str:
        async with quota.slot("1.2.3.4", unfinished) as record:
            await asyncio.sleep(0.02)
            unfinished_ids.add(f"t{n}")
            record(f"t{n}")
        return "ok"

    async def main() -> list[object]:
        return await asyncio.gather(*(submit(n) for n in range(5)), return_exceptions=True)

    results = asyncio.run(main())
    assert results.count("ok") == 2
    refused = [r for r in results if isinstance(r, TooManyRequests)]
    assert len(refused) == 3 and "unfinished" in refused[0].message
    # once the tasks finish, the address may submit again; another address never waited
    unfinished_ids.clear()
    assert asyncio.run(submit(9)) == "ok"


def test_the_trial_rate_limit_names_itself() -> None:
    quota = TrialQuota(submits_per_minute=1, max_pending=5)

    async def none(ids: list[str]) -> set[str]:
        return set()

    async def twice() -> None:
        for _ in range(2):
            async with quota.slot("a", none):
                pass

    with pytest.raises(TooManyRequests) as refused:
        asyncio.run(twice())
    assert "a minute" in refused.value.message and refused.value.retry_after == 60


def test_the_hashing_pool_runs_off_the_loop_and_refuses_past_its_queue() -> None:
    pool = HashingPool(threads=1, queue=2)
    release = threading.Event()

    def slow() -> str:
        release.wait(5)
        return threading.current_thread().name

    async def main() -> list[object]:
        calls = [asyncio.ensure_future(pool.run(slow)) for _ in range(3)]
        await asyncio.sleep(0.05)
        with pytest.raises(TooManyRequests):
            await pool.run(slow)  # 1 running + 2 queued: the fourth is refused at once
        release.set()
        return list(await asyncio.gather(*calls))

    try:
        names = asyncio.run(main())
    finally:
        pool.close()
    assert all(str(n).startswith("ocrhive-hash") for n in names)
