"""Talking to an ocrhive (or Aspose.OCR Cloud 5.0) server: token, submit, poll, retry."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ocrhive.domain.recognition import ArtifactKind

#: Answers that mean "not now": the server says when to come back in Retry-After.
RETRY_STATUSES = frozenset({429, 503, 507})

#: Result types by their wire name in any case (Aspose writes ``Json``, ocrhive ``JSON``).
_KINDS = {kind.value.casefold(): kind for kind in ArtifactKind}

#: A finished task's statuses.
_FINAL = frozenset({"Completed", "Error", "NotExist"})


class ApiProblem(Exception):
    """The server refused or failed a request; ``reason`` is what the user is told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, kw_only=True)
class Credentials:
    """An API client's id and secret (``ocrhive clients add`` prints them)."""

    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How long to keep trying a server that says "not now" or cannot be reached.

    Attributes:
        attempts: tries of one request before its file fails.
        max_wait: the longest single wait, whatever Retry-After says.
        default_wait: the wait when an answer carries no usable Retry-After.
    """

    attempts: int = 8
    max_wait: float = 60.0
    default_wait: float = 2.0


def problem_reason(response: httpx.Response) -> str:
    """A one-line reason from an error answer: the problem detail's title and detail, the
    OAuth error at /connect/token, or the start of whatever body came back."""
    status = f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        if "error" in body and isinstance(body["error"], str):  # RFC 6749 token error
            text = body["error"]
            if body.get("error_description"):
                text += f": {body['error_description']}"
            return f"{status} {text}"
        title, detail = body.get("title"), body.get("detail")
        if title or detail:
            parts = [str(p) for p in (title, detail) if p]
            return f"{status} " + ": ".join(dict.fromkeys(parts))
    text = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
    return f"{status} {response.reason_phrase}" + (f": {text}" if text else "")


def retry_after(response: httpx.Response, policy: RetryPolicy) -> float:
    """Seconds to wait before the next try, from Retry-After (seconds) within the policy."""
    try:
        wait = float(response.headers.get("Retry-After", ""))
    except ValueError:
        wait = policy.default_wait
    return min(max(wait, 0.0), policy.max_wait)


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """A completed task: its artefacts by kind and the server's warnings."""

    artefacts: Mapping[ArtifactKind, bytes]
    warnings: tuple[str, ...] = ()


class Session:
    """One server, one client identity; safe to share between concurrent submissions.

    Without credentials only the trial family works (images, partly masked output).

    Args:
        client: the HTTP client, its ``base_url`` the server.
        credentials: the API client to act as, or None for the trial.
        retry: waiting and retrying on 429/503/507 and unreachable servers.
        poll_interval: the pause between two lookups of an unfinished task (the server holds
            each lookup for a few seconds itself).
        sleep: how to wait (tests pass a recorder).
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        credentials: Credentials | None = None,
        *,
        retry: RetryPolicy | None = None,
        poll_interval: float = 0.5,
        sleep: Any = asyncio.sleep,
    ) -> None:
        self._client = client
        self._credentials = credentials
        self._retry = retry or RetryPolicy()
        self._poll_interval = poll_interval
        self._sleep = sleep
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()
        #: how often the server said "not now" (429/503/507) and was waited for
        self.waits = 0

    @property
    def trial(self) -> bool:
        """No credentials: only the trial family can be used."""
        return self._credentials is None

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request, tried again while the server says "not now" or is unreachable."""
        for attempt in range(1, self._retry.attempts + 1):
            last = attempt == self._retry.attempts
            try:
                response = await self._client.request(method, url, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # the request never reached the server, so a POST is safe to send again
                if last:
                    raise ApiProblem(f"cannot reach {self._client.base_url}: {exc}") from exc
                await self._sleep(min(self._retry.default_wait * attempt, self._retry.max_wait))
                continue
            except httpx.TransportError as exc:
                if method != "GET" or last:
                    raise ApiProblem(f"the connection to the server failed: {exc}") from exc
                await self._sleep(self._retry.default_wait)
                continue
            if response.status_code in RETRY_STATUSES and not last:
                self.waits += 1
                await self._sleep(retry_after(response, self._retry))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover (the loop returns or raises)

    async def token(self, *, stale: str | None = None) -> str:
        """A bearer token, fetched once and again before it expires or after a 401.

        Args:
            stale: the token the server just refused; another submission may have replaced
                it already, in which case that one is returned without a new request.

        Raises:
            ApiProblem: the server refused the credentials or could not be reached.
        """
        assert self._credentials is not None, "the trial needs no token"
        async with self._token_lock:
            fresh = self._token is not None and self._token != stale
            if fresh and time.monotonic() < self._token_expires:
                assert self._token is not None
                return self._token
            response = await self._send(
                "POST",
                "/connect/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._credentials.client_id,
                    "client_secret": self._credentials.client_secret,
                },
            )
            if response.status_code != 200:
                raise ApiProblem(f"no token: {problem_reason(response)}")
            body = response.json()
            self._token = str(body["access_token"])
            # renew a minute early: a token that expires between submit and poll costs a 401
            lifetime = float(body.get("expires_in") or 3600)
            self._token_expires = time.monotonic() + max(lifetime - 60, lifetime / 2)
            return self._token

    async def _authorised(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A request with the bearer token; a 401 gets one new token and one more try."""
        if self._credentials is None:
            return await self._send(method, url, **kwargs)
        token = await self.token()
        response = await self._send(
            method, url, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )
        if response.status_code == 401:
            token = await self.token(stale=token)
            response = await self._send(
                method, url, headers={"Authorization": f"Bearer {token}"}, **kwargs
            )
        return response

    async def submit(self, family: str, image: bytes, settings: Mapping[str, Any]) -> str:
        """Queue ``image`` on ``family`` (``RecognizeImage``, …); the new task's id."""
        body = {"image": base64.b64encode(image).decode("ascii"), "settings": dict(settings)}
        response = await self._authorised("POST", f"/v5.0/ocr/{family}", json=body)
        if response.status_code != 200:
            raise ApiProblem(problem_reason(response))
        task_id = response.text.strip().strip('"')
        if not task_id:
            raise ApiProblem("the server answered the submission without a task id")
        return task_id

    async def wait(self, family: str, task_id: str) -> Outcome:
        """Poll a task until it is final; its results, or ApiProblem with its error."""
        delay = self._poll_interval
        while True:
            response = await self._authorised("GET", f"/v5.0/ocr/{family}", params={"id": task_id})
            if response.status_code != 200:
                raise ApiProblem(problem_reason(response))
            body = response.json()
            status = body.get("taskStatus")
            if status in _FINAL:
                return _outcome(task_id, body)
            await self._sleep(delay)
            delay = min(delay * 1.5, 5.0)

    async def recognize(self, family: str, image: bytes, settings: Mapping[str, Any]) -> Outcome:
        """Submit and wait: the finished task's results.

        Raises:
            ApiProblem: the request was refused, or the task ended in Error (its
                ``error.messages``) or disappeared.
        """
        return await self.wait(family, await self.submit(family, image, settings))


def _outcome(task_id: str, body: Mapping[str, Any]) -> Outcome:
    error = body.get("error") or {}
    messages = [str(m) for m in (error.get("messages") or [])]
    warnings = tuple(str(w) for w in (error.get("warnings") or []))
    status = body.get("taskStatus")
    if status == "NotExist":
        raise ApiProblem(f"task {task_id} no longer exists on the server (deleted or expired)")
    if status == "Error":
        raise ApiProblem("; ".join(messages) or f"task {task_id} ended in Error")
    artefacts: dict[ArtifactKind, bytes] = {}
    for item in body.get("results") or []:
        kind = _KINDS.get(str(item.get("type")).casefold())
        if kind is None:
            continue  # a kind this client does not write
        artefacts[kind] = base64.b64decode(item.get("data") or "")
    return Outcome(artefacts=artefacts, warnings=warnings)
