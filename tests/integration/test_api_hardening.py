"""Hostile clients against a live server over real sockets: malicious JSON, idle and half-sent
connections, token floods, trial abuse and clients that leave mid-upload."""

from __future__ import annotations

import asyncio
import os
import re
import resource
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from structlog.testing import capture_logs

from ocrhive.api.connections import AcceptErrorLog
from tests.conftest import LiveServer, b64, png_bytes, text_page

pytestmark = pytest.mark.slow

IDLE_TIMEOUT = 1.5


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with small limits, started with a low soft open-file limit to see it raised."""
    server = LiveServer(
        data_dir=tmp_path_factory.mktemp("edge") / "data",
        workers=1,
        env={
            "OCRHIVE_IDLE_TIMEOUT_SECONDS": str(IDLE_TIMEOUT),
            "OCRHIVE_MAX_CONNECTIONS": "64",
            "OCRHIVE_TRIAL_MAX_BODY_MB": "1",
            "OCRHIVE_TRIAL_SUBMITS_PER_MINUTE": "6",
            "OCRHIVE_TRIAL_MAX_PENDING_PER_ADDRESS": "2",
            # a proxy that is not us: X-Forwarded-For from loopback must not be believed
            "OCRHIVE_TRUSTED_PROXIES": "10.9.9.9",
        },
    )
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 512), hard))
    try:
        server.start()  # the child inherits the lowered soft limit
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def edge_creds(edge: LiveServer) -> dict[str, str]:
    return edge.add_client("edge")


@pytest.fixture(scope="module")
def edge_api(edge: LiveServer, edge_creds: dict[str, str]) -> Iterator[httpx.Client]:
    token = edge.token(edge_creds)  # before any test spends this address's token attempts
    with httpx.Client(
        base_url=edge.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        yield client


def _open_files_limit(pid: int) -> tuple[int, int]:
    text = Path(f"/proc/{pid}/limits").read_text()
    match = re.search(r"Max open files\s+(\d+)\s+(\d+)", text)
    assert match, text
    return int(match[1]), int(match[2])


def test_the_open_file_limit_is_raised_to_the_hard_limit(edge: LiveServer) -> None:
    assert edge.proc is not None
    soft, hard = _open_files_limit(edge.proc.pid)
    assert soft == hard and soft > 512


# -- hostile JSON -----------------------------------------------------------------------------

IMAGE = '"aGVsbG8="'
DEEP = 1000


def _regions(rect: str, order: str = "0") -> str:
    return f'{{"image":{IMAGE},"settings":{{"regions":[{{"rect":{rect},"order":{order}}}]}}}}'


RECT = '{"topLeftX":0,"topLeftY":0,"bottomRightX":9,"bottomRightY":9}'
HUGE = "9" * 5000

HOSTILE_JSON = {
    "deep array": ("[" * DEEP + "]" * DEEP, "too deeply"),
    "very deep array": ("[" * 100_000 + "]" * 100_000, "too deeply"),
    "deep object": ('{"a":' * DEEP + "1" + "}" * DEEP, "too deeply"),
    "deep unclosed": ("[" * 50_000, "too deeply"),
    "deep settings array": (
        f'{{"image":{IMAGE},"settings":' + "[" * DEEP + "]" * DEEP + "}",
        "too deeply",
    ),
    "deep settings object": (
        f'{{"image":{IMAGE},"settings":' + '{"x":' * DEEP + "0" + "}" * DEEP + "}",
        "too deeply",
    ),
    "deep image array": ('{"image":' + "[" * DEEP + "]" * DEEP + "}", "too deeply"),
    "deep image object": ('{"image":' + '{"a":' * DEEP + "0" + "}" * DEEP + "}", "too deeply"),
    "huge rotate": (f'{{"image":{IMAGE},"settings":{{"rotate":{HUGE}}}}}', "settings.rotate"),
    "huge negative rotate": (
        f'{{"image":{IMAGE},"settings":{{"rotate":-{HUGE}}}}}',
        "settings.rotate",
    ),
    "huge region x": (_regions(RECT.replace(":0,", f":{HUGE},", 1)), "topLeftX"),
    "huge region y": (
        _regions(RECT.replace('"bottomRightY":9', f'"bottomRightY":{HUGE}')),
        "bottomRightY",
    ),
    "huge order": (_regions(RECT, HUGE), "order"),
    "huge image number": (f'{{"image":{HUGE}}}', "image"),
    "huge exponent rotate": (f'{{"image":{IMAGE},"settings":{{"rotate":1e999999}}}}', "rotate"),
    "huge negative exponent order": (_regions(RECT, "-1e999999"), "order"),
    "huge exponent region": (_regions(RECT.replace(":9,", ":1e400,", 1)), "bottomRightX"),
    "huge boolean": (
        f'{{"image":{IMAGE},"settings":{{"makeBinarization":{HUGE}}}}}',
        "makeBinarization",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_JSON))
def test_hostile_json_is_a_400_naming_the_problem(edge_api: httpx.Client, name: str) -> None:
    body, named = HOSTILE_JSON[name]
    response = edge_api.post(
        "/v5.0/ocr/RecognizeImage",
        content=body.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert named in response.json()["detail"]


# -- idle and half-sent connections -----------------------------------------------------------


def _closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed ``sock`` (None: still open after ``seconds``)."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def test_a_silent_connection_is_closed_after_the_idle_timeout(edge: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", edge.port)) as sock:
        closed = _closed_within(sock, IDLE_TIMEOUT + 3)
    assert closed is not None and closed >= IDLE_TIMEOUT - 0.3


def test_headers_trickled_a_byte_at_a_time_still_time_out(edge: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", edge.port)) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        closed_at = None
        for _ in range(int((IDLE_TIMEOUT + 3) / 0.25)):
            try:
                sock.sendall(b"X")
            except OSError:
                closed_at = time.monotonic() - started
                break
            sock.settimeout(0.25)
            try:
                if sock.recv(4096) == b"":
                    closed_at = time.monotonic() - started
                    break
            except TimeoutError:
                continue
        assert closed_at is not None and closed_at < IDLE_TIMEOUT + 1.5


def test_a_stalled_or_abandoned_upload_is_logged_as_a_disconnect(
    edge: LiveServer, edge_api: httpx.Client
) -> None:
    token = edge_api.headers["Authorization"]
    head = (
        "POST /v5.0/ocr/RecognizeImage HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: {token}\r\nContent-Type: application/json\r\n"
        "Content-Length: 100000\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", edge.port)) as stalled:
        stalled.sendall(head + b'{"image":"AAAA')
        closed = _closed_within(stalled, IDLE_TIMEOUT + 3)
    assert closed is not None
    with socket.create_connection(("127.0.0.1", edge.port)) as abandoned:
        abandoned.sendall(head + b'{"image":"AAAA')
        time.sleep(0.2)
    deadline = time.monotonic() + 5
    while edge.log().count("client_disconnected") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    log = edge.log()
    assert log.count("client_disconnected") >= 2
    assert "request_crashed" not in log and "Traceback" not in log


def test_idle_connections_beyond_the_cap_make_room_for_real_clients(
    edge: LiveServer, edge_api: httpx.Client
) -> None:
    idle = [socket.create_connection(("127.0.0.1", edge.port)) for _ in range(200)]
    try:
        started = time.monotonic()
        assert httpx.get(f"{edge.url}/health", timeout=5).status_code == 200
        fetched = edge_api.get("/v5.0/ocr/Utilities/GetTaskStatus", params={"id": "nope"})
        assert fetched.status_code == 200
        assert time.monotonic() - started < 1.0
        # the oldest idle sockets were closed to make room
        assert _closed_within(idle[0], 1.0) is not None
    finally:
        for sock in idle:
            sock.close()


# -- the trial's own limits ------------------------------------------------------------------


def test_the_trial_body_limit_is_smaller_and_named(edge: LiveServer) -> None:
    body = {"image": "A" * (1024 * 1024 + 10)}
    response = httpx.post(f"{edge.url}/v5.0/ocr/RecognizeImageTrial", json=body, timeout=30)
    assert response.status_code == 413
    assert "trial" in response.json()["detail"] and "1 MiB" in response.json()["detail"]


def test_the_trial_quota_counts_unfinished_tasks_and_ignores_forged_addresses(
    edge: LiveServer,
) -> None:
    big = {"image": b64(png_bytes(text_page(size=48, width=2400)))}
    url = f"{edge.url}/v5.0/ocr/RecognizeImageTrial"
    with httpx.Client(timeout=30) as client:
        answers = [client.post(url, json=big) for _ in range(3)]
        assert [a.status_code for a in answers[:2]] == [200, 200]
        refused = answers[2]
        assert refused.status_code == 429, refused.text
        assert "unfinished" in refused.json()["detail"]
        assert int(refused.headers["Retry-After"]) >= 1
        for task_id in (a.text for a in answers[:2]):
            client.get(url, params={"id": task_id})  # waits for the result
        # each claims another address: believed, every one would start a fresh quota
        codes = []
        for i in range(10):
            small = {"image": b64(png_bytes(text_page(["Hi"], size=24, width=200)))}
            answer = client.post(url, json=small, headers={"X-Forwarded-For": f"10.1.0.{i}"})
            codes.append(answer.status_code)
            if answer.status_code == 429:
                assert "a minute" in answer.json()["detail"]
                assert int(answer.headers["Retry-After"]) >= 1
                break
            client.get(url, params={"id": answer.text})
    assert codes[-1] == 429 and len(codes) <= 6


# -- the token endpoint ----------------------------------------------------------------------


def test_a_burst_of_wrong_secrets_meets_429(
    edge: LiveServer, edge_creds: dict[str, str], edge_api: httpx.Client
) -> None:
    wrong = {**edge_creds, "client_secret": "wrong", "grant_type": "client_credentials"}

    with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=40)) as client:

        def attempt(_: int) -> httpx.Response:
            return client.post(f"{edge.url}/connect/token", data=wrong)

        with ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(attempt, range(200)))
    codes = [a.status_code for a in answers]
    assert set(codes) <= {400, 429}
    assert codes.count(429) >= 100, codes.count(400)
    refused = next(a for a in answers if a.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1
    # the flood did not lock out a client that already holds a token
    assert edge_api.get("/v5.0/ocr/Utilities/GetTaskStatus", params={"id": "x"}).status_code == 200


# -- floods on a server with default limits ---------------------------------------------------


def _p50_get_ms(url: str, token: str, count: int, seconds: float = 0.0) -> float:
    """The median time of ``count`` status GETs, going on until ``seconds`` have passed."""
    times = []
    started = time.monotonic()
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        while len(times) < count or time.monotonic() - started < seconds:
            before = time.perf_counter()
            answer = client.get(f"{url}/v5.0/ocr/Utilities/GetTaskStatus", params={"id": "x"})
            times.append((time.perf_counter() - before) * 1000)
            assert answer.status_code == 200
            time.sleep(0.01)
    return statistics.median(times)


def test_idle_connections_and_a_token_flood_leave_real_clients_served(
    server_factory: object,
) -> None:
    # token attempts unlimited so the flood really hashes: the pool, not the limit, is tested
    server: LiveServer = server_factory(  # type: ignore[operator]
        workers=1, env={"OCRHIVE_TOKEN_ATTEMPTS_PER_MINUTE": "1000000"}
    )
    server.start()
    creds = server.add_client("flood")
    token = server.token(creds)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    idle: list[socket.socket] = []
    try:
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(1100)]
        started = time.monotonic()
        assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
        quiet_p50 = _p50_get_ms(server.url, token, 30)
        assert time.monotonic() - started < 3.0

        stop = threading.Event()
        wrong = {**creds, "client_secret": "wrong", "grant_type": "client_credentials"}
        flood_codes: list[int] = []

        def flood() -> None:
            with httpx.Client(timeout=30) as client:
                deadline = time.monotonic() + 20
                while not stop.is_set() and time.monotonic() < deadline:
                    flood_codes.append(
                        client.post(f"{server.url}/connect/token", data=wrong).status_code
                    )

        threads = [threading.Thread(target=flood) for _ in range(40)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1.0)
            hashed_before = flood_codes.count(400)
            # long enough for the flood to hash many times while the GETs are measured
            flood_p50 = _p50_get_ms(server.url, token, 40, seconds=3.0)
            hashed = flood_codes.count(400) - hashed_before
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)
    finally:
        for sock in idle:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    print(f"GET p50 quiet {quiet_p50:.1f} ms, during flood {flood_p50:.1f} ms ({hashed} hashed)")
    assert hashed >= 20, hashed  # the flood really ran scrypt while the GETs were measured
    assert flood_p50 <= 50, (quiet_p50, flood_p50)


# -- descriptor exhaustion -------------------------------------------------------------------


def test_running_out_of_descriptors_is_logged_once_not_every_second() -> None:
    async def exhaust() -> list[dict[str, object]]:
        loop = asyncio.get_running_loop()
        AcceptErrorLog(interval=60).install(loop)
        server = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        # connected by the kernel, waiting in the backlog for an accept() that will fail
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        in_use = len(os.listdir("/proc/self/fd"))
        try:
            with capture_logs() as logs:
                resource.setrlimit(resource.RLIMIT_NOFILE, (in_use + 4, hard))
                await asyncio.sleep(2.6)  # asyncio retries accept() every second
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
            for sock in clients:
                sock.close()
            server.close()
            await server.wait_closed()
        return logs

    logs = asyncio.run(exhaust())
    assert [e["event"] for e in logs] == ["too_many_open_files"]
