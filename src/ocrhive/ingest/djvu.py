"""A DjVu document read page by page with DjVuLibre's own tools (``djvused``, ``ddjvu``), each
call a memory-capped child process with a time limit, so one page at a time is ever decoded
and a hostile file costs a task, never the worker."""

from __future__ import annotations

import io
import os
import re
import resource
import struct
import subprocess
import warnings
from dataclasses import dataclass

from PIL import Image

from ocrhive.errors import ImageTooLarge, MemoryLimitExceeded, TimeLimitExceeded, UnreadableImage
from ocrhive.ingest.decode import normalise_mode
from ocrhive.ingest.pages import PageLimits

#: a DjVu file: optional ``AT&T`` magic, then an IFF ``FORM`` of one page or a multi-page bundle
_FORM = struct.Struct(">4sI4s")
_MAGIC = b"AT&T"
_SINGLE, _MULTI = b"DJVU", b"DJVM"
#: the first byte of a DJVM's directory: its high bit says the pages are inside this file
_BUNDLED = 0x80
_SIZE = re.compile(rb"width=(\d+) height=(\d+)(?: rotation=(\d))?")
_INFO = re.compile(rb"INFO \[\d+\]\s+DjVu \d+x\d+, v\d+, (\d+) dpi")
#: words of DjVuLibre's messages when an allocation failed under the cap
_OUT_OF_MEMORY = (b"allocate", b"memory", b"bad_alloc")
#: the prefixes of DjVuLibre's messages and the (meaningless to a client) descriptor path
_NOISE = re.compile(rb"^\*\*\* (\[[^\]]*\] )?|^ddjvu: |^djvused: | ?'file://[^']*'")
#: DjVu's own default when a page states no resolution
_DEFAULT_DPI = 300.0


@dataclass(frozen=True, kw_only=True)
class DjvuPage:
    """One page's header: its size as rendered (after the page's own rotation), resolution."""

    width: int
    height: int
    dpi: float


def is_djvu(data: bytes) -> bool:
    """Whether ``data`` starts like a DjVu file (one page or a bundle)."""
    head = data[4:] if data.startswith(_MAGIC) else data
    return len(head) >= _FORM.size and head[:4] == b"FORM" and head[8:12] in (_SINGLE, _MULTI)


def _check_container(data: bytes) -> None:
    """Refuse what is not a DjVu file, and indirect documents whose pages are other files."""
    if not data:
        raise UnreadableImage("The document is empty (0 bytes after base64 decoding).")
    if not is_djvu(data):
        raise UnreadableImage(
            "The submitted file is not a DjVu document (it does not start with a DjVu header)."
        )
    head = data[4:] if data.startswith(_MAGIC) else data
    if head[8:12] == _MULTI:
        directory = head[_FORM.size : _FORM.size + 9]
        if len(directory) < 9 or directory[:4] != b"DIRM":
            raise UnreadableImage("The DjVu document is damaged: its page directory is missing.")
        if not directory[8] & _BUNDLED:
            raise UnreadableImage(
                "The DjVu document is indirect (its pages are separate files); send a bundled "
                "document, e.g. made with `djvmcvt -b`."
            )


def _first_message(stderr: bytes) -> str:
    """The first line DjVuLibre wrote, without its prefixes and the document's file name."""
    for raw in stderr.splitlines():
        line = _NOISE.sub(b"", raw).strip().rstrip(b".")
        if line:
            return line.decode("utf-8", "replace")
    return ""


class DjvuDocument:
    """One submitted DjVu file, held in an anonymous in-memory file that DjVuLibre's tools read.

    Args:
        data: The DjVu file.
        limits: Pixel and page limits, the tools' memory cap and time limit per call.

    Raises:
        UnreadableImage: not a DjVu file, an indirect one, or one DjVuLibre cannot open.
        ImageTooLarge: more pages than ``limits`` allow.
        MemoryLimitExceeded, TimeLimitExceeded: opening it needed more than the limits.
    """

    def __init__(self, data: bytes, limits: PageLimits) -> None:
        _check_container(data)
        self._limits = limits
        # never on disk: the client's document lives in this process's memory only
        self._fd: int | None = os.memfd_create("djvu", os.MFD_CLOEXEC)
        try:
            os.write(self._fd, data)
            out = self._run(["djvused", self._path, "-e", "n"], "The DjVu document")
            try:
                self.count = int(out.strip())
            except ValueError:
                raise UnreadableImage("The DjVu document's page count could not be read.") from None
            if self.count <= 0:
                raise UnreadableImage("The submitted document has no pages.")
            if self.count > limits.max_pages:
                raise ImageTooLarge(
                    f"The document has {self.count} pages; this server reads at most "
                    f"{limits.max_pages} pages per task."
                )
        except BaseException:
            self.close()
            raise

    @property
    def _path(self) -> str:
        if self._fd is None:
            raise RuntimeError("the DjVu document is closed")
        return f"/dev/fd/{self._fd}"

    def page(self, index: int) -> DjvuPage:
        """Page ``index`` (0-based)'s size and resolution, read from its header alone.

        Raises:
            UnreadableImage: the page's header cannot be read.
        """
        what = f"Page {index + 1} of the DjVu document"
        out = self._run(["djvused", self._path, "-e", f"select {index + 1}; size; dump"], what)
        size = _SIZE.search(out)
        if size is None:
            raise UnreadableImage(f"{what} could not be read: it has no page header.")
        width, height = int(size[1]), int(size[2])
        if size[3] is not None and int(size[3]) % 2:  # a quarter turn: rendered on its side
            width, height = height, width
        info = _INFO.search(out)
        dpi = float(info[1]) if info is not None else _DEFAULT_DPI
        return DjvuPage(width=width, height=height, dpi=dpi if 25 <= dpi <= 6000 else _DEFAULT_DPI)

    def render(self, index: int) -> Image.Image:
        """Page ``index`` (0-based) at full resolution: mode ``1`` for a bilevel page, ``L`` or
        ``RGB`` otherwise, with its resolution in ``info["dpi"]``.

        Raises:
            ImageTooLarge: the page has more pixels than the limits allow (checked first).
            UnreadableImage: the page cannot be decoded.
            MemoryLimitExceeded, TimeLimitExceeded: decoding it needed more than the limits.
        """
        header = self.page(index)
        what = f"Page {index + 1} of the DjVu document"
        decode = self._limits.decode
        pixels = header.width * header.height
        if pixels > decode.max_pixels or max(header.width, header.height) > decode.max_side:
            raise ImageTooLarge(
                f"{what} has too many pixels: {header.width}×{header.height} "
                f"({pixels / 1e6:.1f} MP); this server accepts at most "
                f"{decode.max_pixels / 1e6:.0f} MP and {decode.max_side} px per side."
            )
        out = self._run(["ddjvu", "-format=pnm", f"-page={index + 1}", self._path, "-"], what)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(out), formats=["PPM"])
                if image.size != (header.width, header.height):
                    raise UnreadableImage(f"{what} decoded to a size its header does not state.")
                image.load()
        except (OSError, ValueError, SyntaxError) as exc:
            raise UnreadableImage(f"{what} could not be decoded: {exc}") from None
        del out
        page = image if image.mode == "1" else normalise_mode(image)
        page.info["dpi"] = (header.dpi, header.dpi)
        return page

    def close(self) -> None:
        """Release the in-memory copy of the document."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DjvuDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, command: list[str], what: str) -> bytes:
        """``command``'s output, run under the memory cap and time limit."""
        cap = self._cap_bytes()
        assert self._fd is not None
        try:
            done = subprocess.run(
                ["prlimit", f"--as={cap}", "--", *command],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                pass_fds=(self._fd,),
                timeout=self._limits.page_render_seconds,
                check=False,
                cwd="/",
            )
        except subprocess.TimeoutExpired:
            raise TimeLimitExceeded(
                f"{what} exceeded the time limit for decoding one DjVu page "
                f"({self._limits.page_render_seconds:g} s); it is too complex or damaged."
            ) from None
        except FileNotFoundError as exc:  # the service's system packages are missing
            raise UnreadableImage(
                f"DjVu documents cannot be read on this server: {exc.filename} is not installed "
                "(scripts/service-system-deps.sh installs it)."
            ) from None
        if done.returncode != 0:
            if any(word in done.stderr.lower() for word in _OUT_OF_MEMORY):
                raise MemoryLimitExceeded(
                    f"{what} exceeded the memory limit for decoding one DjVu page "
                    f"({cap >> 20} MiB); it is too large or built to exhaust memory."
                )
            detail = _first_message(done.stderr)
            raise UnreadableImage(
                f"{what} could not be read; the file is damaged or not a valid DjVu document"
                + (f" ({detail})." if detail else ".")
            )
        return done.stdout

    def _cap_bytes(self) -> int:
        """The tools' address-space cap; a lower hard limit this process runs under wins."""
        cap: int = self._limits.render_memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        return cap if hard == resource.RLIM_INFINITY else min(cap, hard)
