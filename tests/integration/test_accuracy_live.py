"""``python -m benchmarks.accuracy.live`` reads a set through a live server with the SDK's
defaults and prints its row: held-out word crops within issue 8's bars."""

from __future__ import annotations

import pytest
from benchmarks.accuracy import live

pytestmark = pytest.mark.slow


def test_held_out_word_crops_through_the_live_service(capsys: pytest.CaptureFixture[str]) -> None:
    assert live.main(["--sets", "scene-held-out"]) == 0
    row = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("| scene-held-out"))
    _name, count, image, label = (c.strip() for c in row.strip("|").split("|"))
    assert count == "40"
    image_cer, _cpu, image_rapid = image.split(" · ")
    label_cer, _cpu, label_rapid = label.split(" (")[0].split(" · ")
    assert float(image_cer) <= 0.10 and float(label_cer) <= 0.06, row  # the bars
    assert image_rapid == label_rapid == "40/40", row
