"""How each Aspose ``dsrMode`` is carried out by our engines (document structure recognition).

The choices and the measurements behind them are in docs/layout.md.
"""

from __future__ import annotations

from ocrhive.domain.recognition import DsrMode
from ocrhive.engines.base import Segmentation

#: dsrMode → how the engine segments the page. None (not given) is full layout analysis.
SEGMENTATION: dict[DsrMode | None, Segmentation] = {
    None: Segmentation.AUTO,
    DsrMode.REGIONS: Segmentation.AUTO,
    DsrMode.DSR_NO_FILTER: Segmentation.AUTO,
    # Small images as one block, large ones with full layout: one uniform block read two-column
    # pages across the columns (65.6 % CER against 0.1 %) and was never better on large pages.
    DsrMode.DSR_AND_FILTER: Segmentation.BY_SIZE,
    DsrMode.NO_DSR_NO_FILTER: Segmentation.BY_SIZE,
    DsrMode.TEXT_DETECTOR: Segmentation.SPARSE,
    DsrMode.DSR_PLUS_DETECTOR: Segmentation.AUTO_PLUS_SPARSE,
    DsrMode.POLYGONAL_TEXT_DETECTOR: Segmentation.SPARSE,
    DsrMode.LINE_DETECTOR: Segmentation.SINGLE_COLUMN,
}


def segmentation_for(mode: DsrMode | None) -> Segmentation:
    """The engine segmentation that carries out ``mode``."""
    return SEGMENTATION[mode]
