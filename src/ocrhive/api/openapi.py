"""The OpenAPI document for people: documented wire models, examples, and the pass that adds
them to FastAPI's document.

The handlers read raw request bodies (to keep every Aspose leniency: case-insensitive keys and
enum strings, ``null`` = default, unknown keys ignored), so FastAPI cannot see what they accept.
The models here describe the canonical form of each body and answer; they validate nothing.
The settings models are built from ``api.schemas.SETTINGS`` (the list the parser reads) and the
enums from the domain enums, so the document cannot drift from what the server does.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypedDict

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import models_json_schema

from ocrhive.api.schemas import RECT_FIELDS, SETTINGS
from ocrhive.domain.recognition import (
    BOOLEAN_DEFAULTS,
    ArtifactKind,
    Family,
    RecognitionSettings,
    Region,
)
from ocrhive.domain.task import TaskStatus

__all__ = [
    "DOCUMENTED_MODELS",
    "RESPONSE_STATUS_CODES",
    "TINY_PNG",
    "RouteDocs",
    "cancel_docs",
    "decorate",
    "fetch_docs",
    "install",
    "status_docs",
    "submit_docs",
    "token_docs",
]

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_REF = "#/components/schemas/{model}"
#: titles are the wire names, not pydantic's "Makeskewcorrect"
_TITLES = ConfigDict(field_title_generator=lambda name, _: name)
#: the security scheme's name in Aspose's own document, kept so generated clients match
SECURITY_SCHEME = "JWT"

#: a 1×1 white PNG: the examples stay short, and a generated test that sends one makes a task
#: that finishes in milliseconds
TINY_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR42mP4DwABAQEAHLCMmQAAAABJRU5ErkJggg=="
)
_EXAMPLE_ID = "a197aade-bba9-4c7a-92c7-46851b3dceaa"

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
    base = RecognitionSettings()
    fields = {
        s.wire: _setting_field(
            s.kind,
            getattr(booleans if s.kind is bool else base, s.attr),
            s.description,
        )
        for s in SETTINGS
    }
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        f"OCRSettings{_body_family(family)}",
        __config__=_TITLES,
        __doc__=f"Settings of {family.value}. Keys and enum strings match in any case; a "
        "missing or `null` key takes its default; unknown keys are ignored.",
        **fields,
    )
    return model


def _body_family(family: Family) -> str:
    """The family whose body the SDKs send: the trial shares RecognizeImage's."""
    return Family.RECOGNIZE_IMAGE.value if family.is_trial else family.value


def _body_model(family: Family) -> type[BaseModel]:
    settings: Any = _settings_model(family)
    model: type[BaseModel] = create_model(
        f"OCR{_body_family(family)}Body",
        __config__=_TITLES,
        __doc__="A submission: the file as base64 and how to read it.",
        image=(
            _Image,
            Field(
                description="Standard base64 of the file's bytes (PNG, JPEG, BMP, TIFF, GIF, "
                "WebP; RecognizePdf also PDF). Line breaks, missing padding, a `data:` URI "
                "prefix and the URL-safe alphabet are tolerated.",
            ),
        ),
        settings=(settings | None, Field(None, description="`null` or missing = defaults.")),
    )
    return model


#: one documented body per distinct body name (the trial reuses RecognizeImage's)
BODIES: dict[str, type[BaseModel]] = {}
for _family in Family:
    BODIES.setdefault(_body_family(_family), _body_model(_family))


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
    TokenRequest,
    TokenResponse,
    OAuthError,
    OCRResponse,
    ProblemDetails,
    ValidationProblemDetails,
)


# -- per-operation documentation ------------------------------------------------------------


class RouteDocs(TypedDict):
    """Keyword arguments of a route decorator that only document the route."""

    summary: str
    description: str
    responses: dict[int | str, dict[str, Any]]
    openapi_extra: dict[str, Any]


def _ref(model: type[BaseModel] | str) -> dict[str, str]:
    name = model if isinstance(model, str) else model.__name__
    return {"$ref": _REF.format(model=name)}


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Whole seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _problem(
    description: str, *, retry: bool = False, model: str = "ProblemDetails"
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref(model)}},
    }
    if retry:
        answer["headers"] = _RETRY_AFTER
    return answer


_BAD_REQUEST = _problem(
    "The request is malformed; `errors` names the field.", model="ValidationProblemDetails"
)
_UNAUTHORIZED = {
    **_problem("No valid access token (missing, malformed, forged or expired)."),
    "headers": {
        "WWW-Authenticate": {
            "description": '`Bearer`, or `Bearer error="invalid_token"` when one was sent.',
            "required": True,
            "schema": {"type": "string"},
        }
    },
}
_UNAVAILABLE = _problem("The task store is unreachable; try again later.", retry=True)
_FULL = _problem("The server's disk or store is full; try again later.", retry=True)
_TOO_LARGE = _problem("The request body is larger than the server's limit.")

_TASK_ID = {
    "name": "id",
    "in": "query",
    "required": True,
    "description": "The task id a POST answered. Any string is accepted: an unknown one "
    "reports `NotExist`. The parameter's name matches in any case.",
    "schema": {"type": "string", "pattern": r"\S"},
    "example": _EXAMPLE_ID,
}


def _security(family: Family | None) -> list[dict[str, list[str]]]:
    """Trial families take no token (an Authorization header is ignored there)."""
    return [] if family is not None and family.is_trial else [{SECURITY_SCHEME: []}]


def _settings_example(family: Family) -> dict[str, Any]:
    """An example settings object that makes sense for ``family``."""
    example: dict[str, Any] = {"language": "English", "makeSkewCorrect": True}
    if family is Family.RECOGNIZE_PDF:
        example["resultType"] = "TextAndPdf"
    elif family is Family.RECOGNIZE_REGIONS:
        example["resultType"] = "Text"
        example["regions"] = [
            {"rect": {"topLeftX": 0, "topLeftY": 0, "bottomRightX": 1, "bottomRightY": 1}}
        ]
    elif family is Family.DETECT_REGIONS:
        example["dsrMode"] = "Regions"
    else:
        example["resultType"] = "Text"
    return example


def submit_docs(family: Family) -> RouteDocs:
    """``POST /v5.0/ocr/<Family>``: the body, the id answer and every refusal."""
    responses: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "Queued: the new task's id, bare (no quotes).",
            "content": {"text/plain": {"schema": {"type": "string"}, "example": _EXAMPLE_ID}},
        },
        400: _BAD_REQUEST,
        413: _TOO_LARGE,
        429: _problem(
            "Too many unfinished or recent submissions (trial quota or queue cap).", retry=True
        ),
        503: _UNAVAILABLE,
        507: _FULL,
    }
    if not family.is_trial:
        responses[401] = _UNAUTHORIZED
    trial = (
        " No token needed; 10 % of the words come back masked with `*`." if family.is_trial else ""
    )
    return RouteDocs(
        summary=f"Submit an image to {family.value}",
        description="Queues the file and answers its task id at once; fetch the result with "
        f"GET ?id=.{trial}",
        responses=responses,
        openapi_extra={
            "security": _security(family),
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": _ref(BODIES[_body_family(family)]),
                        "examples": {
                            "tinyPng": {
                                "summary": "A 1×1 PNG",
                                "value": {"image": TINY_PNG, "settings": _settings_example(family)},
                            }
                        },
                    }
                },
            },
        },
    )


_ENVELOPE_EXAMPLE = {
    "id": _EXAMPLE_ID,
    "taskStatus": "Completed",
    "responseStatusCode": "Ok",
    "results": [{"type": "Text", "data": "QWxsIG1lbiBsaXZlIGVudmVsb3BlZCBpbiB3aGFsZS1saW5lcy4="}],
    "error": None,
}


def _envelope(description: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(OCRResponse), "example": example}},
    }


def _lookup_errors(family: Family | None) -> dict[int | str, dict[str, Any]]:
    answers: dict[int | str, dict[str, Any]] = {400: _BAD_REQUEST, 503: _UNAVAILABLE}
    if family is None or not family.is_trial:
        answers[401] = _UNAUTHORIZED
    return answers


def fetch_docs(family: Family) -> RouteDocs:
    """``GET /v5.0/ocr/<Family>?id=``: the envelope."""
    return RouteDocs(
        summary=f"Fetch a {family.value} task's result",
        description="The task's state and, once Completed, its results (base64). An "
        "unfinished task is waited for a few seconds first, so a GET straight after the POST "
        "usually sees the result. An unknown, cancelled or expired id answers `NotExist`.",
        responses={
            200: _envelope("The task's envelope.", _ENVELOPE_EXAMPLE),
            **_lookup_errors(family),
        },
        openapi_extra={"security": _security(family), "parameters": [_TASK_ID]},
    )


def cancel_docs(family: Family) -> RouteDocs:
    """``DELETE /v5.0/ocr/<Family>?id=``: cancel and forget."""
    return RouteDocs(
        summary=f"Cancel a {family.value} task",
        description="Removes a queued task, discards a running one's result or drops a "
        "stored one; afterwards the id reports `NotExist`. Unknown ids are fine.",
        responses={
            200: {"description": "Done; the body is empty."},
            **_lookup_errors(family),
            507: _FULL,
        },
        openapi_extra={"security": _security(family), "parameters": [_TASK_ID]},
    )


def status_docs() -> RouteDocs:
    """``GET /v5.0/ocr/Utilities/GetTaskStatus?id=``: the envelope without results."""
    return RouteDocs(
        summary="A task's status, without its results",
        description="Works for any family's task id; never waits; `results` is always `null`.",
        responses={
            200: _envelope("The task's envelope.", {**_ENVELOPE_EXAMPLE, "results": None}),
            **_lookup_errors(None),
        },
        openapi_extra={"security": _security(None), "parameters": [_TASK_ID]},
    )


def token_docs() -> RouteDocs:
    """``POST /connect/token``: client credentials → bearer token."""
    form = {
        "schema": _ref(TokenRequest),
        "example": {
            "grant_type": "client_credentials",
            "client_id": "CLIENT-ID-VALUE",
            "client_secret": "CLIENT-SECRET-VALUE",
        },
    }
    return RouteDocs(
        summary="Get an access token",
        description="Send it as `Authorization: Bearer <access_token>` on every other call "
        "except the trial ones. Register clients with `ocrhive clients add NAME`.",
        responses={
            200: {
                "description": "A token.",
                "content": {
                    "application/json": {
                        "schema": _ref(TokenResponse),
                        "example": {
                            "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
                            "expires_in": 3600,
                            "token_type": "Bearer",
                        },
                    }
                },
            },
            400: {
                "description": "Bad credentials or request (`invalid_client`, "
                "`invalid_request`, `unsupported_grant_type`).",
                "content": {"application/json": {"schema": _ref(OAuthError)}},
            },
            413: _TOO_LARGE,
            429: _problem("Too many attempts from this address or for this client.", retry=True),
            503: _UNAVAILABLE,
        },
        openapi_extra={
            "security": [],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": form,
                    "multipart/form-data": {"schema": _ref(TokenRequest)},
                },
            },
        },
    )


# -- the document ---------------------------------------------------------------------------


def decorate(document: dict[str, Any]) -> dict[str, Any]:
    """Add the documented models and the security scheme to FastAPI's ``document``."""
    _, definitions = models_json_schema(
        [(model, "validation") for model in DOCUMENTED_MODELS], ref_template=_REF
    )
    components = document.setdefault("components", {})
    components.setdefault("schemas", {}).update(definitions.get("$defs", {}))
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "oauth2",
        "description": "OAuth2 client credentials: POST /connect/token, then send "
        "`Authorization: Bearer <access_token>`.",
        "flows": {"clientCredentials": {"tokenUrl": "/connect/token", "scopes": {}}},
    }
    return document


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the decorated document (built once, then cached)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = decorate(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
