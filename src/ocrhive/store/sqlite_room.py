"""Room for the SQLite store: the free-space reserve and ceiling that refuse new work before the
disk is full, and the scrubber that hands deleted pages back to the file system and empties the
write-ahead log, so deleted inputs and results are in no file within about a second."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import Literal

import structlog

from ocrhive.errors import StorageFull
from ocrhive.store.base import StorageState

log = structlog.get_logger("ocrhive.store")

MIB = 1024 * 1024
#: what a refused client is told to wait before trying again, seconds
RETRY_AFTER = 10.0
#: SQLite needs room for its write-ahead log whatever reserve the operator chose
_FREE_FLOOR = 1 * MIB
#: how long one look at the disk's free space is trusted; keeps a submit to one statfs a second
_DISK_CACHE_SECONDS = 1.0
#: a write refused for want of space keeps the store reported full this long
_FULL_MEMORY_SECONDS = 10.0
#: deletes are scrubbed from the files this long after they commit, seconds: one checkpoint
#: (an fsync, ~17 ms here) then serves every delete of that moment, not each one
_SCRUB_DELAY = 0.5
#: longest wait between attempts while scrubbing fails (disk full, readers in the way), seconds
_SCRUB_MAX_BACKOFF = 30.0
#: pages one vacuum step frees: each step is a write transaction, and moving the pages of a big
#: input in one go held the write lock for seconds (submits waited); 1 MiB steps let them in
_VACUUM_STEP_PAGES = 256
#: how long one scrub vacuums before it checkpoints anyway and leaves the rest for the next
_VACUUM_BUDGET_SECONDS = 1.0


class DiskRoom:
    """Whether the data folder's disk and the store's ceiling leave room for new work."""

    def __init__(self, folder: Path, *, max_store_mb: float, reserve_mb: float) -> None:
        self._folder = folder
        self._max_store_bytes = int(max_store_mb * MIB)
        self._reserve_bytes = max(int(reserve_mb * MIB), _FREE_FLOOR)
        self._lock = threading.Lock()
        self._free = 0
        self._checked_at = -_DISK_CACHE_SECONDS
        self._full_at: float | None = None

    @property
    def has_ceiling(self) -> bool:
        return self._max_store_bytes > 0

    def free_bytes(self) -> int:
        with self._lock:
            now = time.monotonic()
            if now - self._checked_at >= _DISK_CACHE_SECONDS:
                self._free = shutil.disk_usage(self._folder).free
                self._checked_at = now
            return self._free

    def make_room(self, size: int) -> None:
        """Refuse a new ``size``-byte input when the disk would fall under its reserve."""
        free = self.free_bytes()
        if free - size < self._reserve_bytes:
            raise StorageFull(
                "The server's disk is too full to take new tasks"
                f" ({free / MIB:.0f} MiB free, {self._reserve_bytes / MIB:.0f} MiB kept in"
                " reserve). Try again later.",
                retry_after=RETRY_AFTER,
            )
        with self._lock:
            # saves within one cached look at the disk must not all spend the same free space
            self._free -= size

    def check_ceiling(self, used: int, size: int) -> None:
        """Refuse ``size`` more bytes when the store already holds ``used``."""
        if self._max_store_bytes and used + size > self._max_store_bytes:
            raise StorageFull(
                f"The task store is full ({used / MIB:.0f} MiB of"
                f" {self._max_store_bytes / MIB:.0f} MiB); finished tasks free room"
                " as they expire. Try again later.",
                retry_after=RETRY_AFTER,
            )

    def write_refused(self) -> None:
        """A write failed for want of space: report full for a while, look at the disk again."""
        self._full_at = time.monotonic()
        self._checked_at = -_DISK_CACHE_SECONDS  # the cached free space was wrong

    def write_succeeded(self) -> None:
        self._full_at = None

    def state(self, *, used: int) -> StorageState:
        """Free disk space, ``used`` bytes of live data, and why new work is refused now."""
        free = self.free_bytes()
        problems: list[str] = []
        if free < self._reserve_bytes:
            problems.append(
                f"the disk has {free / MIB:.0f} MiB free, under the reserve of"
                f" {self._reserve_bytes / MIB:.0f} MiB"
            )
        if self._max_store_bytes and used >= self._max_store_bytes:
            problems.append(
                f"the task store holds {used / MIB:.0f} MiB, its ceiling is"
                f" {self._max_store_bytes / MIB:.0f} MiB"
            )
        full_at = self._full_at
        if full_at is not None and time.monotonic() - full_at < _FULL_MEMORY_SECONDS:
            problems.append("a write to the task store failed: the disk is full")
        return StorageState(free_bytes=free, store_bytes=used, problems=tuple(problems))


class Scrubber:
    """Vacuums freed pages and truncates the write-ahead log soon after deletes, in a thread."""

    def __init__(self, path: Path, *, busy_timeout: float) -> None:
        self._path = path
        self._busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._due = threading.Event()
        self._thread: threading.Thread | None = None

    def reclaim(self) -> bool:
        """Do it all now (tests, maintenance); False when a reader kept the checkpoint from
        finishing or the disk had no room for the vacuum."""
        return self._step(budget=float("inf")) == "done"

    def soon(self) -> None:
        """Have the deleted data scrubbed from the files within about ``_SCRUB_DELAY``."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="store-scrubber", daemon=True
                )
                self._thread.start()
        self._due.set()

    def _step(self, *, budget: float) -> Literal["done", "more", "failed"]:
        """Vacuum free pages for up to ``budget`` seconds, then checkpoint and truncate the log.

        The log still holds every page as first written (an input image, its results) until
        it is checkpointed and truncated; ``secure_delete`` alone zeroes only the live pages.
        """
        try:
            # a connection of its own: the scrubber thread must not keep one open between runs
            db = sqlite3.connect(self._path, timeout=self._busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            log.warning("store_reclaim_failed", path=str(self._path), error=str(exc))
            return "failed"
        try:
            deadline = time.monotonic() + budget
            left = db.execute("PRAGMA freelist_count").fetchone()[0]
            while left and time.monotonic() < deadline:
                # executescript steps the pragma to its end; execute() frees only one page
                db.executescript(f"PRAGMA incremental_vacuum({_VACUUM_STEP_PAGES});")
                left = db.execute("PRAGMA freelist_count").fetchone()[0]
            busy: int = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.Error as exc:
            log.warning("store_reclaim_failed", path=str(self._path), error=str(exc))
            return "failed"
        finally:
            db.close()
        if busy:
            return "failed"
        return "more" if left else "done"

    def _run(self) -> None:
        delay = _SCRUB_DELAY
        while True:
            self._due.wait()
            time.sleep(delay)
            self._due.clear()
            try:
                step = self._step(budget=_VACUUM_BUDGET_SECONDS)
            except Exception:  # this thread must outlive any single fault
                log.exception("store_reclaim_crashed", path=str(self._path))
                step = "failed"
            # a failure (disk full, a reader in the way) is retried ever less often
            delay = min(delay * 2, _SCRUB_MAX_BACKOFF) if step == "failed" else _SCRUB_DELAY
            if step != "done":
                self._due.set()
