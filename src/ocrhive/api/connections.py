"""Connection-level defences under uvicorn: a connection cap that evicts idle sockets, deadlines
for silent and half-sent requests, the open-file limit, and one log line for failed accepts."""

from __future__ import annotations

import asyncio
import errno
import resource
import time
from collections import OrderedDict
from typing import Any, ClassVar

import h11
import structlog
from uvicorn.protocols.http.h11_impl import H11Protocol

log = structlog.get_logger("ocrhive.api")

#: file descriptors kept out of the connection cap for SQLite, worker pipes, logs and models
RESERVED_FILES = 64
#: how often a failing accept() may be logged, seconds
ACCEPT_ERROR_LOG_INTERVAL = 60.0

_REFUSED = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Retry-After: 1\r\n"
    b"Connection: close\r\n"
    b"Content-Length: 42\r\n\r\n"
    b"The server has too many open connections.\n"
)


def raise_open_file_limit() -> int:
    """Raise this process's soft ``RLIMIT_NOFILE`` to its hard limit.

    Returns:
        The soft limit now in force (unchanged when raising it was refused).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with deadlines and a connection cap.

    uvicorn 0.54 arms no timer before a connection's first response, so a socket that never
    sends a byte, or sends its headers a byte at a time, stays open for ever; and its
    ``limit_concurrency`` counts those sockets, answering 503 to real clients once they fill
    it. Here a request head must arrive whole within ``idle_timeout`` of the connection opening
    (or of the previous response), a body may pause at most ``idle_timeout`` between chunks,
    and at the cap the longest-waiting idle connection is closed to make room.
    """

    max_connections: ClassVar[int] = 2048
    idle_timeout: ClassVar[float] = 15.0
    #: connections waiting for a request head, oldest first (eviction order)
    waiting: ClassVar[OrderedDict[GuardedH11Protocol, None]] = OrderedDict()

    _deadline: asyncio.TimerHandle | None = None
    _phase: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if len(self.connections) >= self.max_connections and not self._evict_idle():
            # every connection is busy with a request: the newcomer is the one refused
            assert isinstance(transport, asyncio.Transport)
            transport.write(_REFUSED)
            transport.close()
            self.transport = transport
            self._phase = "refused"
            return
        super().connection_made(transport)  # type: ignore[arg-type]
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._phase == "refused":
            return
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def _evict_idle(self) -> bool:
        while self.waiting:
            oldest, _ = self.waiting.popitem(last=False)
            if not oldest.transport.is_closing():
                oldest._phase = None
                oldest.transport.close()
                return True
        return False

    def _watch(self) -> None:
        """Arm the deadline that fits the state the client's side of the connection is in."""
        if self.transport.is_closing():
            self._disarm()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            # not reset by incoming bytes: a head sent a byte at a time still has to finish
            if self._phase != "head":
                self._arm("head")
                self.waiting[self] = None
        elif state is h11.SEND_BODY:
            self._arm("body")
        else:
            self._disarm()

    def _arm(self, phase: str) -> None:
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(self.idle_timeout, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.waiting.pop(self, None)
        self._phase = None

    def _expire(self) -> None:
        self._deadline = None
        if self._phase == "body" and self.flow.read_paused:
            # the application, not the client, is behind: reading is paused on our side
            self._arm("body")
            return
        self.waiting.pop(self, None)
        self._phase = None
        if not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(*, max_connections: int, idle_timeout: float) -> type[GuardedH11Protocol]:
    """A protocol class for ``uvicorn.run(http=...)`` with these limits and its own registry."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {
            "max_connections": max_connections,
            "idle_timeout": idle_timeout,
            "waiting": OrderedDict(),
        },
    )


def uvicorn_options(
    *, max_connections: int, idle_timeout_seconds: float, trusted_proxies: str
) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` that apply the connection limits.

    Raises the open-file limit first (a side effect on this process), so the connection cap can
    be kept below it: accept() then never fails for want of descriptors.

    Args:
        max_connections: connections served at once.
        idle_timeout_seconds: how long a silent or half-sent request is waited for.
        trusted_proxies: comma-separated proxy addresses whose X-Forwarded-For is believed;
            empty means the socket peer is the client (uvicorn would trust loopback).
    """
    open_files = raise_open_file_limit()
    cap = max(16, min(max_connections, open_files - RESERVED_FILES))
    proxies = [p.strip() for p in trusted_proxies.split(",") if p.strip()]
    return {
        "http": guarded_protocol(max_connections=cap, idle_timeout=idle_timeout_seconds),
        "timeout_keep_alive": max(1, round(idle_timeout_seconds)),
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or [],
    }


_RESOURCE_ERRNOS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


class AcceptErrorLog:
    """A loop exception handler that logs a failing accept() once per interval.

    asyncio reports every failed accept with a traceback and retries each second, which filled
    589 MB of log during a descriptor exhaustion; everything else goes to the previous handler.
    """

    def __init__(self, interval: float = ACCEPT_ERROR_LOG_INTERVAL) -> None:
        self.interval = interval
        self._last = -float("inf")
        self._suppressed = 0
        self._previous: Any = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        """Become ``loop``'s exception handler, passing other errors to the one before."""
        self._previous = loop.get_exception_handler()
        loop.set_exception_handler(self)

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in _RESOURCE_ERRNOS:
            now = time.monotonic()
            if now - self._last >= self.interval:
                log.warning(
                    "too_many_open_files",
                    error=exc.strerror,
                    suppressed=self._suppressed,
                    next_report_seconds=self.interval,
                )
                self._last = now
                self._suppressed = 0
            else:
                self._suppressed += 1
            return
        if self._previous is not None:
            self._previous(loop, context)
        else:
            loop.default_exception_handler(context)
