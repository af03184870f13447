"""The task families: ``POST`` submit → id, ``GET ?id=`` → envelope, ``DELETE ?id=`` → cancel."""

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ocrhive.api import openapi
from ocrhive.api.deps import Address, Anonymous, Client, Limits, Service, TaskId
from ocrhive.api.long_poll import when_final
from ocrhive.api.ratelimit import EdgeLimits, TrialQuota, retry_after
from ocrhive.api.routes.webhooks import callback_url
from ocrhive.api.schemas import envelope, parse_submission, submission_settings
from ocrhive.api.upload import read_submission
from ocrhive.domain.recognition import BodyShape, Family
from ocrhive.domain.task import TaskView
from ocrhive.errors import InvalidRequest, TooManyRequests
from ocrhive.service import OcrService, Requester

#: families served in this version
FAMILIES = tuple(Family)


async def _queue(request: Request, service: OcrService, family: Family, who: Requester) -> str:
    """Read, parse and queue a submission; the new task's id. ``?callbackUrl=`` (ocrhive's
    extension) asks for the final status to be POSTed there."""
    callback = await callback_url(request)
    submit = partial(service.submit, callback=callback)
    if family.body is BodyShape.TEXT:
        text, settings = await run_in_threadpool(parse_submission, await request.body(), family)
        return await run_in_threadpool(submit, family, settings, text, who)
    # the image is decoded as it arrives: the body is never held whole
    others, upload = await read_submission(request.stream())
    with upload, upload.view() as data:  # stored, the upload's memory goes back at once
        settings = submission_settings(others, family)
        return await run_in_threadpool(submit, family, settings, data, who)


def _unfinished(service: OcrService, who: Requester, task_ids: list[str]) -> set[str]:
    """Those of ``task_ids`` still waiting or running (gone ones count as finished)."""
    left = set()
    for task_id in task_ids:
        view = service.get_result(task_id, who, with_results=False)
        if view is not None and not view.status.is_final:
            left.add(task_id)
    return left


async def _queue_trial(
    request: Request,
    service: OcrService,
    family: Family,
    who: Requester,
    quota: TrialQuota,
    address: str,
) -> str:
    """A trial submission within the address's rate and unfinished-task quota, checked before
    the body is read so that a refused client costs no upload."""

    async def unfinished(task_ids: list[str]) -> set[str]:
        return await run_in_threadpool(_unfinished, service, who, task_ids)

    async with quota.slot(address, unfinished) as record:
        task_id = await _queue(request, service, family, who)
        record(task_id)
    return task_id


def _speech_trial_call(limits: EdgeLimits, address: str) -> None:
    """Count one of the address's daily speech trial calls (spec §8.6: 10 a day)."""
    wait = limits.speech_trial.take(address)
    if wait:
        raise TooManyRequests(
            f"This address has used its {limits.speech_trial.capacity:g} speech trial calls "
            "for today; use ConvertTextToSpeech with an access token, or retry later.",
            retry_after=retry_after(wait),
        )


async def _fetch(
    request: Request, service: OcrService, family: Family, who: Requester, task_id: str
) -> JSONResponse:
    """The task's envelope, an unfinished task waited for (:func:`when_final`)."""

    async def load() -> TaskView | None:
        return await run_in_threadpool(
            service.get_result, task_id, who, family=family, with_results=True
        )

    return JSONResponse(envelope(task_id, await when_final(request, load)))


def _router(family: Family) -> APIRouter:
    router = APIRouter(tags=[family.value])
    path = f"/v5.0/ocr/{family.value}"
    name = family.value
    Who = Anonymous if family.is_trial else Client

    @router.post(
        path,
        operation_id=f"Post{name}",
        response_class=PlainTextResponse,
        **openapi.submit_docs(family),
    )
    async def submit(
        request: Request,
        service: Service,
        who: Who,  # type: ignore[valid-type]
        limits: Limits,
        address: Address,
    ) -> Response:
        if family is Family.CONVERT_TEXT_TO_SPEECH_TRIAL:
            _speech_trial_call(limits, address)
        if family.is_trial:
            try:
                task_id = await _queue_trial(request, service, family, who, limits.trial, address)
            except InvalidRequest:
                # a refused body is not a call the daily speech quota counts
                if family is Family.CONVERT_TEXT_TO_SPEECH_TRIAL:
                    limits.speech_trial.give_back(address)
                raise
        else:
            task_id = await _queue(request, service, family, who)
        return PlainTextResponse(task_id)

    @router.get(path, operation_id=f"Get{name}", **openapi.fetch_docs(family))
    async def fetch(request: Request, service: Service, who: Who, task_id: TaskId) -> JSONResponse:  # type: ignore[valid-type]
        return await _fetch(request, service, family, who, task_id)

    @router.delete(
        path, operation_id=f"Cancel{name}", response_class=Response, **openapi.cancel_docs(family)
    )
    async def cancel(service: Service, who: Who, task_id: TaskId) -> Response:  # type: ignore[valid-type]
        await run_in_threadpool(service.cancel, task_id, who, family=family)
        return Response(status_code=200)

    return router


routers = [_router(f) for f in FAMILIES]
