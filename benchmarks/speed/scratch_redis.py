"""A scratch redis-server on 127.0.0.1, persisting to its own folder as a cluster's should
(append-only file): the command line and the wait until it answers, for benchmarks and tests."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path


def redis_command(port: int, folder: Path) -> list[str]:
    """The ``redis-server`` command for a loopback server keeping its data in ``folder``.

    Raises:
        FileNotFoundError: redis-server is not installed.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
    return [
        binary,
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(folder),
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "",
        "--daemonize", "no",
        "--protected-mode", "yes",
    ]  # fmt: skip


def answers(port: int) -> bool:
    """Whether the server on ``port`` answers PING now."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def wait_until_answering(port: int, timeout: float = 20.0) -> bool:
    """Poll until the server answers PING, up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(port):
            return True
        time.sleep(0.05)
    return False
