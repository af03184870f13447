"""The official SDK's DjVu2PDFApi, ConvertTextToSpeechApi and ConvertTextToSpeechTrialApi
against a live server: a 3-page DjVu comes back as one 3-page PDF (searchable when asked), a
sentence as one WavFile, and the trial answers without a token."""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Iterator

import pypdfium2 as pdfium
import pytest
from aspose_ocr_cloud import (
    ApiClient,
    Configuration,
    ConvertTextToSpeechApi,
    ConvertTextToSpeechTrialApi,
    DjVu2PDFApi,
    LanguageTTS,
    OCRDjVu2PDFBody,
    OCRSettingsDjVu2PDF,
    ResultTypeTTS,
    TTSBody,
    TTSSettings,
)
from aspose_ocr_cloud.exceptions import UnauthorizedException
from aspose_ocr_cloud.models import OCRTaskStatus, ResultType, TTSTaskStatus
from benchmarks.speed.djvudocs import djvu_document
from pdfminer.high_level import extract_text

from tests.compat.conftest import finished
from tests.conftest import PANGRAM_LINES, Deployment, text_page

pytestmark = [pytest.mark.compat, pytest.mark.slow]

SENTENCE = "Read this text aloud."


@pytest.fixture(scope="module")
def three_pages(tmp_path_factory: pytest.TempPathFactory) -> str:
    images = [text_page(PANGRAM_LINES[i : i + 2]) for i in (0, 2, 3)]
    images[1] = images[1].convert("1")
    data = djvu_document(images, tmp_path_factory.mktemp("sdk-djvu"))
    return base64.b64encode(data).decode("ascii")


@pytest.fixture
def anonymous(live_server: Deployment) -> Iterator[ApiClient]:
    """The SDK's client with no token at all, as a trial caller has."""
    with ApiClient(Configuration(host=live_server.url)) as client:
        yield client


def _pdf(result: object) -> bytes:
    assert result.task_status == OCRTaskStatus.COMPLETED, result.error
    items = result.results
    assert [r.type for r in items] == ["Pdf"]
    return base64.b64decode(items[0].data)


@pytest.mark.parametrize("result_type", [ResultType.PDF, None], ids=["Pdf", "omitted"])
def test_djvu2pdf_converts_three_pages_into_one_pdf(
    sdk: ApiClient, three_pages: str, result_type: ResultType | None
) -> None:
    api = DjVu2PDFApi(sdk)
    # the SDK leaves resultType out unless it is set: that is a conversion too
    settings = OCRSettingsDjVu2PDF(result_type=result_type)
    task_id = api.post_dj_vu2_pdf(OCRDjVu2PDFBody(image=three_pages, settings=settings))
    pdf = _pdf(finished(api.get_dj_vu2_pdf, task_id))
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 3
    for page in document:
        assert len(list(page.get_objects())) == 1  # the page image, nothing else
    assert extract_text(io.BytesIO(pdf)).strip() == ""


def test_djvu2pdf_with_a_dsr_mode_is_searchable(sdk: ApiClient, three_pages: str) -> None:
    api = DjVu2PDFApi(sdk)
    # what the .NET SDK's own test sends
    settings = OCRSettingsDjVu2PDF(
        make_contrast_correction=False, dsr_mode="NoDsrNoFilter", result_type=ResultType.PDF
    )
    task_id = api.post_dj_vu2_pdf(OCRDjVu2PDFBody(image=three_pages, settings=settings))
    pdf = _pdf(finished(api.get_dj_vu2_pdf, task_id))
    assert len(pdfium.PdfDocument(pdf)) == 3
    text = " ".join(extract_text(io.BytesIO(pdf)).split())
    assert "quick brown fox" in text and "quartz" in text


def _wav(result: object) -> bytes:
    assert result.task_status == TTSTaskStatus.COMPLETED, result.error
    items = result.results
    assert [r.type for r in items] == ["WavFile"]
    data = base64.b64decode(items[0].data)
    assert data.startswith(b"RIFF") and data[8:12] == b"WAVE"
    return data


def _seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as audio:
        return audio.getnframes() / audio.getframerate()


def test_text_to_speech_answers_a_wav(sdk: ApiClient, anonymous: ApiClient) -> None:
    body = TTSBody(
        text=SENTENCE,
        settings=TTSSettings(language=LanguageTTS.ENGLISH, result_type=ResultTypeTTS.WAV),
    )
    api = ConvertTextToSpeechApi(sdk)
    result = finished(api.get_convert_text_to_speech, api.post_convert_text_to_speech(body))
    spoken = _wav(result)
    assert result.error is not None and any("eSpeak NG" in w for w in result.error.warnings)
    # the trial: no token, the same text with the notice spoken in it
    trial = ConvertTextToSpeechTrialApi(anonymous)
    trial_id = trial.post_convert_text_to_speech_trial(body)
    with_notice = _wav(finished(trial.get_convert_text_to_speech_trial, trial_id))
    assert _seconds(with_notice) > _seconds(spoken) + 2.0


def test_the_sdk_speaks_nothing_without_a_token(anonymous: ApiClient) -> None:
    body = TTSBody(
        text=SENTENCE,
        settings=TTSSettings(language=LanguageTTS.ENGLISH, result_type=ResultTypeTTS.WAV),
    )
    with pytest.raises(UnauthorizedException):
        ConvertTextToSpeechApi(anonymous).post_convert_text_to_speech(body)
