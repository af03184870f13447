"""Submitting stays constant-time whatever the backlog: submit latency with an empty queue vs a
queue of N pending tasks, side by side in one process (ratios, since these machines are noisy).

    python benchmarks/speed/submit_backlog.py [--backlog 20000] [--samples 300]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from ocrhive.broker.memory import MemoryBroker
from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.logs import configure_logging
from ocrhive.service import LifecyclePolicy, OcrService, Requester
from ocrhive.store.sqlite import SqliteStore

IMAGE = b"\x89PNG" + b"\0" * 200_000  # a 200 kB payload: the size of a typical scan


def submit_latencies(service: OcrService, samples: int) -> list[float]:
    who = Requester(client_id="bench")
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), IMAGE, who)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    configure_logging("warning")
    with tempfile.TemporaryDirectory() as tmp:
        policy = LifecyclePolicy(retention_seconds=3600)
        empty = OcrService(SqliteStore(Path(tmp) / "empty.sqlite3"), MemoryBroker(), policy=policy)
        full_store = SqliteStore(Path(tmp) / "full.sqlite3")
        full = OcrService(full_store, MemoryBroker(), policy=policy)
        submit_latencies(full, args.backlog)  # the backlog: pending tasks nobody works on
        # interleave the two measurements so machine noise hits both alike
        base, loaded = [], []
        for _ in range(10):
            base += submit_latencies(empty, args.samples // 10)
            loaded += submit_latencies(full, args.samples // 10)
        claim_start = time.perf_counter()
        # what an embedded worker does: look at the oldest Pending ids, claim one by id
        claimed = next(
            (
                task
                for task_id in full_store.pending(limit=8)
                if (task := full.claim(task_id, "bench-worker")) is not None
            ),
            None,
        )
        claim_s = time.perf_counter() - claim_start
    b, loaded_p50 = statistics.median(base), statistics.median(loaded)
    print(f"submit p50, empty queue      : {b * 1e3:7.2f} ms")
    print(f"submit p50, {args.backlog:>6} pending   : {loaded_p50 * 1e3:7.2f} ms")
    print(f"ratio loaded / empty         : {loaded_p50 / b:7.2f}")
    got = claimed is not None
    print(f"claim with {args.backlog} pending      : {claim_s * 1e3:7.2f} ms (got {got})")


if __name__ == "__main__":
    main()
