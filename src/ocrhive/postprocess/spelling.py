"""Spell checking of low-confidence words with pyspellchecker's bundled frequency dictionaries."""

from __future__ import annotations

import re
from functools import lru_cache

from spellchecker import SpellChecker

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import Language

#: Language → pyspellchecker dictionary (shipped inside the wheel: nothing downloads).
DICTIONARIES: dict[Language, str] = {
    Language.ENGLISH: "en",
    Language.HWT_ENG: "en",
    Language.GERMAN: "de",
    Language.FRENCH: "fr",
    Language.ITALIAN: "it",
    Language.SPANISH: "es",
    Language.PORTUGUESE: "pt",
    Language.DUTCH: "nl",
    Language.NETHERLANDS: "nl",
    Language.LATVIAN: "lv",
}

#: Words the engine was at least this sure of (0-100) are never changed. Tesseract scored every
#: word of clean pages 88-97; misread words mostly score well under 60.
LOW_CONFIDENCE = 60.0

#: Shorter words have too many neighbours one edit away to correct safely.
MIN_LENGTH = 3

#: All-capital tokens up to this length are abbreviations and codes (VAT, EUR, SDN), not words.
MAX_ABBREVIATION = 5

#: Letter groups OCR engines confuse with each other: tried before ordinary edits because one
#: such confusion ("rn" read for "m") is two edits apart.
CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("rn", "m"),
    ("m", "rn"),
    ("cl", "d"),
    ("vv", "w"),
    ("li", "h"),
    ("ii", "u"),
)

# leading punctuation, a run of letters, trailing punctuation; anything else is left alone
_TOKEN = re.compile(r"^(\W*)([^\W\d_]+)(\W*)$")


@lru_cache(maxsize=4)
def _checker(code: str) -> SpellChecker:
    # distance 1: OCR misreads are mostly one character; distance 2 "corrects" rare names too
    return SpellChecker(language=code, distance=1)


def is_correctable(text: str) -> bool:
    """Whether ``text`` looks like a plain word (not a number, code, e-mail, URL, abbreviation)."""
    match = _TOKEN.match(text)
    if match is None:
        return False
    core = match.group(2)
    if len(core) < MIN_LENGTH:
        return False
    return not (core.isupper() and len(core) <= MAX_ABBREVIATION)


def _same_case(template: str, word: str) -> str:
    if template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _confusion_fix(word: str, checker: SpellChecker) -> str | None:
    """The most frequent known word one OCR confusion away from ``word``, if any."""
    found = set()
    for wrong, right in CONFUSIONS:
        start = word.find(wrong)
        while start >= 0:
            found.add(word[:start] + right + word[start + len(wrong) :])
            start = word.find(wrong, start + 1)
    known = [w for w in found if w in checker]
    return max(known, key=lambda w: (checker.word_usage_frequency(w), w)) if known else None


def correct_word(text: str, checker: SpellChecker) -> str:
    """``text`` with its letters replaced by the dictionary's best guess, punctuation and case
    kept; ``text`` itself when it is known, not a plain word, or has no close candidate."""
    match = _TOKEN.match(text)
    if match is None or not is_correctable(text):
        return text
    before, core, after = match.groups()
    lower = core.lower()
    if lower in checker:
        return text
    guess = _confusion_fix(lower, checker) or checker.correction(lower)
    if not guess or guess == lower or not guess.isalpha():
        return text
    return before + _same_case(core, guess) + after


def correct(page: Page, language: Language) -> tuple[Page, tuple[str, ...]]:
    """``page`` with its low-confidence words spell-checked in ``language``, and warnings."""
    code = DICTIONARIES.get(language)
    if code is None:
        return page, (
            f"Spell check is not available for {language.value} on this server; "
            "the text was left as recognised.",
        )
    checker = _checker(code)
    change: dict[int, str] = {}
    for index, word in enumerate(page.words()):
        if word.confidence >= LOW_CONFIDENCE:
            continue
        fixed = correct_word(word.text, checker)
        if fixed != word.text:
            change[index] = fixed
    return page.map_words(change), ()
