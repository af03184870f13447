"""One page to its tables: level it, look for ruled tables, else for aligned words, else the
page's text as one column; then read the cells."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from PIL import Image

from ocrhive.domain.document import BBox, Word
from ocrhive.engines.base import Engine, EngineRequest, Segmentation
from ocrhive.tables.borderless import find_borderless
from ocrhive.tables.level import ink, level
from ocrhive.tables.model import Cell, Table
from ocrhive.tables.reading import (
    assign,
    read_cells,
    read_words,
    reading_scale,
    without_lines,
)
from ocrhive.tables.ruled import find_ruled, line_masks
from ocrhive.tables.wordlines import group_lines, line_box


class Reading(enum.Enum):
    """How cell text is read (benchmarks/README.md, "Tables", compares them: cells read on
    their own got every cell of 32 generated tables right, the page read once 99.8 %, for the
    same CPU time)."""

    PAGE = "page"  #: the page read once, words assigned to cells by their centre
    CELLS = "cells"  #: every cell's crop read on its own


@dataclass(frozen=True, kw_only=True)
class Extraction:
    """The tables of a page, the image their boxes refer to, and how it was levelled."""

    tables: tuple[Table, ...]
    image: Image.Image
    #: clockwise degrees the page was turned to level it
    angle: float
    #: no table was found: ``tables`` holds the page's text lines as one column
    fallback: bool


def _one_column(words: list[Word], size: tuple[int, int]) -> Table:
    lines = group_lines(words)
    cells = tuple(
        Cell(row=r, col=0, bbox=line_box(line), text=" ".join(w.text for w in line))
        for r, line in enumerate(lines)
    )
    box = (
        BBox.union([c.bbox for c in cells])
        if cells
        else BBox(left=0, top=0, right=size[0], bottom=size[1])
    )
    return Table(rows=len(cells), cols=1, cells=cells, bbox=box, ruled=False)


def extract(
    image: Image.Image, engine: Engine, request: EngineRequest, *, reading: Reading = Reading.CELLS
) -> Extraction:
    """Find and read the tables on ``image`` (a preprocessed page)."""
    image, angle = level(image)
    mask = ink(image)
    ruled = find_ruled(mask)
    page_request = replace(request, segmentation=Segmentation.SPARSE)
    if ruled:
        horizontal, vertical = line_masks(mask)
        clean = without_lines(image, horizontal | vertical)
        factor = reading_scale(clean)
        if reading is Reading.CELLS:
            tables = [read_cells(t, clean, engine, request, factor) for t in ruled]
        else:
            words = read_words(engine, clean, page_request, factor)
            tables = [assign(t, words) for t in ruled]
        return Extraction(tables=tuple(tables), image=image, angle=angle, fallback=False)
    factor = reading_scale(image)
    words = read_words(engine, image, page_request, factor)
    found = find_borderless(words)
    if not found:
        return Extraction(
            tables=(_one_column(words, image.size),), image=image, angle=angle, fallback=True
        )
    if reading is Reading.CELLS:
        tables = [read_cells(t, image, engine, request, factor) for t in found]
    else:
        tables = [assign(t, words) for t in found]
    return Extraction(tables=tuple(tables), image=image, angle=angle, fallback=False)
