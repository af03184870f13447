"""A worker process's hold on the host: it dies with the process that started it and runs under
a memory cap, so neither a dead server nor a runaway task can leave the host worse off."""

from __future__ import annotations

import ctypes
import resource
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies, so a SIGKILLed server or node
    leaves no orphan worker holding tasks."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` MiB (0 = leave it alone): an
    allocation past it fails inside the task instead of exhausting the host."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
