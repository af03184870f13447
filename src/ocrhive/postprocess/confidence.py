"""Dropping low-confidence blocks as ``dsrConfidence`` asks (spec §6.3)."""

from __future__ import annotations

from dataclasses import replace

from ocrhive.domain.document import Block, Page
from ocrhive.domain.recognition import DsrConfidence, DsrMode

#: The modes whose blocks ``dsrConfidence`` filters (spec §6.3); the others keep every block.
FILTERED_MODES: frozenset[DsrMode] = frozenset(
    {DsrMode.DSR_NO_FILTER, DsrMode.DSR_AND_FILTER, DsrMode.DSR_PLUS_DETECTOR}
)

#: Least mean word confidence (0-100) a block needs to be kept, per level. On clean generated
#: pages every Tesseract block scored 88-97, so even Ultra keeps them all; on the shared receipt
#: scans blocks spread from 0 to 97 and the ones under 30 were mostly speckle read as text
#: (see docs/layout.md for the measurements).
THRESHOLDS: dict[DsrConfidence, float] = {
    DsrConfidence.ALL: 0.0,
    DsrConfidence.LOW: 10.0,
    DsrConfidence.LOW_MID: 20.0,
    DsrConfidence.MID: 30.0,
    DsrConfidence.DEFAULT: 30.0,
    DsrConfidence.MID_HIGH: 45.0,
    DsrConfidence.HIGH: 60.0,
    DsrConfidence.ULTRA: 80.0,
}


def block_confidence(block: Block) -> float:
    """The mean confidence of the block's words (0 for a block without words)."""
    scores = [w.confidence for line in block.lines for w in line.words]
    return sum(scores) / len(scores) if scores else 0.0


def drop_unsure_blocks(page: Page, level: DsrConfidence) -> tuple[Page, int]:
    """``page`` without the blocks below ``level``'s threshold, and how many were dropped."""
    threshold = THRESHOLDS[level]
    if threshold <= 0.0:
        return page, 0
    kept = tuple(b for b in page.blocks if block_confidence(b) >= threshold)
    if len(kept) == len(page.blocks):
        return page, 0
    return replace(page, blocks=kept), len(page.blocks) - len(kept)
