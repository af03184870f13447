"""The official SDK's deprecated TextToSpeechApi: the flat body makes a ConvertTextToSpeech task
and GetTextToSpeechResult answers its envelope (the SDK cannot decode the raw-file download
itself; tests/integration/test_families_wire.py checks that one over HTTP)."""

from __future__ import annotations

import base64
import warnings

import pytest
from aspose_ocr_cloud import ApiClient, TextToSpeechApi
from aspose_ocr_cloud.models import LanguageTTS, ResultTypeTTS, TTSBodyDeprecated, TTSTaskStatus

from tests.compat.conftest import finished

pytestmark = [pytest.mark.compat, pytest.mark.slow]


def test_deprecated_text_to_speech_round_trip(sdk: ApiClient) -> None:
    api = TextToSpeechApi(sdk)
    body = TTSBodyDeprecated(
        text="Deprecated paths still speak.",
        language=LanguageTTS.ENGLISH,
        result_type=ResultTypeTTS.WAV,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        task_id = api.post_text_to_speech(body)
        result = finished(api.get_text_to_speech_result, task_id)
    assert result.task_status == TTSTaskStatus.COMPLETED, result.error
    [item] = result.results
    assert item.type == "WavFile"
    assert base64.b64decode(item.data)[:4] == b"RIFF"
