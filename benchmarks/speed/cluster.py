"""Throughput through the live service, embedded (``serve --workers 2``) against distributed
mode on one Redis (1 API node + 2 worker nodes of concurrency 1, and 1 API node + 1 worker node
of concurrency 2), in alternating runs on the same images, with each deployment's process-tree
CPU time and peak memory.

    python -m benchmarks.speed.cluster [--receipts 24] [--pages 4] [--rounds 3]

Every run submits all images through HTTP, then waits until all are Completed; its time runs
from the first submit to the last completion. The script starts every process it measures
(each cluster gets its own redis-server) on 127.0.0.1 in a temporary folder, and stops them all
when it ends, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from benchmarks.speed.scratch_redis import redis_command, wait_until_answering
from PIL import Image, ImageDraw, ImageFont

RECEIPTS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "dev-receipts"
#: every wait in this script ends; a run that takes longer than this is a failure
RUN_TIMEOUT = 900.0
START_TIMEOUT = 120.0
#: the same server settings for every deployment; a long GET wait makes the client see a
#: completion within one server-side poll (<= 0.25 s) of it happening
NODE_ENV = {"OCRHIVE_GET_WAIT_SECONDS": "20", "OCRHIVE_LOG_LEVEL": "info"}
CLK_TCK = os.sysconf("SC_CLK_TCK")

PAGE_LINES = [
    "Quarterly statement for account 44-1902, period ending 31 March.",
    "Opening balance 1,204.55 and closing balance 2,981.10 (EUR).",
    "Seven wizards quickly jinxed the gnomes before they vaporized.",
    "Please quote reference QX-7781 on every payment you make.",
    "Questions? Call 0800 555 0199 between 9:00 and 17:00.",
]


def text_page(seed: int) -> bytes:
    """A generated A5-ish page of clean text as PNG (the lines rotate so pages differ)."""
    lines = PAGE_LINES[seed % len(PAGE_LINES) :] + PAGE_LINES[: seed % len(PAGE_LINES)]
    font = ImageFont.load_default(size=34)
    image = Image.new("L", (1500, 120 + 60 * len(lines) * 3), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines * 3):
        draw.text((60, 60 + 60 * i), line, fill=0, font=font)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- the process tree ----------------------------------------------------------------------


def descendants(roots: list[int]) -> list[int]:
    """``roots`` and every process below them, from /proc (children of every thread)."""
    seen: list[int] = []
    todo = list(roots)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.append(pid)
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass  # it exited while we looked
    return seen


def rss_pss_kib(pids: list[int]) -> tuple[int, int]:
    """Sum of VmRSS, and of Pss (shared pages counted once overall), over ``pids``, KiB."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one living process, seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


# -- deployments ---------------------------------------------------------------------------


@dataclass
class Proc:
    """One process this script started, in its own session so that its whole group can be
    killed by id if it does not stop on SIGTERM."""

    role: str  #: "front" (the process answering HTTP), "worker" or "redis"
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        p = self.popen
        if p is None:
            return
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        # pool processes that outlived their parent are still in its process group
        with suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)


def ocrhive(*args: str) -> list[str]:
    return [sys.executable, "-m", "ocrhive.cli", *args]


@dataclass
class Deployment:
    """A running ocrhive (embedded server, or cluster with its redis-server) and one client."""

    name: str
    folder: Path
    procs: list[Proc] = field(default_factory=list)
    url: str = ""
    token: str = ""
    expect_workers: int = 2
    env: dict[str, str] = field(default_factory=dict)

    def roots(self) -> list[int]:
        return [p.popen.pid for p in self.procs if p.popen is not None]

    def stop(self) -> None:
        # workers and API before Redis, so nothing logs a lost connection on the way out
        for p in sorted(self.procs, key=lambda p: p.role == "redis"):
            p.stop()

    def log_tail(self) -> str:
        return "\n".join(
            f"== {p.log.name}\n{p.log.read_text(errors='replace')[-3000:]}"
            for p in self.procs
            if p.log.exists()
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for p in self.procs:
                if p.popen is not None and p.popen.poll() is not None:
                    raise RuntimeError(f"{self.name}: {p.log.name} exited\n{self.log_tail()}")
            try:
                health = httpx.get(f"{self.url}/health", timeout=2).json()
                if health["workers"]["alive"] >= self.expect_workers:
                    return
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not become healthy\n{self.log_tail()}")

    def login(self, client_args: list[str]) -> None:
        out = subprocess.run(
            ocrhive("clients", "add", "bench", *client_args),
            env={**os.environ, **self.env},
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.token = access_token(self.url, json.loads(out.stdout.strip().splitlines()[-1]))


def access_token(url: str, creds: dict[str, str]) -> str:
    """An access token for the client with ``creds``."""
    response = httpx.post(
        f"{url}/connect/token", data={"grant_type": "client_credentials", **creds}, timeout=30
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def start_redis(folder: Path) -> tuple[Proc, str]:
    folder.mkdir(parents=True)
    port = free_port()
    try:
        command = redis_command(port, folder)
    except FileNotFoundError as exc:
        raise SystemExit(str(exc)) from None
    proc = Proc("redis", command, {}, folder / "redis.log")
    proc.start()
    if not wait_until_answering(port):
        raise RuntimeError("redis-server did not start")
    return proc, f"redis://127.0.0.1:{port}/0"


def start_embedded(
    stack: ExitStack,
    folder: Path,
    workers: int,
    *,
    creds: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> Deployment:
    """``serve --workers N`` on ``folder``/data, logged in as a new client, or as the client
    with ``creds`` (registered in that folder before, as it may hold tasks stored beforehand).
    ``env`` adds to the server's environment (and the client registration's), e.g. a
    ``PYTHONPATH`` that makes it run another checkout's code."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    dep = Deployment(f"embedded --workers {workers}", folder, expect_workers=workers)
    stack.callback(dep.stop)
    dep.env = {**NODE_ENV, **(env or {})}
    dep.url = f"http://127.0.0.1:{port}"
    data = folder / "data"
    dep.procs.append(
        Proc(
            "front",
            ocrhive(
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--data-dir",
                str(data),
            ),
            dep.env,
            folder / "serve.log",
        )
    )
    dep.procs[0].start()
    dep.wait_healthy()
    if creds is None:
        dep.login(["--data-dir", str(data)])
    else:
        dep.token = access_token(dep.url, creds)
    return dep


def start_cluster(stack: ExitStack, folder: Path, nodes: int, concurrency: int) -> Deployment:
    folder.mkdir(parents=True)
    dep = Deployment(
        f"cluster 1 API + {nodes}x worker --concurrency {concurrency}",
        folder,
        expect_workers=nodes * concurrency,
    )
    stack.callback(dep.stop)
    redis_proc, redis_url = start_redis(folder / "redis")
    dep.procs.append(redis_proc)
    dep.env = {**NODE_ENV, "OCRHIVE_REDIS_URL": redis_url}
    port = free_port()
    dep.url = f"http://127.0.0.1:{port}"
    # each node its own data folder: nothing is shared but Redis, as on separate machines
    api = Proc(
        "front",
        ocrhive("serve", "--workers", "0", "--host", "127.0.0.1", "--port", str(port)),
        {**dep.env, "OCRHIVE_DATA_DIR": str(folder / "api-data")},
        folder / "api.log",
    )
    dep.procs.append(api)
    for i in range(nodes):
        dep.procs.append(
            Proc(
                "worker",
                ocrhive("worker", "--concurrency", str(concurrency)),
                {**dep.env, "OCRHIVE_DATA_DIR": str(folder / f"worker{i}-data")},
                folder / f"worker{i}.log",
            )
        )
    for p in dep.procs[1:]:
        p.start()
    dep.wait_healthy()
    dep.login([])
    return dep


# -- one measured run ----------------------------------------------------------------------


@dataclass
class RunResult:
    seconds: float
    tasks: int
    cpu_by_role: dict[str, float]
    peak_rss_kib: int
    peak_pss_kib: int
    #: each task's final envelope, in submission order
    envelopes: list[dict[str, object]] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.tasks / self.seconds


@contextmanager
def sampled_memory(dep: Deployment, interval: float = 0.3) -> Iterator[list[tuple[int, int]]]:
    """Samples the deployment's whole tree (RSS sum, PSS sum) while the block runs."""
    samples: list[tuple[int, int]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(interval):
            samples.append(rss_pss_kib(descendants(dep.roots())))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join(5)
        samples.append(rss_pss_kib(descendants(dep.roots())))


def cpu_by_role(dep: Deployment) -> dict[str, float]:
    """CPU seconds so far of the front process itself, of every other ocrhive process in the
    tree (worker processes, sweeper, supervisor children), and of redis-server."""
    out = {"front": 0.0, "worker": 0.0, "redis": 0.0}
    for p in dep.procs:
        if p.popen is None:
            continue
        root = p.popen.pid
        for pid in descendants([root]):
            role = p.role if pid == root or p.role == "redis" else "worker"
            out[role] += cpu_seconds(pid)
    return out


def run(
    dep: Deployment,
    images: list[bytes],
    settings: dict[str, object] | None = None,
    family: str = "RecognizeImage",
) -> RunResult:
    """Submit every image (to ``family`` with ``settings``, none by default), then wait until
    all are Completed; time first submit → last done."""
    bodies = [
        json.dumps({"image": base64.b64encode(img).decode("ascii"), "settings": settings or {}})
        for img in images
    ]
    headers = {"Authorization": f"Bearer {dep.token}", "Content-Type": "application/json"}
    path = f"/v5.0/ocr/{family}"
    cpu_before = cpu_by_role(dep)
    with (
        httpx.Client(base_url=dep.url, headers=headers, timeout=60) as client,
        sampled_memory(dep) as samples,
    ):
        deadline = time.monotonic() + RUN_TIMEOUT
        start = time.perf_counter()
        ids = []
        envelopes = []
        for body in bodies:
            response = client.post(path, content=body)
            response.raise_for_status()
            ids.append(response.text.strip())
        # tasks finish roughly in submission order, so waiting on each in turn (the server
        # holds each GET until the task is final) sees the last completion promptly
        for task_id in ids:
            while True:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{dep.name}: run exceeded {RUN_TIMEOUT} s")
                envelope = client.get(path, params={"id": task_id}).json()
                status = envelope["taskStatus"]
                if status == "Completed":
                    envelopes.append(envelope)
                    break
                if status not in ("Pending", "Processing"):
                    raise RuntimeError(f"{dep.name}: task {task_id} ended {envelope}")
        seconds = time.perf_counter() - start
    cpu_after = cpu_by_role(dep)
    return RunResult(
        seconds=seconds,
        tasks=len(ids),
        cpu_by_role={k: cpu_after[k] - cpu_before[k] for k in cpu_after},
        peak_rss_kib=max(s[0] for s in samples),
        peak_pss_kib=max(s[1] for s in samples),
        envelopes=envelopes,
    )


# -- main ----------------------------------------------------------------------------------


def load_images(receipts: int, pages: int) -> list[bytes]:
    scans = sorted(RECEIPTS.glob("*.jpg"))[:receipts]
    if len(scans) < receipts:
        raise SystemExit(f"need {receipts} receipts in {RECEIPTS}, found {len(scans)}")
    images = [p.read_bytes() for p in scans] + [text_page(i) for i in range(pages)]
    # spread the generated pages among the scans, so no run ends on a block of quick pages
    step = max(1, len(images) // max(1, pages))
    for i in range(pages):
        images.insert(i * step, images.pop(receipts + i))
    return images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receipts", type=int, default=24)
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="embedded worker processes")
    parser.add_argument("--no-single-node", action="store_true", help="skip 1 node x 2")
    args = parser.parse_args()
    images = load_images(args.receipts, args.pages)
    # SIGTERM runs the same clean-up as Ctrl-C and errors do
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ocrhive-bench-")))
        deps = [start_embedded(stack, tmp / "embedded", args.workers)]
        deps.append(start_cluster(stack, tmp / "cluster-2x1", args.workers, 1))
        if not args.no_single_node:
            deps.append(start_cluster(stack, tmp / "cluster-1x2", 1, args.workers))
        warm = images[:: max(1, len(images) // 4)][:4]
        for dep in deps:
            run(dep, warm)  # engines' first-use costs, connection pools, page cache
        results: dict[str, list[RunResult]] = {d.name: [] for d in deps}
        for r in range(args.rounds):
            # reverse the order every other round, so drift in the machine's load cancels out
            for dep in deps if r % 2 == 0 else deps[::-1]:
                res = run(dep, images)
                results[dep.name].append(res)
                print(
                    f"round {r + 1} {dep.name:42s} {res.seconds:7.2f} s "
                    f"{res.per_second:6.3f} tasks/s",
                    flush=True,
                )
        report(results, deps[0].name, len(images), args.rounds)


def report(results: dict[str, list[RunResult]], base: str, tasks: int, rounds: int) -> None:
    print(f"\n{tasks} tasks per run, {rounds} rounds (median over rounds)")
    print(
        f"{'deployment':44s} {'tasks/s':>8s} {'ratio':>6s} {'ratio/rnd':>16s} "
        f"{'CPU s/task':>10s} {'front':>6s} {'worker':>6s} {'redis':>6s} "
        f"{'peak RSS':>9s} {'peak PSS':>9s}"
    )
    for name, runs in results.items():
        rate = statistics.median(r.per_second for r in runs)
        per_round = [r.per_second / b.per_second for r, b in zip(runs, results[base], strict=True)]
        cpu = {
            k: statistics.median(r.cpu_by_role[k] / r.tasks for r in runs)
            for k in runs[0].cpu_by_role
        }
        mib = 1024
        print(
            f"{name:44s} {rate:8.3f} {statistics.median(per_round):6.2f} "
            f"{' '.join(f'{x:.2f}' for x in per_round):>16s} {sum(cpu.values()):10.2f} "
            f"{cpu['front']:6.3f} {cpu['worker']:6.2f} {cpu['redis']:6.3f} "
            f"{max(r.peak_rss_kib for r in runs) / mib:6.0f} MiB "
            f"{max(r.peak_pss_kib for r in runs) / mib:6.0f} MiB"
        )


if __name__ == "__main__":
    main()
