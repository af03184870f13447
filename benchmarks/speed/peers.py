"""The two yardsticks the service is measured against, on the same images and the same cores.

* ``bare``: tesserocr with one resident ``PyTessBaseAPI`` per process, ``processes`` processes
  (the limit: the engine and nothing else, no HTTP, no store, no preprocessing); for receipts
  also RapidOCR, which the service's engine choice reads them with.
* ``cli``: the ``tesseract`` command once per image, ``processes`` at a time (what servers that
  wrap pytesseract do); Debian's ``tesseract-ocr``, installed by ``scripts/bench-system-deps.sh``.

Both read with the same model folder and mode as ocrhive's engine (LSTM, automatic layout).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

#: set before tesserocr loads, as ocrhive's engines package does: one thread per process
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from benchmarks.accuracy.bare import BareTesseract
from PIL import Image

from ocrhive.engines.base import EngineRequest
from ocrhive.engines.rapidocr import RapidOcrEngine
from ocrhive.engines.tesseract import TesseractEngine


@dataclass(frozen=True, kw_only=True)
class Timing:
    """Wall-clock seconds of one batch and the CPU seconds its processes spent."""

    seconds: float
    cpu: float
    images: int


def model_dir() -> Path:
    """The folder ocrhive's Tesseract engine loads ``eng`` from."""
    found = TesseractEngine()._find("eng")
    if found is None:
        raise SystemExit("eng.traineddata is not installed")
    return found


_TESSERACT: BareTesseract | None = None
_RAPID: RapidOcrEngine | None = None


def _start(engine: str) -> None:
    global _TESSERACT, _RAPID
    if engine == "rapidocr":
        _RAPID = RapidOcrEngine(threads=1)
        _RAPID.warm_up()
        return
    _TESSERACT = BareTesseract()
    _TESSERACT.load()


def _read(data: bytes) -> tuple[int, float]:
    """Decode and read one image in a pool process: (characters read, CPU seconds spent)."""
    started = time.process_time()
    image = Image.open(io.BytesIO(data))
    image.load()
    if _RAPID is not None:
        page = _RAPID.recognize(image.convert("RGB"), EngineRequest())
        return sum(len(w.text) for w in page.words()), time.process_time() - started
    assert _TESSERACT is not None
    return len(_TESSERACT.read(image.copy())), time.process_time() - started


class BarePool:
    """``processes`` processes, each with its engine loaded once (started before timing):
    tesserocr, or with ``engine="rapidocr"`` RapidOCR through ocrhive's adapter (the engine
    the service reads receipts with)."""

    def __init__(self, processes: int, engine: str = "tesserocr") -> None:
        self.processes = processes
        self._pool = get_context("spawn").Pool(processes, initializer=_start, initargs=(engine,))

    def run(self, images: list[bytes]) -> Timing:
        """Read every image, ``processes`` at a time; time from the first to the last."""
        started = time.perf_counter()
        results = self._pool.map(_read, images, chunksize=1)
        return Timing(
            seconds=time.perf_counter() - started,
            cpu=sum(cpu for _, cpu in results),
            images=len(images),
        )

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()


def cli_available() -> bool:
    return shutil.which("tesseract") is not None


def _cli(path: Path, folder: Path) -> None:
    subprocess.run(
        ["tesseract", str(path), "stdout", "--tessdata-dir", str(folder), "--oem", "1"],
        check=True,
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )


def run_cli(paths: list[Path], processes: int) -> Timing:
    """The ``tesseract`` command once per file, ``processes`` at a time."""
    folder = model_dir()
    before = os.times()
    started = time.perf_counter()
    with ThreadPoolExecutor(processes) as pool:
        list(pool.map(lambda p: _cli(p, folder), paths))
    seconds = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return Timing(seconds=seconds, cpu=cpu, images=len(paths))
