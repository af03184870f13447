"""DjVu documents built from Pillow images with DjVuLibre's encoders (c44, cjb2, djvm), and the
peak memory of the DjVuLibre tools a conversion runs; shared by the DjVu tests and benchmark."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

from PIL import Image


def djvu_page(image: Image.Image, path: Path, *, dpi: int = 300) -> Path:
    """``image`` as a one-page DjVu file: bilevel (mode ``1``) with cjb2, else IW44 with c44."""
    source = path.with_suffix(".pbm" if image.mode == "1" else ".pnm")
    image.save(source)
    encoder = "cjb2" if image.mode == "1" else "c44"
    subprocess.run([encoder, "-dpi", str(dpi), str(source), str(path)], check=True)
    source.unlink()
    return path


def bundle(pages: list[Path], path: Path) -> bytes:
    """One bundled multi-page DjVu document of ``pages``, in order; its bytes."""
    subprocess.run(["djvm", "-c", str(path), *map(str, pages)], check=True)
    return path.read_bytes()


def djvu_document(images: list[Image.Image], folder: Path, *, dpi: int = 300) -> bytes:
    """A bundled DjVu document with one page per image."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = [djvu_page(im, folder / f"page{i:04d}.djvu", dpi=dpi) for i, im in enumerate(images)]
    return bundle(pages, folder / "document.djvu")


def repeated(page: Path, count: int, folder: Path) -> bytes:
    """A document of ``count`` copies of one encoded page (cheap to build, costly to read)."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for i in range(count):
        copy = folder / f"copy{i:04d}.djvu"
        shutil.copyfile(page, copy)
        copies.append(copy)
    return bundle(copies, folder / "document.djvu")


#: the DjVuLibre tools (and the wrapper that caps them) a conversion runs, one at a time
TOOLS = frozenset({"prlimit", "djvused", "ddjvu"})


class ToolPeak:
    """The largest VmHWM of any DjVuLibre tool below ``root``, sampled every 20 ms.

    Tools are told apart by name because a child between fork and exec still reports its
    parent's memory as its own (summing a tree's VmRSS counts the parent twice then).
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            stack = [self.root]
            while stack:
                pid = stack.pop()
                try:
                    for task in Path(f"/proc/{pid}/task").iterdir():
                        stack.extend(int(c) for c in (task / "children").read_text().split())
                    if Path(f"/proc/{pid}/comm").read_text().strip() in TOOLS:
                        status = Path(f"/proc/{pid}/status").read_text().splitlines()
                        hwm = next(int(x.split()[1]) for x in status if x.startswith("VmHWM"))
                        self.peak = max(self.peak, hwm * 1024)
                except (OSError, ValueError, StopIteration):
                    continue  # the process ended while being read

    def stop(self) -> int:
        """Stop sampling; the peak seen, bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak
