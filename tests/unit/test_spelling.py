"""makeSpellCheck: only low-confidence plain words change; punctuation and case survive."""

from __future__ import annotations

import pytest

from ocrhive import postprocess
from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import SPELL_CHECK_LANGUAGES, Language, RecognitionSettings
from ocrhive.postprocess.spelling import DICTIONARIES, LOW_CONFIDENCE, is_correctable


def page(*words: tuple[str, float]) -> Page:
    box = BBox(left=0, top=0, right=10, bottom=10)
    line = Line(bbox=box, words=tuple(Word(text=t, bbox=box, confidence=c) for t, c in words))
    return Page(
        width=10,
        height=10,
        blocks=(Block(bbox=box, paragraphs=(Paragraph(bbox=box, lines=(line,)),)),),
    )


def spell(p: Page, language: Language = Language.ENGLISH) -> tuple[list[str], tuple[str, ...]]:
    out, warnings = postprocess.apply(p, RecognitionSettings(spell_check=True, language=language))
    return [w.text for w in out.words()], warnings


LOW = LOW_CONFIDENCE - 20


def test_low_confidence_misreads_are_corrected_keeping_case_and_punctuation() -> None:
    words, warnings = spell(
        page(("Tne", LOW), ("quikc", LOW), ("(recieve),", LOW), ("Hcuse.", LOW))
    )
    assert words == ["The", "quick", "(receive),", "House."]
    assert warnings == ()


def test_ocr_letter_confusions_are_undone() -> None:
    assert spell(page(("Rnodern", LOW), ("rnade", LOW)))[0] == ["Modern", "made"]


def test_confident_words_are_never_changed() -> None:
    assert spell(page(("Tne", 95.0), ("recieve", LOW_CONFIDENCE)))[0] == ["Tne", "recieve"]


@pytest.mark.parametrize(
    "token",
    [
        "318.40",
        "2024-117",
        "INV2024",
        "a1b2c3",
        "j.smith@example.com",
        "https://exarnple.com/x",
        "www.exarnple.com",
        "SDN",
        "BHD",
        "EUR",
        "ok",
        "Mr",
        "co-operate",
        "O'Neil",
        "#",
    ],
)
def test_numbers_codes_addresses_abbreviations_and_short_words_are_left_alone(token: str) -> None:
    assert spell(page((token, 0.0)))[0] == [token]


def test_known_words_are_kept_even_when_unsure() -> None:
    assert spell(page(("Quartz", 0.0), ("judge", 0.0)))[0] == ["Quartz", "judge"]


def test_other_languages_use_their_own_dictionary() -> None:
    words = spell(page(("Zeitunq", LOW), ("Bahnhot", LOW), ("Stadt", LOW)), Language.GERMAN)[0]
    assert words == ["Zeitung", "Bahnhof", "Stadt"]


def test_a_language_without_dictionary_warns_and_changes_nothing() -> None:
    words, warnings = spell(page(("Tne", LOW)), Language.POLISH)
    assert words == ["Tne"]
    assert warnings and "Polish" in warnings[0]


def test_spell_check_off_changes_nothing() -> None:
    p = page(("Tne", LOW))
    assert postprocess.apply(p, RecognitionSettings()) == (p, ())


def test_every_dictionary_language_is_one_the_spec_lists() -> None:
    assert set(DICTIONARIES) - {Language.NETHERLANDS} <= SPELL_CHECK_LANGUAGES


def test_plain_words_are_correctable() -> None:
    assert is_correctable("word,") and is_correctable("Ünïcode") and not is_correctable("A4")
