"""The official Python SDK (aspose-ocr-cloud 24.11.0) against a live ocrhive server, unmodified
but for the host and the token — exactly as its users would point it at us."""

from __future__ import annotations

import ast
import base64
import time
from collections.abc import Iterator

import pytest
from aspose_ocr_cloud import (
    ApiClient,
    Configuration,
    OCRRecognizeImageBody,
    OCRSettingsRecognizeImage,
    RecognizeImageApi,
    RecognizeImageTrialApi,
    UtilitiesApi,
)
from aspose_ocr_cloud.exceptions import BadRequestException, UnauthorizedException
from aspose_ocr_cloud.models import (
    DsrConfidence,
    DsrMode,
    OCRTaskStatus,
    ResponseStatusCode,
    ResultType,
)

from tests.conftest import Deployment, b64, png_bytes, receipt, text_page
from tests.textmetrics import word_recall

pytestmark = [pytest.mark.compat, pytest.mark.slow]


@pytest.fixture
def anonymous_sdk(live_server: Deployment) -> Iterator[ApiClient]:
    with ApiClient(Configuration(host=live_server.url)) as client:
        yield client


def example_settings() -> OCRSettingsRecognizeImage:
    """What the SDK's own example sends."""
    return OCRSettingsRecognizeImage(
        language="English",
        make_skew_correct=False,
        make_binarization=False,
        make_spell_check=False,
        make_contrast_correction=False,
        make_upsampling=False,
        dsr_mode=DsrMode.NODSRNOFILTER,
        dsr_confidence=DsrConfidence.DEFAULT,
        result_type=ResultType.TEXT,
    )


def test_recognize_image_post_then_get_like_the_sdk_example(sdk: ApiClient) -> None:
    api = RecognizeImageApi(sdk)
    image, truth = receipt("sroie_203")
    task_id = api.post_recognize_image(
        OCRRecognizeImageBody(image=b64(image), settings=example_settings())
    )
    assert isinstance(task_id, str) and len(task_id) == 36
    result = api.get_recognize_image(task_id)
    assert result.id == task_id
    assert result.task_status == OCRTaskStatus.COMPLETED
    assert result.response_status_code == ResponseStatusCode.OK
    text = base64.b64decode(result.results[0].data).decode("utf-8")
    assert result.results[0].type == "Text"
    assert word_recall(text.upper(), truth) > 0.5


def test_sdk_default_settings_object(sdk: ApiClient) -> None:
    api = RecognizeImageApi(sdk)
    body = OCRRecognizeImageBody(
        image=b64(png_bytes(text_page())),
        settings=OCRSettingsRecognizeImage(language="English", result_type=ResultType.TEXT),
    )
    result = api.get_recognize_image(api.post_recognize_image(body))
    assert "quick brown fox" in base64.b64decode(result.results[0].data).decode()


def test_utilities_status_and_cancel(sdk: ApiClient) -> None:
    api, utilities = RecognizeImageApi(sdk), UtilitiesApi(sdk)
    task_id = api.post_recognize_image(
        OCRRecognizeImageBody(image=b64(png_bytes(text_page())), settings=example_settings())
    )
    deadline = time.monotonic() + 60
    status = utilities.get_task_status(task_id)
    while status.task_status not in (OCRTaskStatus.COMPLETED, OCRTaskStatus.ERROR):
        assert time.monotonic() < deadline
        time.sleep(0.2)
        status = utilities.get_task_status(task_id)
    assert status.task_status == OCRTaskStatus.COMPLETED and status.results is None
    api.cancel_recognize_image(task_id)
    assert api.get_recognize_image(task_id).task_status == OCRTaskStatus.NOTEXIST
    unknown = utilities.get_task_status("00000000-0000-0000-0000-000000000000")
    assert unknown.task_status == OCRTaskStatus.NOTEXIST
    assert unknown.response_status_code == ResponseStatusCode.TASKNOTFOUND


def test_trial_without_token_masks_words(anonymous_sdk: ApiClient) -> None:
    api = RecognizeImageTrialApi(anonymous_sdk)
    body = OCRRecognizeImageBody(image=b64(png_bytes(text_page())), settings=example_settings())
    first = api.get_recognize_image_trial(api.post_recognize_image_trial(body))
    second = api.get_recognize_image_trial(api.post_recognize_image_trial(body))
    text = base64.b64decode(first.results[0].data).decode()
    assert text == base64.b64decode(second.results[0].data).decode()
    words = text.split()
    assert sum(1 for w in words if set(w) == {"*"}) == max(1, int(len(words) * 0.1 + 0.5))
    task_id = api.post_recognize_image_trial(body)
    api.cancel_recognize_image_trial(task_id)
    assert api.get_recognize_image_trial(task_id).task_status == OCRTaskStatus.NOTEXIST


def test_sdk_sees_failures_as_its_documented_exceptions(
    live_server: Deployment, sdk: ApiClient
) -> None:
    api = RecognizeImageApi(sdk)
    with pytest.raises(BadRequestException):
        api.post_recognize_image(OCRRecognizeImageBody(image="@@@", settings=example_settings()))
    forged = Configuration(host=live_server.url, access_token="forged")
    with ApiClient(forged) as bad, pytest.raises(UnauthorizedException):
        RecognizeImageApi(bad).get_recognize_image("x")
    failed = api.get_recognize_image(
        api.post_recognize_image(
            OCRRecognizeImageBody(image=b64(b"not an image"), settings=example_settings())
        )
    )
    assert failed.task_status == OCRTaskStatus.ERROR
    assert failed.error.messages and "not an image" in failed.error.messages[0]


def test_recognize_pdf_api_returns_a_searchable_pdf(sdk: ApiClient) -> None:
    from aspose_ocr_cloud import OCRRecognizePdfBody, OCRSettingsRecognizePdf, RecognizePdfApi

    from tests.integration.test_documents_live import PAGES, scanned_pdf

    api = RecognizePdfApi(sdk)
    settings = OCRSettingsRecognizePdf(language="English", result_type=ResultType.TEXTANDPDF)
    task_id = api.post_recognize_pdf(
        OCRRecognizePdfBody(image=b64(scanned_pdf(PAGES)), settings=settings)
    )
    result = api.get_recognize_pdf(task_id)
    deadline = time.monotonic() + 120
    while result.task_status not in (OCRTaskStatus.COMPLETED, OCRTaskStatus.ERROR):
        assert time.monotonic() < deadline
        time.sleep(0.5)
        result = api.get_recognize_pdf(task_id)
    assert result.task_status == OCRTaskStatus.COMPLETED
    assert [r.type for r in result.results] == ["Text", "Pdf"]
    assert base64.b64decode(result.results[1].data).startswith(b"%PDF-")
    assert base64.b64decode(result.results[0].data).decode().count("\f") == 2


def test_regions_and_detection_apis(sdk: ApiClient) -> None:
    from aspose_ocr_cloud import (
        DetectRegionsApi,
        OCRDetectRegionsBody,
        OCRRecognizeRegionsBody,
        OCRRect,
        OCRRegion,
        OCRSettingsDetectRegions,
        OCRSettingsRecognizeRegions,
        RecognizeRegionsApi,
    )

    image = b64(png_bytes(text_page()))
    detect = DetectRegionsApi(sdk)
    found = detect.get_detect_regions(
        detect.post_detect_regions(
            OCRDetectRegionsBody(
                image=image, settings=OCRSettingsDetectRegions(dsr_mode=DsrMode.REGIONS)
            )
        )
    )
    assert found.task_status == OCRTaskStatus.COMPLETED and found.results[0].type == "Other"
    rects = ast.literal_eval(base64.b64decode(found.results[0].data).decode())
    assert rects and all(len(r) == 4 for r in rects)
    x1, y1, x2, y2 = rects[0]
    regions = [
        OCRRegion(
            rect=OCRRect(top_left_x=x1, top_left_y=y1, bottom_right_x=x2, bottom_right_y=y2),
            order=0,
        )
    ]
    api = RecognizeRegionsApi(sdk)
    result = api.get_recognize_regions(
        api.post_recognize_regions(
            OCRRecognizeRegionsBody(
                image=image,
                settings=OCRSettingsRecognizeRegions(regions=regions, result_type=ResultType.TEXT),
            )
        )
    )
    assert result.task_status == OCRTaskStatus.COMPLETED
    assert "quick brown fox" in base64.b64decode(result.results[0].data).decode()
