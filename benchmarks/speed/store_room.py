"""What the store's disk hygiene costs and gains: save and delete latency (each delete now
vacuums and truncates the write-ahead log) and the database's size after big inputs come and go.

    python -m benchmarks.speed.store_room [--samples 300] [--big-mb 60] [--big-count 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.domain.task import NewTask
from ocrhive.store.sqlite import SqliteStore

IMAGE = b"\x89PNG" + os.urandom(200_000)  # a 200 kB scan that does not compress away


def task(task_id: str) -> NewTask:
    now = time.time()
    return NewTask(
        id=task_id,
        family=Family.RECOGNIZE_IMAGE,
        owner="bench",
        settings=RecognitionSettings(),
        created_at=now,
        expires_at=now + 3600,
    )


def on_disk(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.iterdir() if p.name.startswith(db.name))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--big-mb", type=int, default=60)
    parser.add_argument("--big-count", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        db = Path(tmp) / "bench.sqlite3"
        store = SqliteStore(db)
        for i in range(1000):  # a store with some history, as in service
            store.save(task(f"old{i}"), IMAGE)
        saves, deletes = [], []
        for i in range(args.samples):
            start = time.perf_counter()
            store.save(task(f"t{i}"), IMAGE)
            saves.append(time.perf_counter() - start)
        for i in range(args.samples):
            start = time.perf_counter()
            store.delete(f"t{i}")
            deletes.append(time.perf_counter() - start)
        p95 = statistics.quantiles(deletes, n=20)[18]
        print(f"save p50 (200 kB)                   : {statistics.median(saves) * 1e3:7.2f} ms")
        print(f"delete p50 (200 kB)                 : {statistics.median(deletes) * 1e3:7.2f} ms")
        print(f"delete p95                          : {p95 * 1e3:7.2f} ms")
        big = os.urandom(args.big_mb * 1024 * 1024)
        before = on_disk(db)
        peak = 0
        for i in range(args.big_count):
            store.save(task(f"big{i}"), big)
            peak = max(peak, on_disk(db))
        for i in range(args.big_count):
            store.delete(f"big{i}")
        right_after = on_disk(db)
        deleted_at = time.monotonic()
        # deletes are scrubbed (vacuum in 1 s steps + log truncation) in the background
        while on_disk(db) > before + 16 * 1024 * 1024 and time.monotonic() - deleted_at < 60:
            time.sleep(0.25)
        settled = time.monotonic() - deleted_at
        mib = 1024 * 1024
        print(f"on disk before the big inputs       : {before / mib:7.1f} MiB")
        print(f"on disk at the peak                 : {peak / mib:7.1f} MiB")
        print(f"on disk right after deleting them   : {right_after / mib:7.1f} MiB")
        print(f"on disk {settled:4.1f} s later               : {on_disk(db) / mib:7.1f} MiB")


if __name__ == "__main__":
    main()
