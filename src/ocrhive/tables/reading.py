"""Text into cells: the page's words assigned to the cell under their centre, or each cell's
crop read on its own."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
from PIL import Image

from ocrhive.domain.document import BBox, Word
from ocrhive.engines.base import Engine, EngineRequest, Segmentation
from ocrhive.preprocess.textsize import x_height
from ocrhive.tables.model import Table
from ocrhive.tables.ruled import Ink
from ocrhive.tables.wordlines import text_of

#: Paper added around a cell crop: Tesseract reads text touching the image edge badly.
CROP_MARGIN = 12
#: Text with taller lowercase letters (pixels) is read shrunk to TARGET_X_HEIGHT: Tesseract read
#: "775.65" in 11 pt DejaVu Sans at 300 dpi (x-height 33 px) as "771565", and right at 70 %.
MAX_X_HEIGHT = 26.0
TARGET_X_HEIGHT = 22.0


def reading_scale(image: Image.Image) -> float:
    """How much to shrink ``image`` (lines already removed) before reading it (≤ 1)."""
    measured = x_height(image)
    if measured is None or measured <= MAX_X_HEIGHT:
        return 1.0
    return TARGET_X_HEIGHT / measured


def _scaled(image: Image.Image, factor: float) -> Image.Image:
    if factor == 1.0:
        return image
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def read_words(
    engine: Engine, image: Image.Image, request: EngineRequest, factor: float
) -> list[Word]:
    """The words on ``image`` read at ``factor`` of its size, boxes on ``image`` itself."""
    dpi = request.dpi * factor if request.dpi else None
    page = engine.recognize(_scaled(image, factor), replace(request, dpi=dpi))
    words = [w for w in page.words() if w.text.strip()]
    if factor == 1.0:
        return words
    return [
        replace(
            w,
            bbox=BBox(
                left=round(w.bbox.left / factor),
                top=round(w.bbox.top / factor),
                right=round(w.bbox.right / factor),
                bottom=round(w.bbox.bottom / factor),
            ),
        )
        for w in words
    ]


def without_lines(image: Image.Image, lines: Ink) -> Image.Image:
    """``image`` with its ruling lines painted white, so they are not read as letters."""
    grown = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    arr = np.array(image.convert("L"))
    arr[grown > 0] = 255
    return Image.fromarray(arr, "L")


def assign(table: Table, words: list[Word]) -> Table:
    """``table`` with each word in the cell its box's centre falls in."""
    inside: list[list[Word]] = [[] for _ in table.cells]
    for word in words:
        cx = (word.bbox.left + word.bbox.right) / 2
        cy = (word.bbox.top + word.bbox.bottom) / 2
        for index, cell in enumerate(table.cells):
            box = cell.bbox
            if box.left <= cx < box.right and box.top <= cy < box.bottom:
                inside[index].append(word)
                break
    return table.with_texts([text_of(found) for found in inside])


def read_cells(
    table: Table, image: Image.Image, engine: Engine, request: EngineRequest, factor: float
) -> Table:
    """``table`` with every cell's crop of ``image`` read as one block of text at ``factor`` of
    its size."""
    texts = []
    cell_request = replace(request, segmentation=Segmentation.SINGLE_BLOCK)
    for cell in table.cells:
        box = cell.bbox
        crop = image.crop((box.left, box.top, box.right, box.bottom))
        if crop.width < 4 or crop.height < 4 or _blank(crop):
            texts.append("")
            continue
        padded = Image.new("L", (crop.width + 2 * CROP_MARGIN, crop.height + 2 * CROP_MARGIN), 255)
        padded.paste(crop.convert("L"), (CROP_MARGIN, CROP_MARGIN))
        texts.append(text_of(read_words(engine, padded, cell_request, factor)))
    return table.with_texts(texts)


def _blank(crop: Image.Image) -> bool:
    """No dark pixels worth reading (noise and stripes are lighter than print)."""
    arr = np.asarray(crop.convert("L"))
    return int((arr < 128).sum()) < 8
