"""What a found table is: a grid of rows and columns whose cells may span several of each."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ocrhive.domain.document import BBox


@dataclass(frozen=True, kw_only=True)
class Cell:
    """One cell: its top-left grid position, how many rows and columns it spans, its box on the
    page it was found on, and the text read in it."""

    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    bbox: BBox
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class Table:
    """A table found on a page; ``ruled`` tells whether it was found by its lines."""

    rows: int
    cols: int
    cells: tuple[Cell, ...]
    bbox: BBox
    ruled: bool

    def grid(self) -> list[list[str]]:
        """The text as ``rows`` × ``cols`` strings; a spanning cell's text sits at its top-left
        grid position and the positions it covers are empty."""
        out = [[""] * self.cols for _ in range(self.rows)]
        for cell in self.cells:
            out[cell.row][cell.col] = cell.text
        return out

    def with_texts(self, texts: list[str]) -> Table:
        """The same table with ``texts`` (one per cell, in ``cells`` order) read into it."""
        cells = tuple(replace(c, text=t) for c, t in zip(self.cells, texts, strict=True))
        return replace(self, cells=cells)
