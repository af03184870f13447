"""IdentifyFont's pure parts: the answer's literal, word shapes and their differences."""

from __future__ import annotations

import numpy as np

from ocrhive.fonts.faces import Style
from ocrhive.fonts.identify import FontGuess
from ocrhive.fonts.shapes import HEIGHT, difference, shape_of


def test_the_literal_matches_the_documented_sample_byte_for_byte() -> None:
    guess = FontGuess(style=Style.REGULAR, families=("tahoma", "times", "verdana"))
    assert guess.literal() == "{'style': 'regular', 'font': ['tahoma', 'times', 'verdana']}"


def test_the_literal_of_a_two_word_style() -> None:
    guess = FontGuess(style=Style.BOLD_ITALIC, families=("arial",))
    assert guess.literal() == "{'style': 'bold_italic', 'font': ['arial']}"


def _bar(width: int, height: int, stroke: int) -> np.ndarray:
    mask = np.zeros((height + 10, width + 10), dtype=bool)
    mask[5 : 5 + height, 5 : 5 + stroke] = True  # a vertical stem
    mask[5 : 5 + stroke, 5 : 5 + width] = True  # a top bar
    return mask


def test_a_shape_is_its_ink_box_at_the_common_height() -> None:
    shape = shape_of(_bar(60, 30, 4))
    assert shape is not None
    assert shape.mask.shape == (HEIGHT, 80)
    assert shape.aspect == 2.0
    assert shape_of(np.zeros((20, 20), dtype=bool)) is None


def test_identical_shapes_differ_by_nothing_and_heavier_strokes_by_weight() -> None:
    thin = shape_of(_bar(60, 30, 3))
    same = shape_of(_bar(120, 60, 6))  # the same drawing at twice the size
    heavy = shape_of(_bar(60, 30, 8))
    wide = shape_of(_bar(90, 30, 3))
    assert thin is not None and same is not None and heavy is not None and wide is not None
    nothing = difference(thin, same)
    assert nothing.outline < 0.01 and nothing.width < 0.01 and nothing.weight < 0.05
    assert difference(thin, heavy).weight > 0.5
    assert difference(thin, wide).width > 0.3
