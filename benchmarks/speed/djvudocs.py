"""DjVu test documents built from Pillow images with DjVuLibre's encoders (c44, cjb2, djvm)."""

from __future__ import annotations

import shutil
import subprocess
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
