"""A PDF read through its own memory-capped child process with a time limit per page, so a
hostile file (a self-drawing form, a Flate bomb) costs a task, never the worker."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Never

from PIL import Image

from ocrhive.errors import MemoryLimitExceeded, TimeLimitExceeded, UnreadableImage
from ocrhive.ingest import pdfchild
from ocrhive.ingest.textlayer import TextLayer

# signals of a crash in pdfium's own code, as opposed to its out-of-memory abort
_CRASHES = frozenset({signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE})
_F_SETPIPE_SZ = 1031
# a 300 dpi A4 page in grey is 8.7 MB: a 1 MiB pipe moves it in 9 reads rather than 133
_PIPE_BYTES = 1 << 20


@dataclass(frozen=True)
class _Answer:
    kind: bytes
    code: int
    a: int
    b: int
    c: int
    dpi: float


_Reader = Callable[[], bytearray]


class _Stopped(Exception):
    """The child ended its output early (it died)."""


class _TimedOut(Exception):
    """The child did not answer in time."""


class PdfRenderer:
    """One PDF opened in a child process that lives until :meth:`close`.

    Args:
        data: The PDF file.
        memory_mb: The child's address-space cap, MiB.
        page_seconds: How long opening the document, or rendering one page, may take.
        max_pixels: A page larger than this at its scan resolution is rendered at a lower one.

    Raises:
        UnreadableImage: pdfium cannot open the document.
        MemoryLimitExceeded: opening it needed more than ``memory_mb``.
        TimeLimitExceeded: opening it took longer than ``page_seconds``.
    """

    def __init__(
        self, data: bytes, *, memory_mb: int, page_seconds: float, max_pixels: int
    ) -> None:
        self._memory_mb = memory_mb
        self._seconds = page_seconds
        # a grey page is at most max_pixels bytes, plus row padding and a rounded-up side
        self._max_answer = 2 * max_pixels + (1 << 20)
        self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [
                sys.executable,
                "-m",
                pdfchild.__name__,
                str(memory_mb),
                str(max_pixels),
                str(os.getpid()),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._stdin = self._proc.stdin
        self._stdout = self._proc.stdout
        # poll, not select: a busy worker's descriptors may pass select's limit of 1024
        self._poll = select.poll()
        self._poll.register(self._stdout.fileno(), select.POLLIN)
        # refused when pipe-max-size is lowered: a smaller pipe only means more reads
        with contextlib.suppress(OSError):
            fcntl.fcntl(self._stdout.fileno(), _F_SETPIPE_SZ, _PIPE_BYTES)
        try:
            self._send(pdfchild.LENGTH.pack(len(data)) + data)
            answer = self._answer("The PDF")
            self.count = answer.a
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    def render(self, index: int) -> Image.Image:
        """Page ``index`` (0-based) as a grey image with its render dpi in ``info``.

        Raises:
            UnreadableImage: the page cannot be found or loaded.
            MemoryLimitExceeded: the page needed more memory than the cap.
            TimeLimitExceeded: the page took longer than the limit to render.
        """
        if self._proc is None:
            raise RuntimeError("the PDF renderer is closed")
        what = f"Page {index + 1} of the PDF"
        self._send(pdfchild.REQUEST.pack(index), what)
        deadline = time.monotonic() + self._seconds
        answer = self._answer(what, deadline)
        size = answer.c * answer.b
        pixels = self._guarded(what, lambda: self._read(size, deadline))
        image = Image.frombuffer("L", (answer.a, answer.b), pixels, "raw", "L", answer.c, 1)
        image.info["dpi"] = (answer.dpi, answer.dpi)
        return image

    def text(self, index: int) -> TextLayer:
        """Page ``index``'s own text as pdfium reads it from the content (no OCR).

        Raises:
            UnreadableImage, MemoryLimitExceeded, TimeLimitExceeded: as :meth:`render`.
        """
        if self._proc is None:
            raise RuntimeError("the PDF renderer is closed")
        what = f"Page {index + 1} of the PDF"
        self._send(pdfchild.REQUEST.pack(index | pdfchild.TEXT_FLAG), what)
        deadline = time.monotonic() + self._seconds
        answer = self._answer(what, deadline)
        payload = self._guarded(what, lambda: self._read(answer.a, deadline))
        try:
            return TextLayer.from_json(bytes(payload))
        except (ValueError, KeyError, TypeError, IndexError):
            raise UnreadableImage(f"{what} could not be read: its text layer is garbled.") from None

    def merge(self, other: bytes, own: Sequence[bool]) -> bytes:
        """A PDF whose page ``i`` is this document's page ``i`` where ``own[i]``, and
        ``other``'s page ``i`` elsewhere (both documents have ``len(own)`` pages).

        Raises:
            UnreadableImage, MemoryLimitExceeded, TimeLimitExceeded: as :meth:`render`.
        """
        if self._proc is None:
            raise RuntimeError("the PDF renderer is closed")
        what = "The searchable PDF"
        request = pdfchild.REQUEST.pack(pdfchild.MERGE) + pdfchild.LENGTH.pack(len(other))
        self._send(request + other + pdfchild.REQUEST.pack(len(own)) + bytes(own), what)
        deadline = time.monotonic() + self._seconds * max(1, len(own))
        answer = self._answer(what, deadline)
        return bytes(self._guarded(what, lambda: self._read(answer.a, deadline)))

    def close(self) -> None:
        """End the child (it holds nothing worth a graceful exit)."""
        if self._proc is None:
            return
        self._proc.kill()
        self._proc.wait()
        self._stdin.close()
        self._stdout.close()
        self._proc = None

    def _send(self, data: bytes, what: str = "The PDF") -> None:
        try:
            self._stdin.write(data)
            self._stdin.flush()
        except (BrokenPipeError, ValueError):
            # the child is gone; why is told by how it ended
            self._raise_for_exit(what)

    def _answer(self, what: str, deadline: float | None = None) -> _Answer:
        deadline = time.monotonic() + self._seconds if deadline is None else deadline
        raw = self._guarded(what, lambda: self._read(pdfchild.HEADER.size, deadline))
        answer = _Answer(*pdfchild.HEADER.unpack(raw))
        # a child that pdfium's bugs let a file take over must not make this process allocate
        sizes = {
            pdfchild.DOCUMENT: 0,
            pdfchild.PAGE: answer.b * answer.c,
            pdfchild.FAILURE: answer.a,
            pdfchild.TEXT: answer.a,
            pdfchild.MERGED: answer.a,
        }
        if sizes.get(answer.kind, -1) not in range(self._max_answer + 1) or (
            answer.kind == pdfchild.PAGE and answer.c < answer.a
        ):
            self.close()
            raise UnreadableImage(f"{what} could not be read: the PDF renderer failed on it.")
        if answer.kind == pdfchild.FAILURE:
            text = self._guarded(what, lambda: self._read(answer.a, deadline))
            detail = text.decode("utf-8", "replace")
            if answer.code == pdfchild.MEMORY:
                raise MemoryLimitExceeded(self._memory_message(what, detail))
            raise UnreadableImage(f"{what} could not be read: {detail.rstrip('.')}.")
        return answer

    def _guarded(self, what: str, read: _Reader) -> bytearray:
        try:
            return read()
        except _TimedOut:
            self.close()
            raise TimeLimitExceeded(
                f"{what} exceeded the time limit for rendering one PDF page "
                f"({self._seconds:g} s); it is too complex or built to stall the reader."
            ) from None
        except _Stopped:
            self._raise_for_exit(what)

    def _read(self, size: int, deadline: float) -> bytearray:
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _TimedOut
            if not self._poll.poll(left * 1000):
                continue
            count = os.readv(self._stdout.fileno(), [view[got:]])
            if not count:
                raise _Stopped
            got += count
        return buffer

    def _raise_for_exit(self, what: str) -> Never:
        assert self._proc is not None
        try:
            code = self._proc.wait(5)
        except subprocess.TimeoutExpired:  # closed its output yet lives on: treat as stuck
            code = -signal.SIGKILL
        self.close()
        if -code in _CRASHES:
            name = signal.Signals(-code).name
            raise UnreadableImage(
                f"{what} could not be read: the PDF renderer crashed on it ({name}); the file "
                "is damaged or malformed."
            )
        stopped = signal.Signals(-code).name if code < 0 else f"exit status {code}"
        raise MemoryLimitExceeded(self._memory_message(what, f"the renderer stopped ({stopped})"))

    def _memory_message(self, what: str, detail: str) -> str:
        return (
            f"{what} exceeded the memory limit for rendering one PDF page "
            f"({self._memory_mb} MiB): {detail}; it is too complex or built to exhaust memory."
        )
