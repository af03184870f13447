"""Every operation of the official SDK reaches a task on a live server: no 501, each body shape
parsed (image + settings, image only, speech text), the deprecated multipart and flat-speech
paths, their raw-file downloads, and the speech trial's limits. What each family computes is
tested with its own room; here the HTTP side is."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ocrhive.api.openapi import TINY_DJVU, TINY_PNG
from ocrhive.domain.recognition import BodyShape, Family
from tests.conftest import LiveServer, png_bytes, text_page

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, httpx.Client]]:
    live = LiveServer(data_dir=tmp_path_factory.mktemp("families") / "data", workers=1)
    live.start()
    try:
        token = live.token(live.add_client())
        with httpx.Client(
            base_url=live.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as api:
            yield live, api
    finally:
        live.stop()


def _body(family: Family) -> dict[str, object]:
    if family.body is BodyShape.TEXT:
        return {"text": "Hello world.", "settings": {"language": "English", "resultType": "Wav"}}
    if family.body is BodyShape.IMAGE:
        return {"image": TINY_PNG}
    return {"image": TINY_DJVU if family is Family.DJVU2PDF else TINY_PNG, "settings": {}}


def _final(api: httpx.Client, path: str, task_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 120
    while True:
        doc: dict[str, object] = api.get(path, params={"id": task_id}).json()
        if doc["taskStatus"] in ("Completed", "Error"):
            return doc
        assert time.monotonic() < deadline, doc
        time.sleep(0.2)


@pytest.mark.parametrize("family", list(Family), ids=lambda f: f.value)
def test_every_family_takes_its_body_and_runs_a_task(
    server: tuple[LiveServer, httpx.Client], family: Family
) -> None:
    _, api = server
    path = f"/v5.0/ocr/{family.value}"
    answer = api.post(path, json=_body(family))
    assert answer.status_code == 200, answer.text
    task_id = answer.text
    doc = _final(api, path, task_id)
    assert doc["id"] == task_id
    # the task ran: it Completed, or its handler said in words why not; never a lost task
    if doc["taskStatus"] == "Error":
        error = doc["error"]
        assert isinstance(error, dict) and error["messages"], doc
    assert api.delete(path, params={"id": task_id}).status_code == 200
    assert api.get(path, params={"id": task_id}).json()["taskStatus"] == "NotExist"


def test_no_sdk_path_answers_not_implemented(server: tuple[LiveServer, httpx.Client]) -> None:
    _, api = server
    document = api.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method in operations:
            if method not in ("get", "post", "delete"):
                continue
            answer = api.request(method.upper(), path, params={"id": "x"})
            assert answer.status_code != 501, (method, path, answer.text)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"settings": {}}, "text"),
        ({"text": "   "}, "text"),
        ({"text": 5}, "text"),
        ({"text": "hi", "settings": {"language": "German"}}, "settings.language"),
        ({"text": "hi", "settings": {"resultType": "Mp3"}}, "settings.resultType"),
        ({"text": "hi", "settings": "Wav"}, "settings"),
    ],
)
def test_speech_bodies_are_checked_field_by_field(
    server: tuple[LiveServer, httpx.Client], body: dict[str, object], field: str
) -> None:
    _, api = server
    answer = api.post("/v5.0/ocr/ConvertTextToSpeech", json=body)
    assert answer.status_code == 400
    assert field in answer.json()["errors"], answer.text


def test_image_only_bodies_need_an_image(server: tuple[LiveServer, httpx.Client]) -> None:
    _, api = server
    answer = api.post("/v5.0/ocr/BinarizeImage", json={"settings": {}})
    assert answer.status_code == 400 and "image" in answer.json()["errors"]


def test_speech_trial_reads_500_characters_and_10_calls_a_day(
    server_factory: object, tmp_path: Path
) -> None:
    live = server_factory(workers=1)  # type: ignore[operator]
    live.start()
    path = f"{live.url}/v5.0/ocr/ConvertTextToSpeechTrial"
    long = httpx.post(path, json={"text": "a" * 501}, timeout=30)
    assert long.status_code == 400 and "500" in long.json()["errors"]["text"][0]
    # a refused body does not count: ten good calls still go through, the eleventh does not
    for _ in range(10):
        answer = httpx.post(path, json={"text": "Hello."}, timeout=30)
        assert answer.status_code == 200, answer.text
        # finished before the next, so the trial's cap on unfinished tasks never interferes
        with httpx.Client(base_url=live.url, timeout=30) as anonymous:
            _final(anonymous, "/v5.0/ocr/ConvertTextToSpeechTrial", answer.text)
    eleventh = httpx.post(path, json={"text": "Hello."}, timeout=30)
    assert eleventh.status_code == 429 and int(eleventh.headers["Retry-After"]) > 60
    assert "speech trial" in eleventh.json()["detail"]


def test_deprecated_image_upload_and_raw_download(server: tuple[LiveServer, httpx.Client]) -> None:
    _, api = server
    image = png_bytes(text_page(["Deprecated upload"]))
    for name in (
        "PostBinarizationFile",
        "PostSkewCorrectionFile",
        "PostDewarpingFile",
        "PostUpsamplingImageFile",
    ):
        answer = api.post(
            f"/v5.0/ocr/ImageProcessing/{name}", files={"file": ("page.png", image, "image/png")}
        )
        assert answer.status_code == 200, (name, answer.text)
        task_id = answer.text
        doc = _final(api, "/v5.0/ocr/ImageProcessing/GetResultTask", task_id)
        raw = api.get("/v5.0/ocr/ImageProcessing/GetResultFile", params={"id": task_id})
        if doc["taskStatus"] == "Completed":
            results = doc["results"]
            assert isinstance(results, list) and results[0]["type"] == "ImagePNG"
            assert raw.status_code == 200 and raw.headers["content-type"] == "image/png"
            assert raw.content == base64.b64decode(results[0]["data"])
        else:
            assert raw.status_code == 400 and raw.json()["detail"]
    missing = api.post("/v5.0/ocr/ImageProcessing/PostBinarizationFile", data={"x": "1"})
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    gone = api.get("/v5.0/ocr/ImageProcessing/GetResultFile", params={"id": "no-such-task"})
    assert gone.status_code == 204 and gone.content == b""


def test_deprecated_speech_path(server: tuple[LiveServer, httpx.Client]) -> None:
    _, api = server
    answer = api.post(
        "/v5.0/ocr/TextToSpeech/PostTextToSpeech",
        json={"text": "Hello there.", "language": "English", "resultType": "Wav"},
    )
    assert answer.status_code == 200, answer.text
    doc = _final(api, "/v5.0/ocr/TextToSpeech/GetTextToSpeechResult", answer.text)
    raw = api.get("/v5.0/ocr/TextToSpeech/GetTextToSpeechResultFile", params={"id": answer.text})
    if doc["taskStatus"] == "Completed":
        assert raw.status_code == 200 and raw.content.startswith(b"RIFF")
    else:
        assert raw.status_code == 400
    # an image task's id is not a speech result
    image = api.post("/v5.0/ocr/BinarizeImage", json={"image": TINY_PNG}).text
    assert (
        api.get("/v5.0/ocr/TextToSpeech/GetTextToSpeechResult", params={"id": image}).json()[
            "taskStatus"
        ]
        == "NotExist"
    )
    bad = api.post("/v5.0/ocr/TextToSpeech/PostTextToSpeech", json={"language": "English"})
    assert bad.status_code == 400 and "text" in bad.json()["errors"]


def test_deprecated_paths_need_a_token(server: tuple[LiveServer, httpx.Client]) -> None:
    live, _ = server
    for path in (
        "/v5.0/ocr/ImageProcessing/PostBinarizationFile",
        "/v5.0/ocr/TextToSpeech/PostTextToSpeech",
    ):
        assert httpx.post(live.url + path, json={}, timeout=30).status_code == 401
