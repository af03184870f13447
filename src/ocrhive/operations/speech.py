"""ConvertTextToSpeech (+Trial): English text → one WavFile item.

The submitted "file" of a speech task is the text, UTF-8 encoded. The voice is eSpeak NG's
(formant synthesis), not the one Aspose's service uses; every result says so in its warnings.
"""

from __future__ import annotations

from ocrhive.domain.recognition import (
    MAX_SPEECH_CHARACTERS,
    ArtifactKind,
    Language,
    RecognitionSettings,
)
from ocrhive.domain.task import Artifact, Outcome
from ocrhive.errors import TaskFailed
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.speech import espeak, trial

#: The longest text one task speaks: about 9 minutes of speech, a 25 MB WAV (2.5 kB of audio
#: per character of generated English, benchmarks/speed/djvu_speech.py), 33 MB in base64. The
#: HTTP edge refuses longer texts with 400 before a task is made.
MAX_CHARACTERS = MAX_SPEECH_CHARACTERS
#: the languages the API's TTS accepts (LanguageTTS is English only; HWT_ENG is English too)
_ENGLISH = frozenset({Language.ENGLISH, Language.HWT_ENG})

VOICE_NOTE = (
    f"Spoken by eSpeak NG (formant synthesis, voice {espeak.VOICE}), not the voice of "
    "Aspose's service: clear but robotic."
)


def run(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Speak the submitted text.

    Raises:
        TaskFailed: the text is empty, too long, not UTF-8, or not English.
    """
    text = _text(data, settings, limit=MAX_CHARACTERS, who="this server")
    return _spoken(text)


def run_trial(
    data: bytes, settings: RecognitionSettings, readers: Readers, options: PipelineOptions
) -> Outcome:
    """Speak the submitted text (at most 500 characters) with the trial's notice in it, at a
    place chosen from the text, so the same text always gives the same audio.

    Raises:
        TaskFailed: the text is empty, over 500 characters, not UTF-8, or not English.
    """
    text = _text(data, settings, limit=trial.MAX_CHARACTERS, who="the trial")
    return _spoken(trial.with_notice(text))


def _text(data: bytes, settings: RecognitionSettings, *, limit: int, who: str) -> str:
    """The text to speak, checked: English, UTF-8, at most ``limit`` characters, not blank."""
    if settings.language not in _ENGLISH:
        raise TaskFailed(
            f"Text to speech speaks English only; the request asked for {settings.language.value}."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TaskFailed(f"The text is not valid UTF-8 (byte {exc.start}).") from None
    if len(text) > limit:
        raise TaskFailed(
            f"The text has {len(text)} characters; {who} speaks at most {limit} characters "
            "(spaces and punctuation included)."
        )
    text = text.strip()
    if not text:
        raise TaskFailed("The text is empty: there is nothing to speak.")
    return text


def _spoken(text: str) -> Outcome:
    wav = espeak.synthesise(text)
    return Outcome(
        results=(Artifact(kind=ArtifactKind.WAV_FILE, data=wav),), warnings=(VOICE_NOTE,)
    )
