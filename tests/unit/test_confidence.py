"""dsrConfidence: low-confidence blocks dropped by level, only for the filtered modes."""

from __future__ import annotations

import pytest

from ocrhive import postprocess
from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import DsrConfidence, DsrMode, RecognitionSettings
from ocrhive.postprocess.confidence import THRESHOLDS, block_confidence, drop_unsure_blocks


def block(text: str, *confs: float) -> Block:
    box = BBox(left=0, top=0, right=100, bottom=20)
    words = tuple(Word(text=f"{text}{i}", bbox=box, confidence=c) for i, c in enumerate(confs))
    return Block(bbox=box, paragraphs=(Paragraph(bbox=box, lines=(Line(bbox=box, words=words),)),))


#: a clean page: Tesseract scored clean blocks 88-97
CLEAN = Page(width=100, height=100, blocks=(block("a", 96, 95), block("b", 88, 90)))
#: a noisy scan: one good block, one doubtful, one speckle read as text
NOISY = Page(
    width=100,
    height=100,
    blocks=(block("good", 92, 96), block("doubt", 50, 40), block("junk", 5, 12)),
)


def texts(page: Page) -> list[str]:
    return [w.text for w in page.words()]


def test_block_confidence_is_the_mean_of_its_words() -> None:
    assert block_confidence(block("x", 40, 60, 80)) == 60.0


def test_levels_grow_stricter() -> None:
    order = [
        DsrConfidence.ALL,
        DsrConfidence.LOW,
        DsrConfidence.LOW_MID,
        DsrConfidence.MID,
        DsrConfidence.MID_HIGH,
        DsrConfidence.HIGH,
        DsrConfidence.ULTRA,
    ]
    values = [THRESHOLDS[level] for level in order]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert THRESHOLDS[DsrConfidence.DEFAULT] == THRESHOLDS[DsrConfidence.MID]


@pytest.mark.parametrize("level", list(DsrConfidence))
def test_a_clean_page_keeps_every_block_up_to_ultra(level: DsrConfidence) -> None:
    assert drop_unsure_blocks(CLEAN, level) == (CLEAN, 0)


@pytest.mark.parametrize(
    ("level", "kept"),
    [
        (DsrConfidence.ALL, 3),
        (DsrConfidence.LOW, 2),
        (DsrConfidence.DEFAULT, 2),
        (DsrConfidence.MID_HIGH, 2),
        (DsrConfidence.HIGH, 1),
        (DsrConfidence.ULTRA, 1),
    ],
)
def test_noisy_blocks_are_dropped_by_level(level: DsrConfidence, kept: int) -> None:
    page, dropped = drop_unsure_blocks(NOISY, level)
    assert len(page.blocks) == kept and dropped == 3 - kept
    assert texts(page)[:2] == ["good0", "good1"]


@pytest.mark.parametrize(
    "mode", [DsrMode.DSR_NO_FILTER, DsrMode.DSR_AND_FILTER, DsrMode.DSR_PLUS_DETECTOR]
)
def test_filtered_modes_drop_blocks(mode: DsrMode) -> None:
    page, warnings = postprocess.apply(NOISY, RecognitionSettings(dsr_mode=mode))
    assert "junk0" not in texts(page) and warnings == ()


@pytest.mark.parametrize(
    "mode",
    [None, DsrMode.NO_DSR_NO_FILTER, DsrMode.REGIONS, DsrMode.TEXT_DETECTOR, DsrMode.LINE_DETECTOR],
)
def test_other_modes_keep_everything(mode: DsrMode | None) -> None:
    settings = RecognitionSettings(dsr_mode=mode, dsr_confidence=DsrConfidence.ULTRA)
    assert postprocess.apply(NOISY, settings) == (NOISY, ())
