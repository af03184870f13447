"""The OpenAPI document for people: what each route accepts and answers, with examples, and the
pass that adds the documented wire models (api/wire_models.py) to FastAPI's document.

The handlers read raw request bodies (to keep every Aspose leniency: case-insensitive keys and
enum strings, ``null`` = default, unknown keys ignored), so FastAPI cannot see what they accept;
the route decorators take their documentation from here instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ocrhive.api import wire_models
from ocrhive.api.wire_models import (
    BODIES,
    DOCUMENTED_MODELS,
    OAuthError,
    OCRResponse,
    TokenRequest,
    TokenResponse,
)
from ocrhive.domain.recognition import BodyShape, Family

__all__ = [
    "SECURITY_SCHEME",
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

_REF = "#/components/schemas/{model}"
#: the security scheme's name in Aspose's own document, kept so generated clients match
SECURITY_SCHEME = "JWT"

#: a 1×1 white PNG: the examples stay short, and a generated test that sends one makes a task
#: that finishes in milliseconds
TINY_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR42mP4DwABAQEAHLCMmQAAAABJRU5ErkJggg=="
)
#: "Quick brown fox jumps" in Liberation Serif, 1-bit: IdentifyFont's example needs words
WORDS_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAmwAAABGAQAAAABZRvXxAAAACXBIWXMAAC4jAAAuIwF4pT92AAACuklEQVR42u2Y"
    "wW6bQBCG/wVkowoFekul1PAYOaCUti/iU885+pCGdXLJMY/gB8lh1fbgo5+g2sY5WD20a4lUG2vD9gDYECWAJQ6t"
    "xB7skWb8MQMz/yATjQ7P2kCnp8f1uB7X4/4L3EMA/KBV/5e9cQ82AFwDFgDviT/KvnTUGjd/AIAJYAJwqm59nBu8"
    "Ne6jqLl0tG+x2jngAK6edadWbgRtcalHBIDT2kdFWOtiA0w6bBQVdd13qkOc3Pvx1R0ttP56KcKhRuxTrcbx5VK6"
    "3NUs4rEWphpKk2rpD/nkyJ2qIz8l+sUjjG2Wj2B4D8xmJ7NV4nkIghnDAsnGsggAwLq7j4271aZ5ZscOoeocGADv"
    "hE+X353x4s21AsKz9W/T/oQB2KHhf5ZT90bKJlwKAHIKzIFoAvHNBZMbXHAAtzbFKg/+YAEjYrVSFJLpAEIC2waK"
    "vrUsTBal0XBbCpQA1dkoORQXxQXAwMLZNog1SGTZF6W7UeJnydZ+W2kk3Zhd8aHyirzS7bGfJGPXdmklWG6lmIiS"
    "hHgVhbbnbXFiV6w+We0AFZy1qcftgks10pLKy4o6mXEtrtQUr3YS/idebO2kckNeUsZdsVbey69FthVESWJkip/V"
    "RWHTOpz1rNCGpR8RUUmvYSo4rtJ8JU6yVCkoKbZDhGhBS5pIGqbCENor2jPMGl9KBEUOSmFWHnqhVG2xJNkELgA7"
    "AkbZSgvXMIpuHck4CpG5AOA2lbXyqRm0wAFRCF2mFXwWc1MvVczDoRauINKHTn2OoyEVPoaiQT6PAXuUahM3klGT"
    "jhk7dOAZ4AoQ0hlk2XihUvRU4NAZ1GeneaybTurnhl8bJgwAHutwkwE2bx8vmnGW6DQ7Y90cF7THkWljGN8jO5w3"
    "hv3q9lU7yWfkMekER4o5TRvi+j8+elyP63H/Ku4vw3xri9Uus3QAAAAASUVORK5CYII="
)
#: an 8×8 white one-page DjVu (made with djvulibre's cjb2), DjVu2PDF's example
TINY_DJVU = "QVQmVEZPUk0AAAAgREpWVUlORk8AAAAKAAgACBgALAEWAVNqYnoAAAACjuU="
_EXAMPLE_ID = "a197aade-bba9-4c7a-92c7-46851b3dceaa"

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
    elif family is Family.RECOGNIZE_TABLE:
        example["resultTypeTable"] = "CsvAndExcel"
    elif family is Family.DJVU2PDF:
        example["resultType"] = "Pdf"
    else:
        example["resultType"] = "Text"
    return example


_WHAT = {BodyShape.TEXT: "a text"}
_TRIALS = {
    Family.RECOGNIZE_IMAGE_TRIAL: " No token needed; 10 % of the words come back masked with `*`.",
    Family.CONVERT_TEXT_TO_SPEECH_TRIAL: " No token needed; at most 500 characters and 10 calls "
    "a day per address, and a spoken notice asks the listener to authenticate.",
}


def _body_example(family: Family) -> tuple[str, dict[str, Any]]:
    """A short body ``family`` accepts, and the example's name."""
    if family.body is BodyShape.TEXT:
        return "sentence", {
            "summary": "A sentence",
            "value": {
                "text": "All men live enveloped in whale-lines.",
                "settings": {"language": "English", "resultType": "Wav"},
            },
        }
    if family.body is BodyShape.IMAGE:
        return "tinyPng", {"summary": "A 1×1 PNG", "value": {"image": TINY_PNG}}
    if family is Family.IDENTIFY_FONT:
        return "words", {
            "summary": "A line of Liberation Serif",
            "value": {"image": WORDS_PNG, "settings": _settings_example(family)},
        }
    if family is Family.DJVU2PDF:
        return "tinyDjvu", {
            "summary": "An 8×8 one-page DjVu",
            "value": {"image": TINY_DJVU, "settings": _settings_example(family)},
        }
    return "tinyPng", {
        "summary": "A 1×1 PNG",
        "value": {"image": TINY_PNG, "settings": _settings_example(family)},
    }


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
    return RouteDocs(
        summary=f"Submit {_WHAT.get(family.body, 'an image')} to {family.value}",
        description="Queues the file and answers its task id at once; fetch the result with "
        f"GET ?id=.{_TRIALS.get(family, '')}",
        responses=responses,
        openapi_extra={
            "security": _security(family),
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": _ref(BODIES[wire_models.body_name(family)]),
                        "examples": dict([_body_example(family)]),
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


_SUBMITTED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Queued: the new task's id, bare (no quotes).",
        "content": {"text/plain": {"schema": {"type": "string"}, "example": _EXAMPLE_ID}},
    },
    400: _BAD_REQUEST,
    401: _UNAUTHORIZED,
    413: _TOO_LARGE,
    429: _problem("Too many unfinished submissions (queue cap).", retry=True),
    503: _UNAVAILABLE,
    507: _FULL,
}


def legacy_upload_docs(family: Family) -> RouteDocs:
    """``POST /v5.0/ocr/ImageProcessing/Post*File``: the deprecated multipart upload."""
    return RouteDocs(
        summary=f"Submit an image file to {family.value} (deprecated upload)",
        description=f"The same task as POST /v5.0/ocr/{family.value}, with the image as the "
        "`file` part of a multipart body. Fetch it with ImageProcessing/GetResultTask or "
        "GetResultFile.",
        responses=_SUBMITTED,
        openapi_extra={
            "security": _security(None),
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        }
                    }
                },
            },
        },
    )


def legacy_speech_docs() -> RouteDocs:
    """``POST /v5.0/ocr/TextToSpeech/PostTextToSpeech``: the deprecated flat speech body."""
    return RouteDocs(
        summary="Submit a text to speak (deprecated)",
        description="The same task as POST /v5.0/ocr/ConvertTextToSpeech with the settings at "
        "the top level. Fetch it with TextToSpeech/GetTextToSpeechResult or its File variant.",
        responses=_SUBMITTED,
        openapi_extra={
            "security": _security(None),
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": _ref("TTSBodyDeprecated"),
                        "example": {
                            "text": "All men live enveloped in whale-lines.",
                            "language": "English",
                            "resultType": "Wav",
                        },
                    }
                },
            },
        },
    )


def legacy_result_docs(what: str) -> RouteDocs:
    """``GET …/GetResultTask`` and ``GetTextToSpeechResult``: the envelope."""
    return RouteDocs(
        summary=f"Fetch a deprecated {what} task's result",
        description="The task's envelope, as the family's own GET answers it.",
        responses={
            200: _envelope("The task's envelope.", _ENVELOPE_EXAMPLE),
            **_lookup_errors(None),
        },
        openapi_extra={"security": _security(None), "parameters": [_TASK_ID]},
    )


def legacy_file_docs(media_type: str) -> RouteDocs:
    """``GET …/GetResultFile`` and ``GetTextToSpeechResultFile``: the raw file."""
    return RouteDocs(
        summary="Download a deprecated task's file itself",
        description="The produced file's bytes. 204 once the result has expired (or for an "
        "unknown id), 202 while the task is still running, 400 if it failed.",
        responses={
            200: {
                "description": "The file.",
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            },
            202: {"description": "Not finished yet; retry after the announced seconds."},
            204: {"description": "The result has expired or never existed."},
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
