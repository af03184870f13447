"""Mapping boxes from a preprocessed page back to the submitted image."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocrhive.domain.document import BBox
from ocrhive.domain.recognition import Rect, Region
from ocrhive.domain.regions import clip, ordered
from ocrhive.preprocess.rotate import rotate
from ocrhive.preprocess.turns import Turns, rotated_size, to_source
from ocrhive.render.rectangles import rectangle_list


def ink_box(image: Image.Image) -> BBox:
    ys, xs = np.nonzero(np.asarray(image.convert("L")) < 128)
    return BBox(
        left=int(xs.min()), top=int(ys.min()), right=int(xs.max()) + 1, bottom=int(ys.max()) + 1
    )


@pytest.mark.parametrize(
    ("turn", "skew", "scale"),
    [(0, 0.0, 1.0), (90, 0.0, 1.0), (270, 4.0, 1.0), (180, -7.5, 2.0), (0, 3.0, 1.5)],
)
def test_boxes_found_after_preprocessing_map_back_onto_the_source(
    turn: int, skew: float, scale: float
) -> None:
    source = Image.new("L", (900, 600), 255)
    ImageDraw.Draw(source).rectangle((120, 80, 420, 200), fill=0)
    truth = ink_box(source)
    turned = rotate(source, turn)
    deskewed = rotate(turned, skew)
    final = deskewed.resize((round(deskewed.width * scale), round(deskewed.height * scale)))
    turns = Turns(source_size=source.size, turn=turn, skew=skew, scale=scale, final_size=final.size)
    back = to_source(ink_box(final), turns)
    # the box found on a rotated page is the bounding box of the rotated rectangle, and mapping
    # its corners back grows it again, by about (width + height) · sin(angle)
    slack = 4 + 420 * np.sin(np.radians(abs(skew)))
    for got, want in zip(
        (back.left, back.top, back.right, back.bottom),
        (truth.left, truth.top, truth.right, truth.bottom),
        strict=True,
    ):
        assert abs(got - want) <= slack, (back, truth)


def test_rotated_size_matches_pillow() -> None:
    image = Image.new("L", (640, 480), 255)
    for degrees in (0, 90, 180, 270, 10, 33, 359):
        assert abs(rotated_size(image.size, degrees)[0] - rotate(image, degrees).width) <= 1
        assert abs(rotated_size(image.size, degrees)[1] - rotate(image, degrees).height) <= 1


def test_clip_order_and_rectangle_list() -> None:
    assert clip(Rect(left=-5, top=-5, right=50, bottom=40), (30, 30)) == Rect(
        left=0, top=0, right=30, bottom=30
    )
    assert clip(Rect(left=40, top=40, right=50, bottom=50), (30, 30)) is None
    regions = [Region(rect=Rect(left=0, top=0, right=1, bottom=1), order=o) for o in (3, 1, 3, 0)]
    assert [r.order for r in ordered(regions)] == [0, 1, 3, 3]
    assert ordered(regions)[2] is regions[0]
    assert rectangle_list([BBox(left=0, top=8, right=697, bottom=441)]) == b"[[0, 8, 697, 441]]"
    assert rectangle_list([]) == b"[]"
