"""The official SDK's IdentifyFontApi against a live server: a line set in Liberation Serif comes
back as one Text item holding Aspose's Python-literal answer, with 'times' among the families."""

from __future__ import annotations

import ast
import base64
import random

import pytest
from aspose_ocr_cloud import (
    ApiClient,
    IdentifyFontApi,
    OCRRecognizeFontBody,
    OCRSettingsRecognizeFont,
)
from aspose_ocr_cloud.models import OCRTaskStatus, ResultType
from benchmarks.fonts.samples import Condition, render

from ocrhive.fonts.faces import FONT_ROOT
from tests.compat.conftest import finished

pytestmark = [pytest.mark.compat, pytest.mark.slow]

LINE = Condition(name="line", kind="line", points=12, dpi=300)


def test_identify_font_answers_the_documented_literal(sdk: ApiClient) -> None:
    data = render(
        FONT_ROOT / "truetype/liberation/LiberationSerif-Regular.ttf", LINE, random.Random(2)
    )
    api = IdentifyFontApi(sdk)
    # what the docs' sample sends: skew correction and a Text result
    settings = OCRSettingsRecognizeFont(make_skew_correct=True, result_type=ResultType.TEXT)
    body = OCRRecognizeFontBody(image=base64.b64encode(data).decode("ascii"), settings=settings)
    result = finished(api.get_identify_font, api.post_identify_font(body))
    assert result.task_status == OCRTaskStatus.COMPLETED, result.error
    assert [r.type for r in result.results] == ["Text"]
    text = base64.b64decode(result.results[0].data).decode("utf-8")
    answer = ast.literal_eval(text)
    assert text == repr(answer)  # single quotes, Python's separators: the docs' sample format
    assert list(answer) == ["style", "font"]
    assert answer["style"] == "regular"
    assert "times" in answer["font"]
    assert result.error is not None and any("look-alike" in w for w in result.error.warnings)
