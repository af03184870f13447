"""The live service under measure: batches of tasks over HTTP, upload memory, GET latency.

Deployments are started by :mod:`benchmarks.speed.cluster` (``ocrhive serve`` on 127.0.0.1 with
a temporary data folder, a registered client and a token).
"""

from __future__ import annotations

import base64
import json
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
from benchmarks.speed.cluster import Deployment, cpu_by_role, sampled_memory

from ocrhive.domain.recognition import ArtifactKind, Family, RecognitionSettings
from ocrhive.domain.task import Artifact, Outcome
from ocrhive.service import OcrService, Requester

#: every wait here ends; a batch that takes longer is a failure
BATCH_TIMEOUT = 1800.0

_BOOLEANS = ("makeSkewCorrect", "makeBinarization", "makeSpellCheck", "makeContrastCorrection")
#: what the official SDK sends for RecognizeImage with its defaults (spec §6): deskew only
DEFAULTS = {
    "language": "English",
    **dict.fromkeys(_BOOLEANS, False),
    "makeUpsampling": False,
    "makeSkewCorrect": True,
    "resultType": "Text",
}
#: every preprocessing flag off
FLAGS_OFF = {**DEFAULTS, "makeSkewCorrect": False}
#: what the SDK sends for RecognizePdf with its defaults: deskew and binarization
PDF_DEFAULTS = {**DEFAULTS, "makeBinarization": True}


@dataclass(frozen=True, kw_only=True)
class Batch:
    """One batch through the service: wall-clock seconds, whole-tree CPU seconds, peak RSS."""

    seconds: float
    cpu: float
    tasks: int
    peak_rss_mib: float


def body(data: bytes, settings: dict[str, object]) -> bytes:
    return json.dumps(
        {"image": base64.b64encode(data).decode("ascii"), "settings": settings}
    ).encode()


def client(dep: Deployment, timeout: float = 120.0) -> httpx.Client:
    headers = {"Authorization": f"Bearer {dep.token}", "Content-Type": "application/json"}
    return httpx.Client(base_url=dep.url, headers=headers, timeout=timeout)


def wait_done(http: httpx.Client, path: str, task_id: str, deadline: float) -> dict[str, object]:
    """The final envelope of ``task_id`` (the server holds each GET until it is final)."""
    while True:
        if time.monotonic() > deadline:
            raise RuntimeError(f"task {task_id} not final in time")
        envelope: dict[str, object] = http.get(path, params={"id": task_id}).json()
        status = envelope["taskStatus"]
        if status == "Completed":
            return envelope
        if status not in ("Pending", "Processing"):
            raise RuntimeError(f"task {task_id} ended {envelope}")


def run_batch(
    dep: Deployment, family: str, files: list[bytes], settings: dict[str, object]
) -> Batch:
    """Submit every file, then wait until all are Completed; first submit → last completion."""
    bodies = [body(f, settings) for f in files]
    path = f"/v5.0/ocr/{family}"
    before = cpu_by_role(dep)
    with client(dep) as http, sampled_memory(dep) as samples:
        deadline = time.monotonic() + BATCH_TIMEOUT
        started = time.perf_counter()
        ids = []
        for b in bodies:
            response = http.post(path, content=b)
            response.raise_for_status()
            ids.append(response.text.strip())
        for task_id in ids:
            wait_done(http, path, task_id, deadline)
        seconds = time.perf_counter() - started
    after = cpu_by_role(dep)
    return Batch(
        seconds=seconds,
        cpu=sum(after[k] - before[k] for k in after),
        tasks=len(ids),
        peak_rss_mib=max(s[0] for s in samples) / 1024,
    )


# -- uploads ---------------------------------------------------------------------------------


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass(frozen=True, kw_only=True)
class Upload:
    """The API process's resident memory around uploads, MiB over its idle baseline."""

    uploads: int
    file_mib: float
    peak: float
    after: float

    @property
    def peak_per_file(self) -> float:
        """Peak growth over the decoded files' total size (≤ 1.5 is issue 9's bar for one)."""
        return self.peak / (self.uploads * self.file_mib)


def measure_uploads(dep: Deployment, data: bytes, concurrent: int) -> Upload:
    """POST ``concurrent`` copies of ``data`` at once; sample the API process's RSS meanwhile
    (every 5 ms) and 2 s after the last answer, then wait for the tasks to finish."""
    front = dep.procs[0].popen
    assert front is not None
    baseline = rss_mib(front.pid)
    peak = baseline
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.005):
            peak = max(peak, rss_mib(front.pid))

    payload = body(data, DEFAULTS)
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    with client(dep) as http, ThreadPoolExecutor(concurrent) as pool:
        answers = list(
            pool.map(
                lambda _: http.post("/v5.0/ocr/RecognizeImage", content=payload), range(concurrent)
            )
        )
        time.sleep(2.0)
        after = rss_mib(front.pid)
        stop.set()
        thread.join()
        deadline = time.monotonic() + BATCH_TIMEOUT
        for answer in answers:
            answer.raise_for_status()
            wait_done(http, "/v5.0/ocr/RecognizeImage", answer.text.strip(), deadline)
    return Upload(
        uploads=concurrent,
        file_mib=len(data) / 2**20,
        peak=peak - baseline,
        after=after - baseline,
    )


# -- polling ---------------------------------------------------------------------------------


def register_client(data_dir: Path) -> dict[str, str]:
    """A new API client in ``data_dir`` (before the server starts): its credentials."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ocrhive.cli",
            "clients",
            "add",
            "bench",
            "--data-dir",
            str(data_dir),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    creds: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
    return creds


def store_finished_tasks(service: OcrService, client_id: str, count: int) -> str:
    """``count`` Completed tasks of ``client_id`` with a small text result; the last one's id."""
    who = Requester(client_id=client_id)
    outcome = Outcome(results=(Artifact(kind=ArtifactKind.TEXT, data=b"stored result " * 40),))
    image = b"\x89PNG" + b"\0" * 2_000
    last = ""
    for _ in range(count):
        last = service.submit(Family.RECOGNIZE_IMAGE, RecognitionSettings(), image, who)
        claimed = service.claim(last, "bench-prefill")
        assert claimed is not None
        service.complete(claimed, "bench-prefill", outcome)
    return last


def get_latencies(dep: Deployment, task_id: str, samples: int) -> list[float]:
    """Seconds per GET of the finished task ``task_id``, one request after another."""
    out = []
    with client(dep, timeout=30) as http:
        for _ in range(samples):
            started = time.perf_counter()
            response = http.get("/v5.0/ocr/RecognizeImage", params={"id": task_id})
            out.append(time.perf_counter() - started)
            response.raise_for_status()
    return out


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]
