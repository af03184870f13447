"""The wire models the OpenAPI document shows: request bodies, settings, answers and errors.

They describe the canonical form of each body and answer and validate nothing on the way in:
the handlers parse raw bytes (api/schemas.py) to keep every Aspose leniency. The settings models
are built from ``api.schemas.SETTINGS``, the list the parser reads, and the enums are the domain
enums, so what is documented cannot drift from what the server does.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from ocrhive.api.schemas import RECT_FIELDS, SETTINGS
from ocrhive.domain.recognition import (
    BOOLEAN_DEFAULTS,
    RESULT_TYPE_DEFAULTS,
    ArtifactKind,
    BodyShape,
    Family,
    RecognitionSettings,
    Region,
    ResultType,
)
from ocrhive.domain.task import TaskStatus

__all__ = [
    "BODIES",
    "DOCUMENTED_MODELS",
    "RESPONSE_STATUS_CODES",
    "OAuthError",
    "OCRError",
    "OCRRect",
    "OCRRegion",
    "OCRResponse",
    "OCRResult",
    "ProblemDetails",
    "TTSBodyDeprecated",
    "TokenRequest",
    "TokenResponse",
    "ValidationProblemDetails",
    "body_name",
]

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
#: titles are the wire names, not pydantic's "Makeskewcorrect"
_TITLES = ConfigDict(field_title_generator=lambda name, _: name)

#: every ``responseStatusCode`` the Aspose SDKs accept (they reject other strings)
RESPONSE_STATUS_CODES = (
    "Ok",
    "PartiallyNotFound",
    "NoAnyResultData",
    "ResultDataLost",
    "TaskNotFound",
    "NotReady",
    "Error",
)


def _enum_strings(name: str, values: list[str]) -> type[enum.Enum]:
    """A str-valued enum for a documented component named ``name``."""
    return enum.Enum(name, {v.upper(): v for v in values}, type=str)  # type: ignore[return-value]


# -- request models -------------------------------------------------------------------------

_Int32 = Annotated[int, Field(ge=_INT32_MIN, le=_INT32_MAX, json_schema_extra={"format": "int32"})]
_Base64 = Annotated[
    str,
    Field(json_schema_extra={"format": "byte", "contentEncoding": "base64"}),
]
#: an empty file is refused (400), so the documented image has at least one base64 quantum
_Image = Annotated[_Base64, Field(min_length=4)]

OCRRect: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "OCRRect",
    __config__=_TITLES,
    __doc__="A rectangle in pixels; a missing corner coordinate is 0. The bottom-right corner "
    "must lie right of and below the top-left one.",
    **{wire: (_Int32 | None, Field(0)) for wire in RECT_FIELDS},
)


OCRRegion: type[BaseModel] = create_model(
    "OCRRegion",
    __config__=_TITLES,
    __doc__="An area to read; text of a higher `order` comes later.",
    rect=(OCRRect | None, Field(None)),
    order=(_Int32 | None, Field(0)),
)


def _setting_field(setting_kind: type, default: Any, description: str) -> tuple[Any, Any]:
    """The documented type and default of one setting; every setting may be ``null``."""
    annotation: Any
    if setting_kind is int:
        annotation = _Int32
    elif setting_kind is Region:
        annotation = list[OCRRegion]
        default = None
    else:
        annotation = setting_kind
    return annotation | None, Field(default, description=f"{description} `null` = default.")


def _settings_model(family: Family) -> type[BaseModel]:
    """``OCRSettings<Family>``: the settings keys with this family's defaults."""
    booleans = BOOLEAN_DEFAULTS[family]
    base = RecognitionSettings(result_type=RESULT_TYPE_DEFAULTS.get(family, ResultType.TEXT))
    fields = {
        s.wire: _setting_field(
            s.kind,
            getattr(booleans if s.kind is bool else base, s.attr),
            s.description,
        )
        for s in SETTINGS
    }
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        f"OCRSettings{body_name(family)}",
        __config__=_TITLES,
        __doc__=f"Settings of {family.value}. Keys and enum strings match in any case; a "
        "missing or `null` key takes its default; unknown keys are ignored.",
        **fields,
    )
    return model


#: the SDK's model names where they differ from the path's family name
_BODY_NAMES = {
    Family.IDENTIFY_FONT: "RecognizeFont",
    Family.RECOGNIZE_IMAGE_TRIAL: Family.RECOGNIZE_IMAGE.value,
    Family.CONVERT_TEXT_TO_SPEECH_TRIAL: Family.CONVERT_TEXT_TO_SPEECH.value,
}


def body_name(family: Family) -> str:
    """The family whose body the SDKs send (the trials share their family's), as the SDK's
    ``OCR<name>Body`` / ``OCRSettings<name>`` spell it."""
    return _BODY_NAMES.get(family, family.value)


_IMAGE_FIELD = (
    _Image,
    Field(
        description="Standard base64 of the file's bytes (PNG, JPEG, BMP, TIFF, GIF, WebP; "
        "RecognizePdf also PDF; DjVu2PDF DjVu). Line breaks, missing padding, a `data:` URI "
        "prefix and the URL-safe alphabet are tolerated.",
    ),
)


class TTSSettings(BaseModel):
    """How to speak: English, as WAV (the only values served)."""

    model_config = _TITLES

    language: Literal["English"] | None = Field("English", description="`English` only.")
    resultType: Literal["Wav"] | None = Field("Wav", description="`Wav` only.")


class TTSBody(BaseModel):
    """A text to speak."""

    model_config = _TITLES

    text: str = Field(
        min_length=1,
        description="The English text (the trial reads at most 500 characters).",
    )
    settings: TTSSettings | None = Field(None, description="`null` or missing = defaults.")


class TTSBodyDeprecated(BaseModel):
    """The deprecated ``TextToSpeech/PostTextToSpeech`` body: the settings at the top level."""

    model_config = _TITLES

    text: str = Field(min_length=1, description="The English text.")
    language: Literal["English"] | None = "English"
    resultType: Literal["Wav"] | None = "Wav"


def _body_model(family: Family) -> type[BaseModel]:
    if family.body is BodyShape.TEXT:
        return TTSBody
    if family.body is BodyShape.IMAGE:
        image_only: type[BaseModel] = create_model(
            f"OCR{body_name(family)}Body",
            __config__=_TITLES,
            __doc__="A submission: the image as base64 (no settings).",
            image=_IMAGE_FIELD,
        )
        return image_only
    settings: Any = _settings_model(family)
    model: type[BaseModel] = create_model(
        f"OCR{body_name(family)}Body",
        __config__=_TITLES,
        __doc__="A submission: the file as base64 and how to read it.",
        image=_IMAGE_FIELD,
        settings=(settings | None, Field(None, description="`null` or missing = defaults.")),
    )
    return model


#: one documented body per distinct body name (the trials reuse their family's)
BODIES: dict[str, type[BaseModel]] = {}
for _family in Family:
    BODIES.setdefault(body_name(_family), _body_model(_family))


class TokenRequest(BaseModel):
    """OAuth2 client credentials (RFC 6749 §4.4). ``client_id`` and ``client_secret`` may
    come in an HTTP Basic ``Authorization`` header instead."""

    grant_type: Literal["client_credentials"]
    client_id: str
    client_secret: str
    scope: str | None = Field(None, description="Accepted and ignored.")


# -- response models ------------------------------------------------------------------------

OCRTaskStatus = _enum_strings(
    "OCRTaskStatus", [s.value for s in TaskStatus] + ["NotExist"]
)  #: NotExist answers a lookup of an unknown, cancelled or expired id
ResponseStatusCode = _enum_strings("ResponseStatusCode", list(RESPONSE_STATUS_CODES))


class OCRResult(BaseModel):
    """One produced file."""

    type: str | None = Field(
        description="What the file is: " + ", ".join(k.value for k in ArtifactKind) + "."
    )
    data: _Base64 | None = Field(description="The file's bytes, base64 (text is UTF-8).")


class OCRError(BaseModel):
    """Why a task failed (``messages``) and what was noticed on the way (``warnings``)."""

    messages: list[str] | None
    warnings: list[str] | None


OCRResponse: type[BaseModel] = create_model(
    "OCRResponse",
    __config__=_TITLES,
    __doc__="A task's state and, once Completed, its results. All five keys are always present.",
    id=(str | None, Field(description="The task id asked about.")),
    taskStatus=(OCRTaskStatus, ...),
    responseStatusCode=(ResponseStatusCode, ...),
    results=(list[OCRResult] | None, Field(description="Set when Completed; `null` otherwise.")),
    error=(OCRError | None, ...),
)


class ProblemDetails(BaseModel):
    """RFC 7807 problem details, in the ASP.NET Core shape the SDKs expect."""

    model_config = ConfigDict(extra="allow")

    type: str | None = None
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    instance: str | None = None


class ValidationProblemDetails(ProblemDetails):
    """A refused request; ``errors`` names the offending field (``$`` = the whole body)."""

    errors: dict[str, list[str]] | None = None


class TokenResponse(BaseModel):
    """A bearer token."""

    access_token: str
    expires_in: int = Field(description="Seconds the token stays valid.")
    token_type: Literal["Bearer"]


class OAuthError(BaseModel):
    """RFC 6749 §5.2 error answer of the token endpoint."""

    error: Literal["invalid_request", "invalid_client", "unsupported_grant_type"]
    error_description: str | None = None


#: every model the document's components hold
DOCUMENTED_MODELS: tuple[type[BaseModel], ...] = (
    *BODIES.values(),
    TTSBodyDeprecated,
    TokenRequest,
    TokenResponse,
    OAuthError,
    OCRResponse,
    ProblemDetails,
    ValidationProblemDetails,
)
