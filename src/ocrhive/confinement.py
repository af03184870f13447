"""A process's hold on the host: a worker dies with the process that started it and runs under
a memory cap, so neither a dead server nor a runaway task can leave the host worse off; the API
process hands a large upload's memory back once it is stored."""

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


#: an upload at least this large is followed by :func:`give_back_free_memory`
LARGE_ALLOCATION = 1024 * 1024


def give_back_free_memory() -> None:
    """Return the heap's free pages to the system (glibc ``malloc_trim``).

    glibc maps a large block on pages of its own only until the first such block is freed; then
    it raises that threshold (up to 32 MiB), and later uploads' buffers come from the heap,
    which keeps their pages once they are freed. Trimming after a large upload hands them back
    without making every large allocation (a secret's 16 MiB scrypt buffer) map and unmap.
    """
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass
