"""Found tables as text (tab-separated), CSV (RFC 4180) and the JSON description."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence

from ocrhive.domain.document import BBox
from ocrhive.render.jsondoc import corners
from ocrhive.tables.model import Table

#: maps a box on the levelled page to the image the client sent
BoxMap = Callable[[BBox], BBox]


def _flat(text: str) -> str:
    """One line of text: tabs and line breaks would break the text layout's columns."""
    return " ".join(text.split())


def render_text(tables: Sequence[Table]) -> bytes:
    """Each row a line, cells separated by tabs, tables by a blank line (UTF-8)."""
    blocks = [
        "\n".join("\t".join(_flat(t) for t in row) for row in table.grid()) for table in tables
    ]
    return ("\n\n".join(blocks) + "\n").encode("utf-8") if blocks else b""


def render_csv(tables: Sequence[Table]) -> bytes:
    """RFC 4180 CSV in UTF-8 (CRLF line ends, quotes only where needed), tables separated by an
    empty line; a spanning cell's text sits in its top-left field, the fields it covers are
    empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for index, table in enumerate(tables):
        if index:
            out.write("\r\n")
        writer.writerows(table.grid())
    return out.getvalue().encode("utf-8")


def render_json(tables: Sequence[Table], to_source: BoxMap, *, fallback: bool) -> bytes:
    """The tables with their rows, columns, cells (text, spans, boxes on the submitted image).

    ``fallback`` says no table was found and the page's lines stand as one column.
    """
    document = {
        "version": 1,
        "tableFound": not fallback,
        "tables": [
            {
                "rows": table.rows,
                "columns": table.cols,
                "ruled": table.ruled,
                **corners(to_source(table.bbox)),
                "cells": [
                    {
                        "row": cell.row,
                        "column": cell.col,
                        "rowSpan": cell.row_span,
                        "columnSpan": cell.col_span,
                        "text": cell.text,
                        **corners(to_source(cell.bbox)),
                    }
                    for cell in table.cells
                ],
            }
            for table in tables
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
