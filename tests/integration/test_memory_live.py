"""A 100 MP page through a live server: the whole process tree's memory and a paying client."""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.conftest import b64, png_bytes, text_page
from tests.processtree import TreeSampler

pytestmark = pytest.mark.slow

#: How far the server's process tree may grow over its idle size while it reads the page.
MAX_GROWTH = 1.5e9


def _huge_png() -> bytes:
    """10000×10000 white with a few lines of dark text: ~100 KB of PNG, 100 MP decoded."""
    image = Image.new("L", (10_000, 10_000), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=60)
    for i, line in enumerate(["Invoice 2024-117", "total 318.40 EUR", "due within 30 days"]):
        draw.text((1000, 3000 + i * 120), line, fill=0, font=font)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _wait(client: httpx.Client, task_id: str, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        doc: dict[str, Any] = client.get("/v5.0/ocr/RecognizeImage", params={"id": task_id}).json()
        if doc["taskStatus"] in ("Completed", "Error") or time.monotonic() > deadline:
            return doc
        time.sleep(0.2)


def test_a_100_megapixel_page_stays_within_budget(server_factory: Any) -> None:
    server = server_factory(workers=1, env={"OCRHIVE_MAX_BODY_MB": "8"})
    server.start()
    token = server.token(server.add_client("payer"))
    assert server.proc is not None
    time.sleep(1.0)  # let start-up allocations settle before the idle baseline
    sampler = TreeSampler(server.proc.pid)  # its baseline is the idle server
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        try:
            body = {"image": b64(_huge_png()), "settings": {"language": "English"}}
            big = client.post("/v5.0/ocr/RecognizeImage", json=body)
            assert big.status_code == 200, big.text
            started = time.monotonic()
            doc = _wait(client, big.text, 120)
            took = time.monotonic() - started
            assert doc["taskStatus"] in ("Completed", "Error"), f"still {doc['taskStatus']}"
        finally:
            sampler.stop()
        growth = sampler.grown
        print(f"{doc['taskStatus']} in {took:.1f} s, tree +{growth / 1e9:.2f} GB", doc.get("error"))
        if doc["taskStatus"] == "Completed":
            # the page was really read at full size, not refused or skipped
            assert "Invoice" in base64.b64decode(doc["results"][0]["data"]).decode()
        assert growth <= MAX_GROWTH, f"server tree grew {growth / 1e9:.2f} GB"
        assert took <= 120
        small = {"image": b64(png_bytes(text_page())), "settings": {"language": "English"}}
        started = time.monotonic()
        doc = _wait(client, client.post("/v5.0/ocr/RecognizeImage", json=small).text, 60)
        assert doc["taskStatus"] == "Completed", doc
        assert time.monotonic() - started <= 60
