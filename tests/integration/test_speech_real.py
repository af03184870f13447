"""ConvertTextToSpeech (+Trial) with the real eSpeak NG, the audio parsed with ``wave`` and
listened to by PocketSphinx (its US English model ships inside its wheel)."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
from pocketsphinx import Decoder

from ocrhive.domain.recognition import ArtifactKind, Language, RecognitionSettings
from ocrhive.domain.task import Outcome
from ocrhive.engines.registry import EngineRegistry
from ocrhive.errors import TaskFailed
from ocrhive.operations import speech
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.speech import trial
from tests.conftest import PANGRAM_LINES

ONE = PANGRAM_LINES[0]
FIVE = " ".join(PANGRAM_LINES)
#: PocketSphinx's acoustic model is trained on 16 kHz audio
MODEL_RATE = 16000


@pytest.fixture(scope="module")
def readers() -> Readers:
    return Readers(engine=EngineRegistry())


def _wav(outcome: Outcome) -> bytes:
    (item,) = outcome.results
    assert item.kind is ArtifactKind.WAV_FILE
    return item.data


def _spoken(text: str, readers: Readers, *, trial_run: bool = False) -> bytes:
    handler = speech.run_trial if trial_run else speech.run
    outcome = handler(text.encode("utf-8"), RecognitionSettings(), readers, PipelineOptions())
    assert any("eSpeak NG" in w for w in outcome.warnings)
    return _wav(outcome)


def _seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as audio:
        return audio.getnframes() / audio.getframerate()


def test_a_sentence_becomes_a_valid_wav(readers: Readers) -> None:
    wav = _spoken(ONE, readers)
    assert wav.startswith(b"RIFF") and wav[8:12] == b"WAVE"
    with wave.open(io.BytesIO(wav)) as audio:
        assert audio.getnchannels() == 1
        assert audio.getframerate() == 22050
        assert audio.getsampwidth() == 2
        frames = audio.getnframes()
        samples = np.frombuffer(audio.readframes(frames), dtype="<i2")
    # the header's sizes are the file's (eSpeak NG leaves placeholders when writing to a pipe)
    assert len(samples) == frames > 0
    assert int.from_bytes(wav[4:8], "little") == len(wav) - 8
    # a sentence takes seconds to say, and is not silence
    assert 1.5 < frames / 22050 < 6
    assert np.abs(samples).max() > 3000


def test_duration_grows_with_the_text(readers: Readers) -> None:
    one, five = _seconds(_spoken(ONE, readers)), _seconds(_spoken(FIVE, readers))
    assert five > 3.5 * one


def test_the_trial_speaks_the_notice_and_always_the_same(readers: Readers) -> None:
    normal = _spoken(FIVE, readers)
    first = _spoken(FIVE, readers, trial_run=True)
    again = _spoken(FIVE, readers, trial_run=True)
    assert first == again
    # the notice is nine words: about three seconds more
    assert _seconds(first) > _seconds(normal) + 2.0
    assert _spoken(FIVE.replace("lazy", "sleepy"), readers, trial_run=True) != first


@pytest.mark.parametrize(
    "text",
    [ONE, FIVE, "One two three four five six seven eight", "Read this text aloud", "A. B. C."],
)
def test_the_notice_goes_at_a_boundary_chosen_by_the_text(text: str) -> None:
    spoken = trial.with_notice(text)
    assert trial.with_notice(text) == spoken
    assert spoken.count(trial.NOTICE) == 1
    before = spoken[: spoken.index(trial.NOTICE)].strip()
    # between sentences when there are several; a word is never cut
    if len(trial.boundaries(text)) > 2 and "." in text[:-1]:
        assert before == "" or before.endswith(".")
    rest = spoken.replace(trial.NOTICE, " ")
    assert [w.rstrip(".") for w in rest.split()] == [w.rstrip(".") for w in text.split()]


def test_different_texts_put_the_notice_in_different_places() -> None:
    text = "One two three. Four five six. Seven eight nine. Ten eleven twelve."
    positions = {trial.with_notice(f"{text} Item {i}.").index(trial.NOTICE) for i in range(40)}
    assert len(positions) >= 4


def test_the_trial_refuses_more_than_500_characters(readers: Readers) -> None:
    text = ("word " * 101)[:501]
    with pytest.raises(TaskFailed, match="501 characters; the trial speaks at most 500"):
        speech.run_trial(text.encode(), RecognitionSettings(), readers, PipelineOptions())
    # exactly 500 is allowed
    assert _seconds(_spoken(text[:500], readers, trial_run=True)) > 10


@pytest.mark.parametrize("data", [b"", b"   \n\t ", "\u00a0\u2003".encode()])
def test_empty_text_fails_clearly(readers: Readers, data: bytes) -> None:
    for handler in (speech.run, speech.run_trial):
        with pytest.raises(TaskFailed, match="nothing to speak"):
            handler(data, RecognitionSettings(), readers, PipelineOptions())


def test_bad_input_fails_clearly(readers: Readers) -> None:
    with pytest.raises(TaskFailed, match="not valid UTF-8"):
        speech.run(b"caf\xe9", RecognitionSettings(), readers, PipelineOptions())
    with pytest.raises(TaskFailed, match="English only"):
        speech.run(
            b"Bonjour", RecognitionSettings(language=Language.FRENCH), readers, PipelineOptions()
        )
    too_long = b"a " * (speech.MAX_CHARACTERS // 2 + 1)
    with pytest.raises(TaskFailed, match="at most 10000 characters"):
        speech.run(too_long, RecognitionSettings(), readers, PipelineOptions())


# -- listened to: PocketSphinx restricted to the words that could have been said ---------------


def _words_heard(wav: bytes, vocabulary: set[str]) -> list[str]:
    """The words PocketSphinx hears, any number of them in any order, from ``vocabulary``."""
    with wave.open(io.BytesIO(wav)) as audio:
        rate = audio.getframerate()
        pcm = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2").astype(np.float64)
    count = int(len(pcm) * MODEL_RATE / rate)
    resampled = np.interp(np.arange(count) * rate / MODEL_RATE, np.arange(len(pcm)), pcm)
    silence = np.zeros(MODEL_RATE // 2)
    raw = np.concatenate([silence, resampled, silence]).astype("<i2").tobytes()
    grammar = (
        "#JSGF V1.0;\ngrammar heard;\n"
        f"<word> = {' | '.join(sorted(vocabulary))};\npublic <heard> = <word>+;\n"
    )
    # no lattice rescoring: over a word loop it takes seconds and changes nothing here
    decoder = Decoder(samprate=MODEL_RATE, lm=None, loglevel="ERROR", bestpath=False)
    decoder.add_jsgf_string("heard", grammar)
    decoder.activate_search("heard")
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return hypothesis.hypstr.split() if hypothesis is not None else []


def test_a_listener_hears_the_notice_in_the_trial_only(readers: Readers) -> None:
    text = "Pack my box with five dozen liquor jugs. The weather is nice today."
    notice = {"please", "authenticate", "to", "the", "api", "remove", "this", "message"}
    vocabulary = {w.strip(".").lower() for w in text.split()} | notice
    normal = _words_heard(_spoken(text, readers), vocabulary)
    trial_words = _words_heard(_spoken(text, readers, trial_run=True), vocabulary)
    # eSpeak NG's formant voice is hard on a model trained on people: it hears some words only,
    # but the notice's long words are there in the trial and never in the normal audio
    assert {"authenticate", "message"} <= set(trial_words), trial_words
    assert not {"authenticate", "message", "remove"} & set(normal), normal
    assert {"box", "dozen"} <= set(normal), normal
