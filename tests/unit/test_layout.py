"""dsrMode → what the engine is asked to do, and the multi-pass segmentations on made-up pages."""

from __future__ import annotations

import pytest
from PIL import Image

from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import DsrMode
from ocrhive.engines.base import Segmentation
from ocrhive.engines.passes import SMALL_IMAGE_PIXELS, add_missed_words, read_with
from ocrhive.engines.segmentation import SEGMENTATION, segmentation_for


def word(text: str, left: int, top: int = 0, conf: float = 90.0) -> Word:
    return Word(
        text=text, bbox=BBox(left=left, top=top, right=left + 50, bottom=top + 20), confidence=conf
    )


def page_of(*words: Word) -> Page:
    box = BBox.union([w.bbox for w in words])
    line = Line(bbox=box, words=words)
    return Page(
        width=1000,
        height=1000,
        blocks=(Block(bbox=box, paragraphs=(Paragraph(bbox=box, lines=(line,)),)),),
    )


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (None, Segmentation.AUTO),
        (DsrMode.REGIONS, Segmentation.AUTO),
        (DsrMode.DSR_NO_FILTER, Segmentation.AUTO),
        (DsrMode.DSR_AND_FILTER, Segmentation.BY_SIZE),
        (DsrMode.NO_DSR_NO_FILTER, Segmentation.BY_SIZE),
        (DsrMode.TEXT_DETECTOR, Segmentation.SPARSE),
        (DsrMode.DSR_PLUS_DETECTOR, Segmentation.AUTO_PLUS_SPARSE),
        (DsrMode.POLYGONAL_TEXT_DETECTOR, Segmentation.SPARSE),
        (DsrMode.LINE_DETECTOR, Segmentation.SINGLE_COLUMN),
    ],
)
def test_each_mode_asks_for_its_segmentation(mode: DsrMode | None, expected: Segmentation) -> None:
    assert segmentation_for(mode) is expected


def test_every_mode_is_mapped() -> None:
    assert set(SEGMENTATION) == {None, *DsrMode}


def _recorder(result: Page) -> tuple[list[Segmentation], object]:
    asked: list[Segmentation] = []

    def read(image: Image.Image, segmentation: Segmentation) -> Page:
        asked.append(segmentation)
        return result

    return asked, read


@pytest.mark.parametrize(
    ("size", "expected"),
    [((800, 400), Segmentation.SINGLE_BLOCK), ((2480, 3508), Segmentation.AUTO)],
)
def test_by_size_reads_small_images_as_one_block(
    size: tuple[int, int], expected: Segmentation
) -> None:
    asked, read = _recorder(page_of(word("a", 0)))
    read_with(read, Image.new("L", size, 255), Segmentation.BY_SIZE)  # type: ignore[arg-type]
    assert asked == [expected]


def test_size_threshold_is_about_a_megapixel() -> None:
    assert 500_000 <= SMALL_IMAGE_PIXELS <= 2_000_000


def test_plain_segmentations_are_passed_through() -> None:
    for segmentation in (Segmentation.AUTO, Segmentation.SPARSE, Segmentation.SINGLE_BLOCK):
        asked, read = _recorder(page_of(word("a", 0)))
        read_with(read, Image.new("L", (10, 10)), segmentation)  # type: ignore[arg-type]
        assert asked == [segmentation]


def test_layout_plus_sparse_runs_both_passes() -> None:
    asked, read = _recorder(page_of(word("a", 0)))
    read_with(read, Image.new("L", (10, 10)), Segmentation.AUTO_PLUS_SPARSE)  # type: ignore[arg-type]
    assert asked == [Segmentation.AUTO, Segmentation.SPARSE]


def test_sparse_words_already_read_are_not_added_twice() -> None:
    layout = page_of(word("Total", 0), word("12.00", 100))
    sparse = page_of(word("Total", 3), word("12.00", 104), word("Thanks", 600, top=500, conf=70))
    merged = add_missed_words(layout, sparse)
    assert [w.text for w in merged.words()] == ["Total", "12.00", "Thanks"]
    assert len(merged.blocks) == 2
    assert merged.blocks[1].confidence == 70.0


def test_nothing_new_leaves_the_layout_page_as_is() -> None:
    layout = page_of(word("Total", 0))
    assert add_missed_words(layout, page_of(word("Total", 2))) is layout
