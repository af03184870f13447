"""The official SDK's BinarizeImageApi, DeskewImageApi, DewarpImageApi and UpscaleImageApi, and
the deprecated ImageProcessingApi uploads, against a live server: each answers one ImagePNG."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aspose_ocr_cloud import (
    ApiClient,
    BinarizeImageApi,
    Configuration,
    DeskewImageApi,
    DewarpImageApi,
    ImageProcessingApi,
    OCRBinarizeImageBody,
    OCRDeskewImageBody,
    OCRDewarpImageBody,
    OCRUpscaleImageBody,
    UpscaleImageApi,
)
from aspose_ocr_cloud.models import OCRTaskStatus
from benchmarks.accuracy import synthetic
from PIL import Image

from ocrhive.preprocess.deskew import estimate_skew
from tests.conftest import Deployment, b64, png_bytes

pytestmark = [pytest.mark.compat, pytest.mark.slow]

#: the angle the submitted page is turned by, clockwise
TILT = 7.0


@pytest.fixture
def sdk(live_server: Deployment, token: str) -> Iterator[ApiClient]:
    config = Configuration(host=live_server.url, access_token=token)
    with ApiClient(config) as client:
        yield client


@pytest.fixture(scope="module")
def tilted() -> bytes:
    page, _ = synthetic.render_page(synthetic.PROSE[:1], size_px=30, width=1000, margin=60)
    return png_bytes(synthetic.skew(page, TILT))


def finished(fetch: Callable[[str], Any], task_id: str) -> Any:
    result = fetch(task_id)
    deadline = time.monotonic() + 120
    while result.task_status not in (OCRTaskStatus.COMPLETED, OCRTaskStatus.ERROR):
        assert time.monotonic() < deadline, task_id
        time.sleep(0.3)
        result = fetch(task_id)
    assert result.task_status == OCRTaskStatus.COMPLETED, result.error
    return result


def one_png(result: Any) -> Image.Image:
    assert [r.type for r in result.results] == ["ImagePNG"]
    data = base64.b64decode(result.results[0].data)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy()


def test_binarize_image(sdk: ApiClient, tilted: bytes) -> None:
    api = BinarizeImageApi(sdk)
    task_id = api.post_binarize_image(OCRBinarizeImageBody(image=b64(tilted)))
    image = one_png(finished(api.get_binarize_image, task_id))
    assert image.mode == "1"


def test_deskew_image(sdk: ApiClient, tilted: bytes) -> None:
    api = DeskewImageApi(sdk)
    task_id = api.post_deskew_image(OCRDeskewImageBody(image=b64(tilted)))
    result = finished(api.get_deskew_image, task_id)
    left = estimate_skew(one_png(result))
    assert left is not None and abs(left.angle) <= 0.5
    assert result.error is not None and any("Deskewed by -7." in w for w in result.error.warnings)


def test_dewarp_image(sdk: ApiClient, tilted: bytes) -> None:
    api = DewarpImageApi(sdk)
    task_id = api.post_dewarp_image(OCRDewarpImageBody(image=b64(tilted)))
    result = finished(api.get_dewarp_image, task_id)
    assert one_png(result).size == Image.open(io.BytesIO(tilted)).size
    assert result.error is not None and result.error.warnings


def test_upscale_image(sdk: ApiClient, tilted: bytes) -> None:
    api = UpscaleImageApi(sdk)
    task_id = api.post_upscale_image(OCRUpscaleImageBody(image=b64(tilted)))
    result = finished(api.get_upscale_image, task_id)
    width = Image.open(io.BytesIO(tilted)).width
    assert one_png(result).width >= 2 * width
    assert result.error is not None
    assert any("not a neural model" in w for w in result.error.warnings)


@pytest.mark.parametrize(
    "post",
    [
        ImageProcessingApi.post_binarization_file,
        ImageProcessingApi.post_skew_correction_file,
        ImageProcessingApi.post_dewarping_file,
        ImageProcessingApi.post_upsampling_file,
    ],
    ids=lambda f: f.__name__,
)
def test_deprecated_multipart_upload(
    sdk: ApiClient, tilted: bytes, post: Callable[[ImageProcessingApi, bytes], str]
) -> None:
    api = ImageProcessingApi(sdk)
    task_id = post(api, tilted)
    image = one_png(finished(api.get_result_task, task_id))
    raw = api.get_result_file_without_preload_content(task_id)
    assert raw.status == 200 and raw.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(raw.data)).size == image.size
