"""Submitting stays constant-time whatever the backlog: submit latency (p50, p99) with an empty
queue vs a queue of N pending tasks, interleaved in one process (ratios, since these machines
are noisy), on the embedded SQLite store or on distributed mode's Redis store and Celery queue.

    python -m benchmarks.speed.submit_backlog [--backlog 20000] [--samples 300]
    python -m benchmarks.speed.submit_backlog --redis [--backlog 20000] [--samples 2000]
    python -m benchmarks.speed.submit_backlog --redis-url redis://127.0.0.1:P/N [...]

With ``--redis`` the script starts two redis-servers of its own on 127.0.0.1 in a temporary
folder (one empty, one holding the backlog, so that the backlog's memory and append-only file
weigh on its own server only) and stops them when it ends. With ``--redis-url`` both queues
live on that server, in database N (empty) and N+1 (backlog); both must be empty to start with,
and both are emptied (FLUSHDB) at the end.

On Redis it measures two submit paths through ``OcrService``: the store alone (the broker keeps
ids in memory) and the full path (the Celery broker publishes each id to the Redis queue, where
the backlog's N messages wait too).
"""

from __future__ import annotations

import argparse
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from benchmarks.speed.scratch_redis import redis_command, wait_until_answering

from ocrhive.broker.memory import MemoryBroker
from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.logs import configure_logging
from ocrhive.service import LifecyclePolicy, OcrService, Requester
from ocrhive.store.sqlite import SqliteStore

IMAGE = b"\x89PNG" + b"\0" * 200_000  # a 200 kB payload: the size of a typical scan
#: the Celery visibility timeout derives from this; any value above a run's length will do
MAX_TASK_SECONDS = 6000


def submit_latencies(service: OcrService, samples: int) -> list[float]:
    who = Requester(client_id="bench")
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), IMAGE, who)
        out.append(time.perf_counter() - start)
    return out


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def interleaved(
    pairs: dict[str, tuple[OcrService, OcrService]], samples: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Submit latencies of each (empty, loaded) pair, in small alternating chunks, so machine
    noise (and Redis's own background work) hits every series alike."""
    out: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in pairs}
    chunks = 20
    for _ in range(chunks):
        for name, (empty, loaded) in pairs.items():
            out[name][0].extend(submit_latencies(empty, max(1, samples // chunks)))
            out[name][1].extend(submit_latencies(loaded, max(1, samples // chunks)))
    return out


def print_table(backlog: int, series: dict[str, tuple[list[float], list[float]]]) -> None:
    print(f"{'submit path':28s} {'pending':>8s} {'p50 ms':>8s} {'p99 ms':>8s}")
    for name, (base, loaded) in series.items():
        for label, values in (("0", base), (str(backlog), loaded)):
            print(
                f"{name:28s} {label:>8s} {statistics.median(values) * 1e3:8.2f} "
                f"{p99(values) * 1e3:8.2f}"
            )
        print(
            f"{name:28s} {'ratio':>8s} {statistics.median(loaded) / statistics.median(base):8.2f} "
            f"{p99(loaded) / p99(base):8.2f}"
        )


def timed_claim(service: OcrService, pending: Callable[[], list[str]]) -> tuple[float, bool]:
    """What a worker does with a backlog: look at the oldest Pending ids, claim one by id."""
    start = time.perf_counter()
    claimed = next(
        (task for task_id in pending() if (task := service.claim(task_id, "bench-worker"))),
        None,
    )
    return time.perf_counter() - start, claimed is not None


# -- SQLite --------------------------------------------------------------------------------


def run_sqlite(args: argparse.Namespace, policy: LifecyclePolicy) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        empty = OcrService(SqliteStore(Path(tmp) / "empty.sqlite3"), MemoryBroker(), policy=policy)
        full_store = SqliteStore(Path(tmp) / "full.sqlite3")
        full = OcrService(full_store, MemoryBroker(), policy=policy)
        submit_latencies(full, args.backlog)  # the backlog: pending tasks nobody works on
        series = interleaved({"sqlite store": (empty, full)}, args.samples)
        claim_s, got = timed_claim(full, lambda: full_store.pending(limit=8))
    print_table(args.backlog, series)
    print(f"claim with {args.backlog} pending: {claim_s * 1e3:.2f} ms (got {got})")


# -- Redis ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A scratch redis-server (append-only, as in service) on 127.0.0.1; stopped on exit."""
    folder.mkdir(parents=True)
    port = free_port()
    try:
        command = redis_command(port, folder)
    except FileNotFoundError as exc:
        raise SystemExit(str(exc)) from None
    with open(folder / "redis.log", "ab") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_until_answering(port):
            raise RuntimeError("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def scratch_databases(stack: ExitStack, url: str) -> tuple[str, str]:
    """Database N of ``url`` (empty) and N+1 (backlog); refuses any that holds keys, and
    empties both when the script ends."""
    import redis

    base, _, db = url.rpartition("/")
    number = int(db) if db.isdigit() else 0
    if not db.isdigit():
        base = url.rstrip("/")
    urls = (f"{base}/{number}", f"{base}/{number + 1}")
    for u in urls:
        client = redis.Redis.from_url(u)
        if client.dbsize():
            raise SystemExit(f"{u} is not empty: give a scratch Redis database")
        stack.callback(client.flushdb)
    return urls


def run_redis(args: argparse.Namespace, policy: LifecyclePolicy) -> None:
    from ocrhive.broker.celery import CeleryBroker, celery_app
    from ocrhive.store.redis import RedisStore

    with ExitStack() as stack:
        if args.redis_url:
            empty_url, full_url = scratch_databases(stack, args.redis_url)
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ocrhive-bench-")))
            empty_url = stack.enter_context(redis_server(tmp / "empty"))
            full_url = stack.enter_context(redis_server(tmp / "backlog"))
        stores = (RedisStore(empty_url), RedisStore(full_url))
        for store in stores:
            stack.callback(store.close)
        apps = [celery_app(u, max_task_seconds=MAX_TASK_SECONDS) for u in (empty_url, full_url)]
        celery = (
            OcrService(stores[0], CeleryBroker(apps[0]), policy=policy),
            OcrService(stores[1], CeleryBroker(apps[1]), policy=policy),
        )
        memory = (
            OcrService(stores[0], MemoryBroker(), policy=policy),
            OcrService(stores[1], MemoryBroker(), policy=policy),
        )
        # the backlog, through the full path: N records Pending and N messages in the queue
        started = time.perf_counter()
        submit_latencies(celery[1], args.backlog)
        print(f"backlog of {args.backlog} submitted in {time.perf_counter() - started:.1f} s")
        submit_latencies(celery[0], 50)  # the empty side's connections and script cache
        series = interleaved(
            {"redis store + memory broker": memory, "redis store + celery queue": celery},
            args.samples,
        )
        queued = apps[1].connection_for_write().default_channel.client.llen("ocrhive")
        claim_s, got = timed_claim(celery[1], lambda: stores[1].pending(limit=8))
    print_table(args.backlog, series)
    print(f"messages waiting in the backlog's queue: {queued}")
    print(f"claim with {args.backlog} pending: {claim_s * 1e3:.2f} ms (got {got})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backlog", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--redis", action="store_true", help="on two scratch redis-servers")
    parser.add_argument("--redis-url", help="on this scratch Redis (databases N and N+1)")
    parser.add_argument(
        "--max-pending",
        type=int,
        default=0,
        help="the service's and each client's backpressure cap (0 = none, as by default); "
        "set, every submit also counts the Pending tasks",
    )
    args = parser.parse_args()
    configure_logging("warning")
    # SIGTERM unwinds like Ctrl-C, so the redis-servers are stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    policy = LifecyclePolicy(
        retention_seconds=3600,
        max_pending=args.max_pending,
        max_pending_per_client=args.max_pending,
    )
    if args.redis or args.redis_url:
        run_redis(args, policy)
    else:
        run_sqlite(args, policy)


if __name__ == "__main__":
    main()
