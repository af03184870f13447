"""The deprecated paths the SDKs still carry: ``ImageProcessing/*`` (multipart upload of an image
to binarize, deskew, dewarp or upscale) and ``TextToSpeech/*`` (the flat speech body). They make
ordinary tasks of the matching family, so lifecycle, limits and retention are the same; only
the way in and the raw-file download differ (spec §8.1, §8.6)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ocrhive.api import openapi
from ocrhive.api.deps import Client, Service, TaskId
from ocrhive.api.long_poll import when_final
from ocrhive.api.routes.webhooks import callback_url
from ocrhive.api.schemas import envelope, json_object, parse_speech
from ocrhive.domain.recognition import ArtifactKind, Family, RecognitionSettings
from ocrhive.domain.task import TaskView
from ocrhive.errors import InvalidRequest
from ocrhive.service import OcrService, Requester

router = APIRouter(tags=["Deprecated"])

IMAGE_PROCESSING = "/v5.0/ocr/ImageProcessing"
TEXT_TO_SPEECH = "/v5.0/ocr/TextToSpeech"

#: the multipart upload paths and the family each one's task belongs to
UPLOADS: dict[str, Family] = {
    "PostBinarizationFile": Family.BINARIZE_IMAGE,
    "PostSkewCorrectionFile": Family.DESKEW_IMAGE,
    "PostDewarpingFile": Family.DEWARP_IMAGE,
    "PostUpsamplingImageFile": Family.UPSCALE_IMAGE,
}
_IMAGE_FAMILIES = frozenset(UPLOADS.values())
_SPEECH_FAMILIES = frozenset({Family.CONVERT_TEXT_TO_SPEECH})

#: every path this module serves (for path canonicalisation)
PATHS = (
    *(f"{IMAGE_PROCESSING}/{name}" for name in UPLOADS),
    f"{IMAGE_PROCESSING}/GetResultTask",
    f"{IMAGE_PROCESSING}/GetResultFile",
    f"{TEXT_TO_SPEECH}/PostTextToSpeech",
    f"{TEXT_TO_SPEECH}/GetTextToSpeechResult",
    f"{TEXT_TO_SPEECH}/GetTextToSpeechResultFile",
)


async def _uploaded_file(request: Request) -> bytes:
    """The ``file`` part of a multipart body (any part holding a file, if none is so named)."""
    try:
        form = await request.form()
    except Exception:  # a malformed multipart body is the client's mistake, not ours
        raise InvalidRequest(
            "file", "The body must be multipart/form-data with the image in a part named 'file'."
        ) from None
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            part = next((v for v in form.values() if isinstance(v, UploadFile)), None)
        if part is None:
            raise InvalidRequest(
                "file", "The multipart body has no file: send the image in a part named 'file'."
            )
        data = await part.read()
    finally:
        await form.close()
    if not data:
        raise InvalidRequest("file", "The uploaded file is empty.")
    return data


async def _submit(
    request: Request,
    service: OcrService,
    who: Requester,
    family: Family,
    data: bytes,
    settings: RecognitionSettings,
) -> PlainTextResponse:
    callback = await callback_url(request)
    submit = service.submit
    task_id = await run_in_threadpool(
        lambda: submit(family, settings, data, who, callback=callback)
    )
    return PlainTextResponse(task_id)


def _upload_route(name: str, family: Family) -> None:
    @router.post(
        f"{IMAGE_PROCESSING}/{name}",
        operation_id=name,
        response_class=PlainTextResponse,
        deprecated=True,
        **openapi.legacy_upload_docs(family),
    )
    async def upload(request: Request, service: Service, who: Client) -> PlainTextResponse:
        data = await _uploaded_file(request)
        return await _submit(request, service, who, family, data, RecognitionSettings())


for _name, _family in UPLOADS.items():
    _upload_route(_name, _family)


@router.post(
    f"{TEXT_TO_SPEECH}/PostTextToSpeech",
    operation_id="PostTextToSpeech",
    response_class=PlainTextResponse,
    deprecated=True,
    **openapi.legacy_speech_docs(),
)
async def post_text_to_speech(request: Request, service: Service, who: Client) -> Response:
    doc = await run_in_threadpool(json_object, await request.body(), "text")
    family = Family.CONVERT_TEXT_TO_SPEECH
    data, settings = parse_speech(doc, family)
    return await _submit(request, service, who, family, data, settings)


def _view_of(
    service: OcrService, who: Requester, task_id: str, families: frozenset[Family]
) -> Callable[[], Awaitable[TaskView | None]]:
    async def load() -> TaskView | None:
        view = await run_in_threadpool(service.get_result, task_id, who, with_results=True)
        return view if view is not None and view.family in families else None

    return load


def _raw_file(view: TaskView | None, kind: ArtifactKind, media_type: str) -> Response:
    """The task's file itself: 200 with the bytes; 204 once it has expired or never existed
    (as Aspose answers); 202 while it is still being made; 400 with the reasons if it failed."""
    if view is None:
        return Response(status_code=204)
    if not view.status.is_final:
        return Response(status_code=202, headers={"Retry-After": "1"})
    result = next((a for a in view.results or () if a.kind is kind), None)
    if result is None:
        reasons = " ".join(view.messages) or "The task produced no file."
        return JSONResponse(
            {
                "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                "title": "Bad Request",
                "status": 400,
                "detail": f"The task ended without a file: {reasons}",
            },
            status_code=400,
            media_type="application/problem+json",
        )
    return Response(result.data, media_type=media_type)


def _result_routes(
    prefix: str,
    names: tuple[str, str],
    families: frozenset[Family],
    what: str,
    file: tuple[ArtifactKind, str],
) -> None:
    """A deprecated family's two lookups: the envelope, and the produced file itself."""
    envelope_name, file_name = names
    kind, media_type = file

    @router.get(
        f"{prefix}/{envelope_name}",
        operation_id=envelope_name,
        deprecated=True,
        **openapi.legacy_result_docs(what),
    )
    async def result(
        request: Request, service: Service, who: Client, task_id: TaskId
    ) -> JSONResponse:
        view = await when_final(request, _view_of(service, who, task_id, families))
        return JSONResponse(envelope(task_id, view))

    @router.get(
        f"{prefix}/{file_name}",
        operation_id=file_name,
        deprecated=True,
        **openapi.legacy_file_docs(media_type),
    )
    async def result_file(
        request: Request, service: Service, who: Client, task_id: TaskId
    ) -> Response:
        view = await when_final(request, _view_of(service, who, task_id, families))
        return _raw_file(view, kind, media_type)


_result_routes(
    IMAGE_PROCESSING,
    ("GetResultTask", "GetResultFile"),
    _IMAGE_FAMILIES,
    "image processing",
    (ArtifactKind.IMAGE_PNG, "image/png"),
)
_result_routes(
    TEXT_TO_SPEECH,
    ("GetTextToSpeechResult", "GetTextToSpeechResultFile"),
    _SPEECH_FAMILIES,
    "speech",
    (ArtifactKind.WAV_FILE, "application/octet-stream"),
)
