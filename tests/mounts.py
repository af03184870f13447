"""Real small file systems for tests: a size-limited tmpfs (a disk that fills), read-only mounts."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def tmpfs(where: Path, *, size_mb: int, read_only: bool = False) -> Iterator[Path]:
    """Mount a ``size_mb`` tmpfs on ``where`` (created if missing) for the ``with`` block.

    Needs root (the tests run as root here and in CI); unmounted on the way out, also when the
    block fails, so no mount outlives its test.
    """
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size_mb}m,mode=0755" + (",ro" if read_only else "")
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        # lazy: a server that died holding a file open must not keep the mount busy
        subprocess.run(["umount", "-l", str(where)], check=True)


def remount(where: Path, *, read_only: bool) -> None:
    """Switch a mounted tmpfs between read-write and read-only."""
    mode = "ro" if read_only else "rw"
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True)


def fill(path: Path, chunk: int = 1 << 20) -> int:
    """Write zeros to ``path`` until the disk refuses (ENOSPC); how many bytes it took."""
    written = 0
    block = b"\0" * chunk
    with open(path, "wb", buffering=0) as fh:
        while chunk:
            try:
                written += fh.write(block[:chunk])
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                # finish with ever smaller writes so not even a page is left
                chunk //= 2
    return written
