"""Shared fixtures: real sample images, generated text pages, live ocrhive servers on loopback."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from benchmarks.speed.scratch_redis import redis_command, wait_until_answering
from PIL import Image, ImageDraw, ImageFont

from ocrhive.domain.recognition import Family, RecognitionSettings
from ocrhive.domain.task import NewTask

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
RECEIPTS = DATASETS / "dev-receipts"

PANGRAM_LINES = [
    "The quick brown fox jumps over the lazy dog.",
    "Pack my box with five dozen liquor jugs.",
    "Sphinx of black quartz, judge my vow.",
    "How vexingly quick daft zebras jump!",
    "Invoice 2024-117 total 318.40 EUR due 30 days.",
]


def text_page(
    lines: list[str] = PANGRAM_LINES, *, size: int = 36, width: int = 1400
) -> Image.Image:
    """A white page with ``lines`` in black (Pillow's bundled font: no system fonts needed)."""
    font = ImageFont.load_default(size=size)
    line_height = int(size * 1.6)
    image = Image.new("L", (width, line_height * len(lines) + 2 * size), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((size, size + i * line_height), line, fill=0, font=font)
    return image


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def receipt(name: str) -> tuple[bytes, str]:
    """A real receipt scan and its ground-truth text (read in place from shared/datasets)."""
    image = RECEIPTS / f"{name}.jpg"
    if not image.exists():
        pytest.fail(
            f"dataset image missing: {image} (the shared datasets must sit beside the repo)"
        )
    return image.read_bytes(), (RECEIPTS / f"{name}.gt.txt").read_text(encoding="utf-8")


def new_task(task_id: str, now: float = 0.0, ttl: float = 100.0, owner: str = "c") -> NewTask:
    """A task as the service would hand it to a store (for store-level tests)."""
    return NewTask(
        id=task_id,
        family=Family.RECOGNIZE_IMAGE,
        owner=owner,
        settings=RecognitionSettings(),
        created_at=now,
        expires_at=now + ttl,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """An ``ocrhive serve`` process on loopback with its own data folder."""

    data_dir: Path
    workers: int = 2
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self.port = self.port or free_port()
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-server.log"
        env = {**os.environ, **self.env}
        log = open(self.log_path, "ab")  # noqa: SIM115 (owned by the child process)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ocrhive.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--data-dir",
                str(self.data_dir),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                health = httpx.get(f"{self.url}/health", timeout=1).json()
                if health["workers"]["alive"] == self.workers:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not become healthy:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def wait_for_workers(self, count: int, timeout: float = 60.0) -> None:
        """Until /health reports ``count`` worker processes alive (after kills, a restart)."""
        deadline = time.monotonic() + timeout
        while httpx.get(f"{self.url}/health", timeout=5).json()["workers"]["alive"] != count:
            assert time.monotonic() < deadline, f"{count} workers not alive after {timeout} s"
            time.sleep(0.2)

    def signing_key(self) -> bytes:
        return (self.data_dir / "token-signing.key").read_bytes()

    def worker_pids(self) -> list[int]:
        """The server's child processes (its workers), from /proc."""
        assert self.proc is not None
        pids: list[int] = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            children = (task / "children").read_text().split()
            pids.extend(int(c) for c in children)
        # multiprocessing's resource tracker is a child too; workers run spawn_main
        return [p for p in pids if "spawn_main" in _cmdline(p)]

    def kill(self) -> None:
        """SIGKILL the server process (its workers die with it)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def add_client(self, name: str = "tester") -> dict[str, str]:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "ocrhive.cli",
                "clients",
                "add",
                name,
                "--data-dir",
                str(self.data_dir),
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **self.env},
        )
        creds: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
        return creds

    def token(self, creds: dict[str, str]) -> str:
        response = httpx.post(
            f"{self.url}/connect/token",
            data={"grant_type": "client_credentials", **creds},
            timeout=30,
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token


@dataclass
class RedisServer:
    """A real ``redis-server`` on loopback, persisting to its own folder (append-only file), so
    a stop and start on the same folder loses nothing."""

    folder: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20.0) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        try:
            command = redis_command(self.port, self.folder)
        except FileNotFoundError as exc:
            pytest.fail(f"{exc}: run scripts/test-system-deps.sh")
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 (owned by the child process)
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        if not wait_until_answering(self.port, timeout):
            raise RuntimeError((self.folder / "redis.log").read_text(errors="replace"))

    def stop(self) -> None:
        """SIGTERM: Redis flushes its append-only file and exits."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session; tests keep apart by key prefix."""
    server = RedisServer(folder=tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class OcrhiveNode:
    """One ``python -m ocrhive.cli ARGS`` process of a cluster, logging to a file."""

    args: list[str]
    env: dict[str, str]
    log_path: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 (owned by the child process)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ocrhive.cli", *self.args],
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a machine failure would (a node's pool processes die with it)."""
        if self.alive():
            assert self.proc is not None
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@dataclass
class Cluster:
    """Distributed mode on one machine: API nodes (``serve --workers 0``) and worker nodes
    (``worker --concurrency 1``) sharing one real redis-server."""

    folder: Path
    redis: RedisServer
    env: dict[str, str] = field(default_factory=dict)
    api_count: int = 2
    worker_count: int = 2
    api_nodes: list[OcrhiveNode] = field(default_factory=list)
    worker_nodes: list[OcrhiveNode] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.api_nodes[0].url

    @property
    def workers(self) -> int:
        """Worker processes in the cluster (what /health reports alive)."""
        return sum(1 for n in self.worker_nodes if n.alive())

    @property
    def node_env(self) -> dict[str, str]:
        return {**self.env, "OCRHIVE_REDIS_URL": self.redis.url}

    def start(self, timeout: float = 90.0) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for i in range(self.api_count):
            port = free_port()
            node = OcrhiveNode(
                ["serve", "--workers", "0", "--host", "127.0.0.1", "--port", str(port)],
                self.node_env,
                self.folder / f"api{i}.log",
                port=port,
            )
            node.start()
            self.api_nodes.append(node)
        for _ in range(self.worker_count):
            self.add_worker_node()
        self.wait_ready(timeout)

    def add_worker_node(self) -> OcrhiveNode:
        node = OcrhiveNode(
            ["worker", "--concurrency", "1"],
            self.node_env,
            self.folder / f"worker{len(self.worker_nodes)}.log",
        )
        node.start()
        self.worker_nodes.append(node)
        return node

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Every API node answers and sees every live worker process's heartbeat."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if all(
                    httpx.get(f"{n.url}/health", timeout=1).json()["workers"]["alive"]
                    >= self.workers
                    for n in self.api_nodes
                    if n.alive()
                ):
                    return
            except httpx.HTTPError:
                pass
            for node in self.api_nodes + self.worker_nodes:
                if node.proc is not None and node.proc.poll() not in (None, -9):
                    raise RuntimeError(f"cluster node exited early:\n{self.log()}")
            time.sleep(0.2)
        raise RuntimeError(f"cluster did not become ready:\n{self.log()}")

    def log(self) -> str:
        return "\n".join(
            f"== {n.log_path.name}\n{n.log_path.read_text(errors='replace')}"
            for n in self.api_nodes + self.worker_nodes
            if n.log_path.exists()
        )

    def stop(self) -> None:
        for node in self.api_nodes + self.worker_nodes:
            node.stop()

    def add_client(self, name: str = "tester") -> dict[str, str]:
        out = subprocess.run(
            [sys.executable, "-m", "ocrhive.cli", "clients", "add", name],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **self.node_env},
        )
        creds: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
        return creds

    def token(self, creds: dict[str, str], node: int = 0) -> str:
        response = httpx.post(
            f"{self.api_nodes[node].url}/connect/token",
            data={"grant_type": "client_credentials", **creds},
            timeout=30,
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def signing_key(self) -> bytes:
        import redis

        value = redis.Redis.from_url(self.redis.url).get("ocrhive:signing-key")
        assert value is not None
        return bytes(value)


#: a deployment the live suites run against: the embedded server or a cluster
Deployment = LiveServer | Cluster

#: the shared live server's settings, the same for both deployments
LIVE_ENV = {
    "OCRHIVE_MAX_BODY_MB": "8",
    "OCRHIVE_MAX_MEGAPIXELS": "60",
    "OCRHIVE_GET_WAIT_SECONDS": "10",
}


@pytest.fixture(scope="session", params=["embedded", "cluster"])
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """One shared deployment for the read-only API and SDK suites, which run against both:
    the embedded server (2 workers), and a cluster of 2 API nodes + 2 worker nodes on Redis."""
    server: Deployment
    if request.param == "embedded":
        server = LiveServer(data_dir=tmp_path_factory.mktemp("live") / "data", env=LIVE_ENV)
    else:
        redis_server = RedisServer(folder=tmp_path_factory.mktemp("live-redis"))
        redis_server.start()
        request.addfinalizer(redis_server.stop)
        server = Cluster(
            folder=tmp_path_factory.mktemp("live-cluster"), redis=redis_server, env=LIVE_ENV
        )
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Any]:
    """Builds throw-away servers (for crash, restart and retention tests); stops them after."""
    made: list[LiveServer] = []

    def make(**kwargs: Any) -> LiveServer:
        server = LiveServer(data_dir=tmp_path / f"data{len(made)}", **kwargs)
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture(scope="session")
def creds(live_server: Deployment) -> dict[str, str]:
    return live_server.add_client("alice")


@pytest.fixture(scope="session")
def token(live_server: Deployment, creds: dict[str, str]) -> str:
    return live_server.token(creds)


@pytest.fixture(scope="session")
def api(live_server: Deployment, token: str) -> Iterator[httpx.Client]:
    """An HTTP client for the shared server, authenticated as alice."""
    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        yield client
