"""The reading-based orientation decision: which turn the evidence of each read supports."""

from __future__ import annotations

import pytest
from PIL import Image

from ocrhive.engines.orientation import (
    CROP,
    MAX_X_HEIGHT,
    Reading,
    Verdict,
    choose,
    decide,
    judge,
    prepare,
    vetted,
)
from ocrhive.preprocess.textsize import x_height
from tests.unit.preprocess_fixtures import synthetic, text_page

#: What the English model made of a receipt crop, measured (sroie_009): upright and upside down.
GOOD = Reading(words=85, confidence=87.4, wide=525, tall=0)
UPSIDE_DOWN = Reading(words=80, confidence=27.3, wide=500, tall=6)
#: The same crop turned a quarter: Tesseract reads the vertical block itself, well or badly.
SIDEWAYS_GOOD = Reading(words=85, confidence=87.0, wide=0, tall=527)
SIDEWAYS_BAD = Reading(words=80, confidence=27.0, wide=3, tall=591)
#: A degraded upright page: readable, not clearly.
FAIR = Reading(words=40, confidence=58.0, wide=300, tall=4)
NOTHING = Reading()


class Reads:
    """A fake reader: the reading for each clockwise turn, and the turns asked for."""

    def __init__(self, by_turn: dict[int, Reading]) -> None:
        self.by_turn = by_turn
        self.asked: list[int] = []

    def __call__(self, turn: int) -> Reading:
        self.asked.append(turn)
        return self.by_turn[turn]


def test_word_box_shapes_tell_the_direction_of_lines() -> None:
    assert GOOD.lines == UPSIDE_DOWN.lines == "horizontal"
    assert SIDEWAYS_GOOD.lines == SIDEWAYS_BAD.lines == "vertical"
    assert Reading(words=20, confidence=80, wide=60, tall=40).lines is None
    assert Reading(words=3, confidence=90, wide=20, tall=0).lines is None
    assert NOTHING.lines is None


def test_a_clearly_good_upright_read_ends_the_search() -> None:
    reads = Reads({0: GOOD})
    verdict = judge(reads)
    assert verdict.answer == (0, GOOD.confidence)
    assert reads.asked == [0]


@pytest.mark.parametrize(
    ("by_turn", "answer", "asked"),
    [
        ({0: UPSIDE_DOWN, 180: GOOD}, 180, [0, 180]),
        ({0: FAIR, 180: UPSIDE_DOWN}, 0, [0, 180]),
        # the as-is read of a page whose lines run down stands for the turn of 270
        ({0: SIDEWAYS_GOOD, 90: UPSIDE_DOWN}, 270, [0, 90]),
        ({0: SIDEWAYS_BAD, 90: GOOD}, 90, [0, 90]),
    ],
)
def test_the_better_of_two_opposite_reads_wins(
    by_turn: dict[int, Reading], answer: int, asked: list[int]
) -> None:
    reads = Reads(by_turn)
    verdict = judge(reads)
    assert verdict.answer is not None and verdict.answer[0] == answer
    assert verdict.answer[1] >= 20
    assert reads.asked == asked


@pytest.mark.parametrize(
    "by_turn",
    [
        {0: NOTHING},  # no text: nothing to compare
        {0: Reading(words=20, confidence=80, wide=60, tall=40)},  # lines both ways
        {0: UPSIDE_DOWN, 180: UPSIDE_DOWN},  # both bad (a script the model cannot read)
        {0: FAIR, 180: Reading(words=40, confidence=45.0, wide=300, tall=0)},  # too close
        {0: Reading(words=40, confidence=40.0, wide=300, tall=0), 180: UPSIDE_DOWN},  # too weak
        {0: UPSIDE_DOWN, 180: Reading(words=4, confidence=90.0, wide=30, tall=0)},  # too few
    ],
)
def test_no_clear_winner_means_no_answer(by_turn: dict[int, Reading]) -> None:
    assert judge(Reads(by_turn)).answer is None


def test_margin_and_floor() -> None:
    assert choose(GOOD, UPSIDE_DOWN) == pytest.approx(60.1)
    assert choose(UPSIDE_DOWN, GOOD) is None
    assert choose(Reading(words=10, confidence=49.9, wide=50), NOTHING) is None
    assert choose(Reading(words=10, confidence=70.0, wide=50), FAIR) is None


def test_decide_needs_two_opposite_reads() -> None:
    assert decide({90: GOOD, 270: UPSIDE_DOWN}) == (90, 60.1)
    with pytest.raises(ValueError):
        decide({0: GOOD, 90: UPSIDE_DOWN})
    with pytest.raises(ValueError):
        decide({0: GOOD})


def test_osd_is_heard_only_where_the_reads_do_not_contradict_it() -> None:
    undecided = Verdict(answer=None, first=NOTHING, readings={})
    assert vetted((180, 3.0), undecided) == (180, 3.0)
    assert vetted(None, undecided) is None
    assert vetted((0, 9.0), undecided) is None  # "upright" is no turn
    horizontal = Verdict(
        answer=None, first=FAIR, readings={0: FAIR, 180: Reading(words=40, confidence=45.0)}
    )
    # a quarter turn for a page whose lines already run across
    assert vetted((90, 5.0), horizontal) is None
    # a half turn to the orientation that read worse
    assert vetted((180, 5.0), horizontal) is None
    weak_upright = Verdict(
        answer=None, first=FAIR, readings={0: Reading(words=40, confidence=40.0), 180: FAIR}
    )
    assert vetted((180, 5.0), weak_upright) == (180, 5.0)


def test_prepare_keeps_normal_text_and_bounds_the_crop() -> None:
    page = text_page()  # x-height ~18 px, 1400 px wide
    crop = prepare(page)
    assert crop.mode == "L"
    assert crop.size == (min(CROP, page.width), min(CROP, page.height))


def test_prepare_shrinks_large_letters() -> None:
    page = text_page(size_px=36)
    big = page.resize((page.width * 3, page.height * 3), Image.Resampling.BICUBIC)
    assert (x_height(big) or 0) > MAX_X_HEIGHT
    crop = prepare(big)
    assert (x_height(crop) or 0) <= MAX_X_HEIGHT
    assert crop.size[0] <= CROP and crop.size[1] <= CROP


def test_prepare_works_on_sideways_pages() -> None:
    page = synthetic.turn(text_page(), 90)
    crop = prepare(page.convert("RGB"))
    assert crop.mode == "L" and max(crop.size) <= CROP
