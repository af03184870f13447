"""Request parsing and the response envelope (pure, no server)."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocrhive.api.schemas import decode_image, envelope, parse_settings, parse_submission
from ocrhive.domain.recognition import (
    ArtifactKind,
    DsrMode,
    Family,
    Language,
    RecognitionSettings,
    ResultType,
)
from ocrhive.domain.task import Artifact, TaskStatus, TaskView
from ocrhive.errors import InvalidRequest


@given(st.binary(min_size=1, max_size=2048))
def test_base64_round_trip_in_every_tolerated_spelling(data: bytes) -> None:
    standard = base64.b64encode(data).decode()
    assert decode_image(standard) == data
    wrapped = "\n".join(standard[i : i + 76] for i in range(0, len(standard), 76))
    assert decode_image(wrapped) == data
    assert decode_image(standard.rstrip("=")) == data
    assert decode_image("data:image/png;base64," + standard) == data
    assert decode_image(base64.urlsafe_b64encode(data).decode()) == data


@pytest.mark.parametrize("bad", ["", "   ", "@@@@", "QUJD*", 12, None, ["QUJD"]])
def test_bad_base64_names_the_field(bad: object) -> None:
    with pytest.raises(InvalidRequest) as err:
        decode_image(bad)
    assert err.value.field == "image"


def test_defaults_follow_the_family_when_fields_are_missing_or_null() -> None:
    image = parse_settings({"makeBinarization": None}, Family.RECOGNIZE_IMAGE)
    assert image == RecognitionSettings()
    pdf = parse_settings(None, Family.RECOGNIZE_PDF)
    assert pdf.binarization is True and pdf.skew_correct is True


def test_names_and_enums_match_case_insensitively_and_craftpoly_is_an_alias() -> None:
    settings = parse_settings(
        {
            "LANGUAGE": "german",
            "dsrmode": "craftpoly",
            "ResultType": "textandpdf",
            "ROTATE": 450,
            "MakeSkewCorrect": False,
        },
        Family.RECOGNIZE_IMAGE,
    )
    assert settings.language is Language.GERMAN
    assert settings.dsr_mode is DsrMode.POLYGONAL_TEXT_DETECTOR
    assert settings.result_type is ResultType.TEXT_AND_PDF
    assert settings.rotate == 90 and settings.skew_correct is False


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"makeSpellCheck": 1}, "settings.makeSpellCheck"),
        ({"dsrConfidence": "Extreme"}, "settings.dsrConfidence"),
        ({"Rotate": 1.5}, "settings.Rotate"),
        ({"Rotate": True}, "settings.Rotate"),
        ({"regions": {}}, "settings.regions"),
        (
            {"regions": [{"rect": {"topLeftX": 10, "bottomRightX": 5, "bottomRightY": 9}}]},
            "settings.regions[0].rect",
        ),
    ],
)
def test_wrong_types_and_values_name_the_field(settings: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        parse_settings(settings, Family.RECOGNIZE_IMAGE)
    assert err.value.field == field


def test_regions_missing_coordinates_are_zero_like_the_dotnet_sdk_sends() -> None:
    settings = parse_settings(
        {"regions": [{"rect": {"bottomRightX": 300, "bottomRightY": 100}}, None]},
        Family.RECOGNIZE_REGIONS,
    )
    [region] = settings.regions
    assert (region.rect.left, region.rect.top, region.rect.right, region.order) == (0, 0, 300, 0)


def test_submission_requires_an_object_with_an_image() -> None:
    with pytest.raises(InvalidRequest):
        parse_submission(b"[]", Family.RECOGNIZE_IMAGE)
    with pytest.raises(InvalidRequest) as err:
        parse_submission(json.dumps({"settings": {}}).encode(), Family.RECOGNIZE_IMAGE)
    assert err.value.field == "image"
    data, settings = parse_submission(b'{"Image": "QUJD", "unknown": 1}', Family.RECOGNIZE_IMAGE)
    assert data == b"ABC" and settings == RecognitionSettings()


def _view(status: TaskStatus, **kw: object) -> TaskView:
    base = dict(
        id="t",
        family=Family.RECOGNIZE_IMAGE,
        owner="c",
        status=status,
        created_at=0.0,
        updated_at=0.0,
        expires_at=1.0,
    )
    base.update(kw)
    return TaskView(**base)  # type: ignore[arg-type]


def test_envelope_always_has_five_keys_and_maps_status_codes() -> None:
    cases = {
        None: ("NotExist", "TaskNotFound"),
        _view(TaskStatus.PENDING): ("Pending", "NotReady"),
        _view(TaskStatus.PROCESSING): ("Processing", "NotReady"),
        _view(TaskStatus.ERROR, messages=("boom",)): ("Error", "Error"),
        _view(TaskStatus.COMPLETED, results=(Artifact(kind=ArtifactKind.TEXT, data=b"hi"),)): (
            "Completed",
            "Ok",
        ),
        _view(TaskStatus.COMPLETED, results=()): ("Completed", "NoAnyResultData"),
    }
    for view, (status, code) in cases.items():
        doc = envelope("t", view)
        assert list(doc) == ["id", "taskStatus", "responseStatusCode", "results", "error"]
        assert (doc["taskStatus"], doc["responseStatusCode"]) == (status, code)
    done = envelope(
        "t",
        _view(
            TaskStatus.COMPLETED,
            warnings=("Deskewed by 2.0°",),
            results=(Artifact(kind=ArtifactKind.TEXT, data=b"hi"),),
        ),
    )
    assert done["results"] == [{"type": "Text", "data": "aGk="}]
    assert done["error"] == {"messages": None, "warnings": ["Deskewed by 2.0°"]}
    status_only = envelope("t", _view(TaskStatus.COMPLETED, results=None), include_results=False)
    assert status_only["results"] is None and status_only["responseStatusCode"] == "Ok"
