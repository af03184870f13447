"""The documented wire models agree with the parser, the domain and each other (pure, no
server): one settings list, the same defaults, the same enum values, examples that parse."""

from __future__ import annotations

import dataclasses
import enum
import io
import json
from typing import Any

import pytest
from fastapi import FastAPI
from PIL import Image

from ocrhive.api import openapi, wire_models
from ocrhive.api.routes import recognize, token, utilities
from ocrhive.api.schemas import SETTINGS, decode_image, envelope, parse_settings, parse_submission
from ocrhive.domain.recognition import (
    ArtifactKind,
    BodyShape,
    DsrConfidence,
    DsrMode,
    Family,
    Language,
    RecognitionSettings,
    ResultType,
    ResultTypeTable,
)
from ocrhive.domain.serialization import settings_to_dict
from ocrhive.domain.task import Artifact, TaskStatus, TaskView


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document of the routes this module documents, without building a service."""
    app = FastAPI()
    app.include_router(token.router)
    app.include_router(utilities.router)
    for router in recognize.routers:
        app.include_router(router)
    openapi.install(app)
    return app.openapi()


def _schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def test_settings_are_listed_once_for_parser_document_domain_and_store(
    document: dict[str, Any],
) -> None:
    attrs = [s.attr for s in SETTINGS]
    assert len(set(attrs)) == len(attrs) == len({s.wire.lower() for s in SETTINGS})
    assert set(attrs) == {f.name for f in dataclasses.fields(RecognitionSettings)}
    assert set(attrs) == set(settings_to_dict(RecognitionSettings()))
    documented = [n for n in document["components"]["schemas"] if n.startswith("OCRSettings")]
    with_settings = [f for f in Family if f.body is BodyShape.IMAGE_AND_SETTINGS]
    assert len(documented) == len(with_settings) - 1  # the trial shares RecognizeImage's
    assert len(wire_models.BODIES) == len(Family) - 2  # and the speech trial the speech body
    # the SDK's own model names
    assert {"OCRSettingsRecognizeFont", "OCRSettingsDjVu2PDF", "OCRSettingsRecognizeTable"} <= set(
        documented
    )
    assert {"OCRBinarizeImageBody", "TTSBody", "TTSSettings"} <= set(
        document["components"]["schemas"]
    )
    assert "settings" not in _schema(document, "OCRBinarizeImageBody")["properties"]
    for name in documented:
        assert list(_schema(document, name)["properties"]) == [s.wire for s in SETTINGS]


def _other_value(kind: type, default: Any) -> tuple[Any, Any]:
    """A wire value for a setting of ``kind`` that differs from ``default``, and its parse."""
    if kind is bool:
        return (not default), (not default)
    if kind is int:
        return 450, 90
    if issubclass(kind, enum.Enum):
        member = next(m for m in kind if m != default)
        return str(member.value).swapcase(), member
    rect = {"topLeftX": 1, "topLeftY": 2, "bottomRightX": 30, "bottomRightY": 40}
    return [{"rect": rect, "order": 3}], "region"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.wire)
def test_the_parser_reads_every_declared_setting_under_any_casing(setting: Any) -> None:
    default = getattr(parse_settings(None, Family.RECOGNIZE_REGIONS), setting.attr)
    wire_value, expected = _other_value(setting.kind, default)
    for key in (setting.wire, setting.wire.upper(), setting.wire.lower()):
        parsed = getattr(parse_settings({key: wire_value}, Family.RECOGNIZE_REGIONS), setting.attr)
        if expected == "region":
            [region] = parsed
            assert (region.rect.left, region.rect.bottom, region.order) == (1, 40, 3)
        else:
            assert parsed == expected, key


@pytest.mark.parametrize(
    "family", [f for f in Family if f.body is BodyShape.IMAGE_AND_SETTINGS], ids=lambda f: f.value
)
def test_documented_defaults_are_what_the_parser_fills_in(family: Family) -> None:
    parsed = parse_settings({}, family)
    model = wire_models.BODIES[wire_models.body_name(family)].model_fields["settings"]
    [settings_model] = [a for a in model.annotation.__args__ if a is not type(None)]
    for s in SETTINGS:
        documented = settings_model.model_fields[s.wire].default
        actual = getattr(parsed, s.attr)
        if s.attr == "regions":
            assert documented is None and actual == ()
        else:
            assert documented == actual, (family, s.wire)


def test_enums_come_from_the_domain(document: dict[str, Any]) -> None:
    for cls in (Language, DsrMode, DsrConfidence, ResultType, ResultTypeTable):
        assert _schema(document, cls.__name__)["enum"] == [m.value for m in cls]
    statuses = _schema(document, "OCRTaskStatus")["enum"]
    assert statuses == [s.value for s in TaskStatus] + ["NotExist"]
    codes = _schema(document, "ResponseStatusCode")["enum"]
    assert codes == list(wire_models.RESPONSE_STATUS_CODES)


def _view(status: TaskStatus, **kw: Any) -> TaskView:
    base: dict[str, Any] = dict(
        id="t",
        family=Family.RECOGNIZE_IMAGE,
        owner="c",
        status=status,
        created_at=0.0,
        updated_at=0.0,
        expires_at=1.0,
    )
    return TaskView(**{**base, **kw})


@pytest.mark.parametrize(
    "view",
    [
        None,
        _view(TaskStatus.PENDING),
        _view(TaskStatus.PROCESSING),
        _view(TaskStatus.ERROR, messages=("boom",)),
        _view(TaskStatus.COMPLETED, results=()),
        _view(TaskStatus.COMPLETED, results=None),
        _view(
            TaskStatus.COMPLETED,
            warnings=("w",),
            results=tuple(Artifact(kind=k, data=b"x") for k in ArtifactKind),
        ),
    ],
)
def test_every_envelope_the_server_writes_is_a_documented_response(view: TaskView | None) -> None:
    for include in (True, False):
        doc = envelope("t", view, include_results=include)
        wire_models.OCRResponse.model_validate(doc)
        assert list(doc) == list(wire_models.OCRResponse.model_fields)


def test_a_documented_response_refuses_what_the_sdks_would() -> None:
    good = envelope("t", None)
    for bad in ({**good, "taskStatus": "Queued"}, {k: v for k, v in good.items() if k != "error"}):
        with pytest.raises(ValueError):
            wire_models.OCRResponse.model_validate(bad)


def test_the_examples_parse_and_the_image_is_a_png(document: dict[str, Any]) -> None:
    assert Image.open(io.BytesIO(decode_image(openapi.TINY_PNG))).format == "PNG"
    for family in Family:
        post = document["paths"][f"/v5.0/ocr/{family.value}"]["post"]
        media = post["requestBody"]["content"]["application/json"]
        for example in media["examples"].values():
            data, _ = parse_submission(json.dumps(example["value"]).encode(), family)
            if family.body is BodyShape.TEXT:
                assert data == example["value"]["text"].encode()
            elif family is Family.IDENTIFY_FONT:
                assert data == decode_image(openapi.WORDS_PNG)
            elif family is Family.DJVU2PDF:
                assert data.startswith(b"AT&TFORM") and data[12:16] == b"DJVU"
            else:
                assert data == decode_image(openapi.TINY_PNG)


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None:
                assert ref.removeprefix("#/components/schemas/") in schemas, ref
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    for family in Family:
        for verb in ("post", "get", "delete"):
            assert document["paths"][f"/v5.0/ocr/{family.value}"][verb]["responses"]
