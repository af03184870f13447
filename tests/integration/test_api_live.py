"""The wire contract against a live server with the real engine: token, submit, poll, cancel,
trial masking, client isolation, forged tokens and a battery of bad inputs."""

from __future__ import annotations

import base64
import io
import json
import time
import uuid

import httpx
import jwt
import pytest
from PIL import Image

import ocrhive
from tests.conftest import Deployment, LiveServer, b64, png_bytes, receipt, text_page
from tests.textmetrics import cer, word_recall

pytestmark = pytest.mark.slow

ENVELOPE_KEYS = {"id", "taskStatus", "responseStatusCode", "results", "error"}


def submit(api: httpx.Client, body: object, path: str = "RecognizeImage") -> str:
    response = api.post(f"/v5.0/ocr/{path}", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    task_id = response.text
    assert uuid.UUID(task_id) and '"' not in task_id and "\n" not in task_id
    return task_id


def wait_final(
    api: httpx.Client, task_id: str, path: str = "RecognizeImage", timeout: float = 90
) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = api.get(f"/v5.0/ocr/{path}", params={"id": task_id})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        doc = response.json()
        assert set(doc) == ENVELOPE_KEYS
        if doc["taskStatus"] in ("Completed", "Error", "NotExist") or time.monotonic() > deadline:
            return doc
        time.sleep(0.2)


def text_of(doc: dict) -> str:
    assert doc["taskStatus"] == "Completed", doc
    assert doc["responseStatusCode"] == "Ok"
    [item] = doc["results"]
    assert item["type"] == "Text"
    return base64.b64decode(item["data"]).decode("utf-8")


# -- token ------------------------------------------------------------------------------------


def test_token_endpoint_issues_an_expiring_bearer_jwt(live_server: Deployment, creds: dict) -> None:
    response = httpx.post(
        f"{live_server.url}/connect/token",
        data={"grant_type": "client_credentials", **creds},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == creds["client_id"]
    assert claims["exp"] - claims["iat"] == 3600


def test_token_accepts_multipart_and_refuses_bad_credentials(
    live_server: Deployment, creds: dict
) -> None:
    multipart = httpx.post(
        f"{live_server.url}/connect/token",
        files={k: (None, v) for k, v in {"grant_type": "client_credentials", **creds}.items()},
    )
    assert multipart.status_code == 200, multipart.text
    wrong = httpx.post(
        f"{live_server.url}/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": creds["client_id"],
            "client_secret": "not-the-secret",
        },
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_client"
    unknown = httpx.post(
        f"{live_server.url}/connect/token",
        data={"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
    )
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_client"
    grant = httpx.post(f"{live_server.url}/connect/token", data={"grant_type": "password", **creds})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer garbage", "Basic Zm9vOmJhcg=="])
def test_protected_endpoints_answer_401_without_a_valid_token(
    live_server: Deployment, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    for method, path in [
        ("POST", "/v5.0/ocr/RecognizeImage"),
        ("GET", "/v5.0/ocr/RecognizeImage?id=x"),
        ("DELETE", "/v5.0/ocr/RecognizeImage?id=x"),
        ("GET", "/v5.0/ocr/Utilities/GetTaskStatus?id=x"),
    ]:
        response = httpx.request(method, live_server.url + path, headers=headers, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_forged_none_and_expired_tokens_are_refused(live_server: Deployment, creds: dict) -> None:
    now = int(time.time())
    claims = {
        "iss": "ocrhive",
        "aud": "ocrhive-api",
        "sub": creds["client_id"],
        "iat": now,
        "exp": now + 3600,
    }
    key = live_server.signing_key()
    forged = jwt.encode(claims, "some-other-key-that-is-long-enough-0123456789", algorithm="HS256")
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    alg_none = f"{header}.{payload}."
    expired = jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600}, key, algorithm="HS256")
    other_client = jwt.encode({**claims, "sub": "someone-else"}, key, algorithm="HS256")
    for token in (forged, alg_none, expired, other_client):
        response = httpx.get(
            f"{live_server.url}/v5.0/ocr/Utilities/GetTaskStatus",
            params={"id": "x"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 401, token
    good = jwt.encode(claims, key, algorithm="HS256")
    ok = httpx.get(
        f"{live_server.url}/v5.0/ocr/Utilities/GetTaskStatus",
        params={"id": "x"},
        headers={"Authorization": f"Bearer {good}"},
    )
    assert ok.status_code == 200


# -- the task lifecycle -----------------------------------------------------------------------


def test_real_receipt_is_recognised_through_post_then_get(api: httpx.Client) -> None:
    image, truth = receipt("sroie_063")
    task_id = submit(
        api, {"image": b64(image), "settings": {"language": "English", "resultType": "Text"}}
    )
    # one GET straight after the POST: the server waits for a task about to finish
    doc = api.get("/v5.0/ocr/RecognizeImage", params={"id": task_id}).json()
    assert doc["id"] == task_id
    text = text_of(doc)
    # the SROIE transcripts are upper case
    assert word_recall(text.upper(), truth) > 0.6
    assert cer(text.upper(), truth) < 0.35
    assert doc["error"] is None or doc["error"]["messages"] is None


def test_clean_page_reads_exactly_and_rotate_turns_clockwise(api: httpx.Client) -> None:
    page = text_page()
    expected = "\n".join(text_page.__defaults__[0])  # type: ignore[index]
    plain = text_of(wait_final(api, submit(api, {"image": b64(png_bytes(page))})))
    assert cer(plain, expected) < 0.02
    # an image turned 90° counter-clockwise is read upright with Rotate=90 (clockwise)
    turned = page.transpose(Image.Transpose.ROTATE_90)
    body = {"image": b64(png_bytes(turned)), "settings": {"Rotate": 90, "makeSkewCorrect": False}}
    assert cer(text_of(wait_final(api, submit(api, body))), expected) < 0.02
    # with makeSkewCorrect too: automatic orientation must not undo the client's Rotate
    body = {"image": b64(png_bytes(turned)), "settings": {"Rotate": 90, "makeSkewCorrect": True}}
    doc = wait_final(api, submit(api, body))
    assert cer(text_of(doc), expected) < 0.02
    warnings = (doc["error"] or {}).get("warnings") or []
    assert not any("rotated" in w for w in warnings), warnings


def test_names_and_enum_strings_are_case_insensitive_and_nulls_take_defaults(
    api: httpx.Client,
) -> None:
    body = {
        "IMAGE": b64(png_bytes(text_page())),
        "Settings": {
            "LANGUAGE": "english",
            "rotate": 0,
            "resulttype": "TEXT",
            "dsrMode": None,
            "makeBinarization": None,
            "regions": None,
            "unknownKey": {"x": 1},
        },
    }
    assert "quick brown fox" in text_of(wait_final(api, submit(api, body)))
    path_variant = api.post("/v5.0/OCR/recognizeimage", json=body)
    assert path_variant.status_code == 200


def test_get_task_status_has_no_payload_and_unknown_ids_are_not_exist(api: httpx.Client) -> None:
    task_id = submit(api, {"image": b64(png_bytes(text_page()))})
    wait_final(api, task_id)
    status = api.get("/v5.0/ocr/Utilities/GetTaskStatus", params={"id": task_id}).json()
    assert status == {
        "id": task_id,
        "taskStatus": "Completed",
        "responseStatusCode": "Ok",
        "results": None,
        "error": None,
    }
    for unknown in ("00000000-0000-0000-0000-000000000000", "not-a-guid"):
        doc = api.get("/v5.0/ocr/Utilities/GetTaskStatus", params={"id": unknown}).json()
        assert doc == {
            "id": unknown,
            "taskStatus": "NotExist",
            "responseStatusCode": "TaskNotFound",
            "results": None,
            "error": None,
        }
    assert api.get("/v5.0/ocr/RecognizeImage").status_code == 400
    by_upper_name = api.get("/v5.0/ocr/Utilities/GetTaskStatus", params={"ID": task_id}).json()
    assert by_upper_name["taskStatus"] == "Completed"


def test_delete_discards_the_task(api: httpx.Client) -> None:
    task_id = submit(api, {"image": b64(png_bytes(text_page()))})
    response = api.delete("/v5.0/ocr/RecognizeImage", params={"id": task_id})
    assert response.status_code == 200 and response.content == b""
    assert wait_final(api, task_id)["taskStatus"] == "NotExist"
    assert api.delete("/v5.0/ocr/RecognizeImage", params={"id": task_id}).status_code == 200


def test_tasks_are_private_to_their_client(live_server: Deployment, api: httpx.Client) -> None:
    task_id = submit(api, {"image": b64(png_bytes(text_page()))})
    bob = live_server.token(live_server.add_client("bob"))
    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {bob}"}
    ) as other:
        assert (
            other.get("/v5.0/ocr/RecognizeImage", params={"id": task_id}).json()["taskStatus"]
            == "NotExist"
        )
        assert (
            other.get("/v5.0/ocr/Utilities/GetTaskStatus", params={"id": task_id}).json()[
                "taskStatus"
            ]
            == "NotExist"
        )
        other.delete("/v5.0/ocr/RecognizeImage", params={"id": task_id})
    # nor can anyone read it through the token-less trial path
    anonymous = httpx.get(f"{live_server.url}/v5.0/ocr/RecognizeImageTrial", params={"id": task_id})
    assert anonymous.json()["taskStatus"] == "NotExist"
    assert wait_final(api, task_id)["taskStatus"] == "Completed"


def test_language_without_a_model_fails_with_install_advice(api: httpx.Client) -> None:
    doc = wait_final(
        api,
        submit(api, {"image": b64(png_bytes(text_page())), "settings": {"language": "Tibetan"}}),
    )
    assert doc["taskStatus"] == "Error" and doc["responseStatusCode"] == "Error"
    assert doc["results"] is None
    [message] = doc["error"]["messages"]
    assert "tesseract-ocr-bod" in message and "not installed" in message


# -- trial ------------------------------------------------------------------------------------


def test_trial_masks_ten_percent_of_words_deterministically(
    live_server: Deployment, api: httpx.Client
) -> None:
    image, _ = receipt("sroie_112")
    body = {"image": b64(image), "settings": {"language": "English"}}
    full = text_of(wait_final(api, submit(api, body)))
    trial = httpx.Client(
        base_url=live_server.url, headers={"Authorization": "Bearer garbage"}, timeout=60
    )
    first = text_of(
        wait_final(trial, submit(trial, body, "RecognizeImageTrial"), "RecognizeImageTrial")
    )
    second = text_of(
        wait_final(trial, submit(trial, body, "RecognizeImageTrial"), "RecognizeImageTrial")
    )
    assert first == second
    assert len(first) == len(full)
    words, masked = full.split(), first.split()
    assert len(words) == len(masked)
    hidden = [i for i, (a, b) in enumerate(zip(words, masked, strict=True)) if a != b]
    assert all(set(masked[i]) == {"*"} and len(masked[i]) == len(words[i]) for i in hidden)
    assert len(hidden) == max(1, int(len(words) * 0.1 + 0.5))
    # a trial id is readable without a token, and also through GetTaskStatus
    trial_id = submit(trial, body, "RecognizeImageTrial")
    assert (
        api.get("/v5.0/ocr/Utilities/GetTaskStatus", params={"id": trial_id}).json()["taskStatus"]
        != "NotExist"
    )


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"{not json", "$"),
        (b"[1, 2]", "$"),
        (b"{}", "image"),
        (json.dumps({"image": 12}).encode(), "image"),
        (json.dumps({"image": "@@@not base64@@@"}).encode(), "image"),
        (json.dumps({"image": ""}).encode(), "image"),
        (json.dumps({"image": "aGVsbG8=", "settings": "English"}).encode(), "settings"),
        (
            json.dumps({"image": "aGVsbG8=", "settings": {"makeSkewCorrect": "yes"}}).encode(),
            "settings.makeSkewCorrect",
        ),
        (
            json.dumps({"image": "aGVsbG8=", "settings": {"language": "Klingon"}}).encode(),
            "settings.language",
        ),
        (
            json.dumps({"image": "aGVsbG8=", "settings": {"resultType": "Docx"}}).encode(),
            "settings.resultType",
        ),
        (
            json.dumps({"image": "aGVsbG8=", "settings": {"Rotate": "ninety"}}).encode(),
            "settings.Rotate",
        ),
        (
            json.dumps({"image": "aGVsbG8=", "settings": {"Rotate": 2**40}}).encode(),
            "settings.Rotate",
        ),
    ],
)
def test_malformed_requests_get_400_naming_the_field(
    api: httpx.Client, raw: bytes, field: str
) -> None:
    response = api.post(
        "/v5.0/ocr/RecognizeImage", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["status"] == 400 and field in problem["errors"]


def test_oversized_body_gets_413(api: httpx.Client) -> None:
    body = b'{"image":"' + b"A" * (9 * 1024 * 1024) + b'"}'
    response = api.post(
        "/v5.0/ocr/RecognizeImage", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def _bomb() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (12000, 12000), 1).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _truncated_png() -> bytes:
    data = png_bytes(text_page())
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"just some text, not an image at all", "text, not an image"),
        (b"%PDF-1.4\n%\xe2\xe3\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "PNG but its data is corrupt"),
        (_truncated_png(), "truncated"),
        (_bomb(), "too many pixels"),
    ],
    ids=["text", "pdf", "png-garbage", "truncated", "bomb"],
)
def test_unreadable_images_end_in_error_and_the_server_keeps_working(
    live_server: Deployment, api: httpx.Client, data: bytes, expected: str
) -> None:
    doc = wait_final(api, submit(api, {"image": b64(data)}))
    assert doc["taskStatus"] == "Error", doc
    assert doc["responseStatusCode"] == "Error" and doc["results"] is None
    assert any(expected in m for m in doc["error"]["messages"]), doc["error"]
    health = httpx.get(f"{live_server.url}/health").json()
    assert health["workers"]["alive"] == live_server.workers
    assert health["version"] == ocrhive.__version__
    assert "quick brown fox" in text_of(
        wait_final(api, submit(api, {"image": b64(png_bytes(text_page()))}))
    )


def test_every_family_is_served_and_says_why_a_file_is_unusable(api: httpx.Client) -> None:
    """No family answers 501 any more; a file it cannot use ends its task in Error, in words."""
    for family in ("RecognizeTable", "IdentifyFont", "DjVu2PDF", "BinarizeImage"):
        response = api.post(f"/v5.0/ocr/{family}", json={"image": "aGVsbG8="})  # "hello"
        assert response.status_code == 200, (family, response.text)
        deadline = time.monotonic() + 60
        while True:
            doc = api.get(f"/v5.0/ocr/{family}", params={"id": response.text}).json()
            if doc["taskStatus"] in ("Completed", "Error") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert doc["taskStatus"] == "Error" and doc["error"]["messages"], (family, doc)


def test_the_deployment_keeps_its_store_and_key(live_server: Deployment) -> None:
    if isinstance(live_server, LiveServer):
        assert (live_server.data_dir / "ocrhive.sqlite3").is_file()
        key = live_server.data_dir / "token-signing.key"
        assert oct(key.stat().st_mode & 0o777) == "0o600"
    else:  # every API node signs with the key the cluster keeps in Redis
        assert len(live_server.signing_key()) >= 32
