"""The client session against httpx's mock transport: token reuse, one refresh on 401,
Retry-After waited out within bounds, and readable reasons for refusals and failed tasks."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable

import httpx
import pytest

from ocrhive.client.session import (
    ApiProblem,
    Credentials,
    RetryPolicy,
    Session,
    problem_reason,
)
from ocrhive.domain.recognition import ArtifactKind

CREDS = Credentials(client_id="c1", client_secret="s1")
DONE = {
    "taskStatus": "Completed",
    "results": [{"type": "Text", "data": base64.b64encode(b"hello").decode()}],
    "error": None,
}


class Server:
    """A scripted server: counts requests per path and answers through ``handler``."""

    def __init__(self, handler: Callable[[httpx.Request, int], httpx.Response]) -> None:
        self.handler = handler
        self.calls: list[tuple[str, str]] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        return self.handler(request, len(self.calls))

    def count(self, path: str) -> int:
        return sum(1 for _, p in self.calls if p == path)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def run(self, credentials: Credentials | None = CREDS, **kwargs: object) -> object:
        async def go() -> object:
            transport = httpx.MockTransport(self)
            async with httpx.AsyncClient(transport=transport, base_url="http://ocr") as client:
                session = Session(client, credentials, sleep=self.sleep, **kwargs)  # type: ignore[arg-type]
                outcome = await session.recognize("RecognizeImage", b"img", {"language": "English"})
                return outcome, session

        return asyncio.run(go())


def done() -> httpx.Response:
    return httpx.Response(200, json=DONE)


def token_answer(n: int) -> httpx.Response:
    return httpx.Response(200, json={"access_token": f"t{n}", "expires_in": 3600})


def test_one_token_serves_submit_and_poll() -> None:
    def handler(request: httpx.Request, n: int) -> httpx.Response:
        if request.url.path == "/connect/token":
            assert b"grant_type=client_credentials" in request.content
            return token_answer(n)
        assert request.headers["Authorization"] == "Bearer t1"
        if request.method == "POST":
            assert json.loads(request.content)["image"] == base64.b64encode(b"img").decode()
            return httpx.Response(200, text="task-1")
        return httpx.Response(200, json=DONE)

    server = Server(handler)
    outcome, _ = server.run()  # type: ignore[misc]
    assert outcome.artefacts == {ArtifactKind.TEXT: b"hello"}
    assert server.count("/connect/token") == 1


def test_a_401_gets_one_new_token_and_one_more_try() -> None:
    def handler(request: httpx.Request, n: int) -> httpx.Response:
        if request.url.path == "/connect/token":
            return token_answer(n)
        if request.headers["Authorization"] == "Bearer t1":
            return httpx.Response(401, json={"title": "Unauthorized", "detail": "expired"})
        return httpx.Response(200, text="task-1") if request.method == "POST" else done()

    server = Server(handler)
    outcome, _ = server.run()  # type: ignore[misc]
    assert outcome.artefacts[ArtifactKind.TEXT] == b"hello"
    assert server.count("/connect/token") == 2


def test_a_second_401_is_a_failure_not_a_loop() -> None:
    def handler(request: httpx.Request, n: int) -> httpx.Response:
        if request.url.path == "/connect/token":
            return token_answer(n)
        return httpx.Response(401, json={"title": "Unauthorized", "detail": "client disabled"})

    server = Server(handler)
    with pytest.raises(ApiProblem, match="HTTP 401 Unauthorized: client disabled"):
        server.run()
    assert server.count("/connect/token") == 2
    assert server.count("/v5.0/ocr/RecognizeImage") == 2


def test_retry_after_is_waited_out_and_capped() -> None:
    def handler(request: httpx.Request, n: int) -> httpx.Response:
        if request.method == "POST" and n <= 3:
            status, wait = [(429, "3"), (503, "7200"), (507, "soon")][n - 1]
            return httpx.Response(status, headers={"Retry-After": wait}, json={"title": "busy"})
        return httpx.Response(200, text="task-1") if request.method == "POST" else done()

    server = Server(handler)
    policy = RetryPolicy(attempts=5, max_wait=30.0, default_wait=1.5)
    outcome, session = server.run(None, retry=policy)  # type: ignore[misc]
    assert outcome.artefacts[ArtifactKind.TEXT] == b"hello"
    # 3 s as asked; an hour capped at max_wait; an unreadable value → the default
    assert server.sleeps == [3.0, 30.0, 1.5]
    assert session.waits == 3


def test_retries_are_bounded() -> None:
    def handler(request: httpx.Request, n: int) -> httpx.Response:
        return httpx.Response(
            429,
            headers={"Retry-After": "1"},
            json={"title": "Too Many Requests", "detail": "quota"},
        )

    server = Server(handler)
    with pytest.raises(ApiProblem, match="HTTP 429 Too Many Requests: quota"):
        server.run(None, retry=RetryPolicy(attempts=4))
    assert len(server.calls) == 4
    assert server.sleeps == [1.0, 1.0, 1.0]


def test_a_task_in_error_fails_with_its_messages() -> None:
    failed = {
        "taskStatus": "Error",
        "results": None,
        "error": {"messages": ["The submitted file is text, not an image."], "warnings": None},
    }

    def handler(request: httpx.Request, n: int) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, text="task-1")
        if n == 2:
            return httpx.Response(200, json={"taskStatus": "Processing", "results": None})
        return httpx.Response(200, json=failed)

    server = Server(handler)
    with pytest.raises(ApiProblem, match=r"^The submitted file is text, not an image\.$"):
        server.run(None, poll_interval=0.25)
    assert server.sleeps == [0.25]  # polled again after a pause while Processing


def test_a_vanished_task_is_named() -> None:
    def handler(request: httpx.Request, n: int) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, text="task-9")
        return httpx.Response(200, json={"taskStatus": "NotExist"})

    with pytest.raises(ApiProblem, match="task task-9 no longer exists"):
        Server(handler).run(None)


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (
            httpx.Response(
                400, json={"title": "One or more validation errors occurred.", "detail": "bad"}
            ),
            "HTTP 400 One or more validation errors occurred.: bad",
        ),
        (
            httpx.Response(400, json={"error": "invalid_client", "error_description": "no"}),
            "HTTP 400 invalid_client: no",
        ),
        (httpx.Response(502, text="<html>\nproxy\n"), "HTTP 502 Bad Gateway: <html>"),
        (
            httpx.Response(413, json={"title": "Payload Too Large", "detail": "Payload Too Large"}),
            "HTTP 413 Payload Too Large",
        ),
    ],
)
def test_problem_reason(response: httpx.Response, reason: str) -> None:
    assert problem_reason(response) == reason
