"""Text into cells: the page's words assigned to the cell under their centre, or each cell's
crop read on its own."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from ocrhive.domain.document import Word
from ocrhive.engines.base import Engine, EngineRequest, Segmentation
from ocrhive.tables.model import Table
from ocrhive.tables.ruled import Ink
from ocrhive.tables.wordlines import text_of

#: Paper added around a cell crop: Tesseract reads text touching the image edge badly.
CROP_MARGIN = 12


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


def read_cells(table: Table, image: Image.Image, engine: Engine, request: EngineRequest) -> Table:
    """``table`` with every cell's crop of ``image`` read as one block of text."""
    texts = []
    cell_request = EngineRequest(
        language=request.language, segmentation=Segmentation.SINGLE_BLOCK, dpi=request.dpi
    )
    for cell in table.cells:
        box = cell.bbox
        crop = image.crop((box.left, box.top, box.right, box.bottom))
        if crop.width < 4 or crop.height < 4 or _blank(crop):
            texts.append("")
            continue
        padded = Image.new("L", (crop.width + 2 * CROP_MARGIN, crop.height + 2 * CROP_MARGIN), 255)
        padded.paste(crop.convert("L"), (CROP_MARGIN, CROP_MARGIN))
        texts.append(text_of(engine.recognize(padded, cell_request).words()))
    return table.with_texts(texts)


def _blank(crop: Image.Image) -> bool:
    """No dark pixels worth reading (noise and stripes are lighter than print)."""
    arr = np.asarray(crop.convert("L"))
    return int((arr < 128).sum()) < 8
