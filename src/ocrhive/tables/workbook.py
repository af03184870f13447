"""Found tables as an XLSX workbook: one sheet per table, spanning cells merged."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook

from ocrhive.tables.model import Table

#: plain decimals only, and no longer than Excel keeps exactly (15 significant digits)
_NUMBER = re.compile(r"-?\d{1,15}(\.\d{1,6})?")


def cell_value(text: str) -> str | int | float:
    """A number when the text is exactly how Python writes that number ("12", "3.25"), else the
    text: "007", "1.50" or "2024-01-02" stay as printed, so nothing read is lost."""
    if not _NUMBER.fullmatch(text):
        return text
    number: int | float = float(text) if "." in text else int(text)
    return number if str(number) == text else text


def render_xlsx(tables: Sequence[Table], *, sheet_name: str = "Table") -> bytes:
    """An XLSX workbook with the sheets "Table 1", "Table 2", … (one when there is one table)."""
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    for index, table in enumerate(tables, start=1):
        sheet = book.create_sheet(sheet_name if len(tables) == 1 else f"{sheet_name} {index}")
        for cell in table.cells:
            if cell.text:
                sheet.cell(row=cell.row + 1, column=cell.col + 1, value=cell_value(cell.text))
            if cell.row_span > 1 or cell.col_span > 1:
                sheet.merge_cells(
                    start_row=cell.row + 1,
                    start_column=cell.col + 1,
                    end_row=cell.row + cell.row_span,
                    end_column=cell.col + cell.col_span,
                )
    if not tables:
        book.create_sheet(sheet_name)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
