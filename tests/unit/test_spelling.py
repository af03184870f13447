"""makeSpellCheck: only low-confidence plain words change; punctuation and case survive.

The Hunspell and Voikko languages read the real dictionaries from Debian's packages
(scripts/spellcheck-dictionaries.sh, run by `make test`): a missing one fails these tests.
"""

from __future__ import annotations

import pytest

from ocrhive import postprocess
from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import SPELL_CHECK_LANGUAGES, Language, RecognitionSettings
from ocrhive.postprocess import dictionaries, hunspell
from ocrhive.postprocess.spelling import LOW_CONFIDENCE, is_close, is_correctable


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


# one real OCR-style misreading per language, each fixed by that language's own dictionary: a lost
# accent, a wrong letter, a lost letter, "rn" for "m"
@pytest.mark.parametrize(
    ("language", "read", "meant"),
    [
        (Language.CROATIAN, ["kuča", "Hrvatskq", "rnajka"], ["kuća", "Hrvatska", "majka"]),
        (Language.CZECH, ["dekuji", "prosim"], ["děkuji", "prosím"]),
        (Language.DANISH, ["Kobenhavn", "tlrsdag"], ["København", "tirsdag"]),
        (Language.ESTONIAN, ["paev", "opetaja", "tänsv"], ["päev", "õpetaja", "tänav"]),
        (Language.FINNISH, ["kirjastp", "paiva", "hyvaa"], ["kirjasto", "päivä", "hyvää"]),
        (Language.NORWEGIAN, ["butlkk", "skolw"], ["butikk", "skole"]),
        (Language.POLISH, ["ksiazka", "zolty", "rnleko"], ["książka", "żółty", "mleko"]),
        (Language.SERBIAN, ["hvla", "Beogrd", "хвла"], ["hvala", "Beograd", "хвала"]),
        (Language.SLOVAK, ["dakujem", "skola"], ["ďakujem", "škola"]),
        (
            Language.SLOVENE,
            ["zivljenje", "mestp", "Ljubljsna"],
            ["življenje", "mesto", "Ljubljana"],
        ),
        (Language.SWEDISH, ["karlek", "manniska", "sjalv"], ["kärlek", "människa", "själv"]),
    ],
)
def test_every_newly_covered_language_corrects_a_real_misreading(
    language: Language, read: list[str], meant: list[str]
) -> None:
    words, warnings = spell(page(*((w, LOW) for w in read)), language)
    assert (words, warnings) == (meant, ())


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (Language.POLISH, ["Dziękuję", "książka", "Warszawa"]),
        (Language.FINNISH, ["kirjastossa", "Helsinki"]),
        (Language.SERBIAN, ["хвала", "Београд", "hvala"]),
        (Language.CZECH, ["Praha", "děkuji"]),
    ],
)
def test_correct_words_and_names_stay_in_hunspell_and_voikko_languages(
    language: Language, words: list[str]
) -> None:
    assert spell(page(*((w, LOW) for w in words)), language) == (words, ())


def test_a_missing_dictionary_leaves_the_text_and_names_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the dictionary folder as on a server where hunspell-pl was never installed
    monkeypatch.setattr(hunspell, "SEARCH_PATH", ())
    dictionaries._hunspell.cache_clear()
    try:
        words, warnings = spell(page(("ksiazka", LOW)), Language.POLISH)
    finally:
        dictionaries._hunspell.cache_clear()
    assert words == ["ksiazka"]
    assert len(warnings) == 1 and "Polish" in warnings[0]
    assert "apt-get install hunspell-pl" in warnings[0]


def test_a_language_without_dictionary_warns_and_changes_nothing() -> None:
    words, warnings = spell(page(("Tne", LOW)), Language.LITHUANIAN)
    assert words == ["Tne"]
    assert warnings and "Lithuanian" in warnings[0]


def test_guesses_further_than_one_edit_are_refused_except_for_accents() -> None:
    assert is_close("dziekuje", "dziękuję")  # two accents lost: still one word misread
    assert is_close("Ceska", "Česká") and is_close("grsd", "grad") and is_close("hnud", "hund")
    assert is_close("sola", "osla")  # a swap of neighbours is one edit
    assert not is_close("grsd", "gards") and not is_close("mesto", "nestor")


def test_spell_check_off_changes_nothing() -> None:
    p = page(("Tne", LOW))
    assert postprocess.apply(p, RecognitionSettings()) == (p, ())


def test_every_language_the_spec_lists_has_a_dictionary_and_no_other() -> None:
    covered = set(dictionaries.FREQUENCY) | set(dictionaries.HUNSPELL) | set(dictionaries.VOIKKO)
    assert covered - {Language.NETHERLANDS} == SPELL_CHECK_LANGUAGES


def test_plain_words_are_correctable() -> None:
    assert is_correctable("word,") and is_correctable("Ünïcode") and not is_correctable("A4")
