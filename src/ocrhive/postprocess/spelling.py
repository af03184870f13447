"""Spell checking of low-confidence words: which words may change, and to what.

Which dictionary serves a language is `postprocess.dictionaries`' business; this module only
decides, the same way for every dictionary, whether and how a word is corrected.
"""

from __future__ import annotations

import re
import unicodedata

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import Language
from ocrhive.postprocess.dictionaries import DictionaryMissing, Speller, speller

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


def _without_marks(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one insertion, deletion, substitution or swap
    of two neighbours."""
    if abs(len(a) - len(b)) > 1:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    if len(a) == len(b):
        rest = start + 1
        return a[rest:] == b[rest:] or (
            a[start : start + 2] == b[start : start + 2][::-1] and a[start + 2 :] == b[start + 2 :]
        )
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[start + 1 :] == shorter[start:]


def is_close(read: str, guess: str) -> bool:
    """Whether ``guess`` may replace ``read``: one edit apart, not counting lost or misread
    accents (OCR drops diacritics often: Polish "dziekuje" for "dziękuję" is one word, not two
    errors). Anything further away is more likely a different word than a misreading."""
    read, guess = read.lower(), guess.lower()
    return _one_edit(read, guess) or _one_edit(_without_marks(read), _without_marks(guess))


def _confusion_fix(word: str, dictionary: Speller) -> str | None:
    """The likeliest known word one OCR confusion away from ``word`` (lower case), if any."""
    found = set()
    for wrong, right in CONFUSIONS:
        start = word.find(wrong)
        while start >= 0:
            found.add(word[:start] + right + word[start + len(wrong) :])
            start = word.find(wrong, start + 1)
    known = {w for w in found if dictionary.known(w)}
    return dictionary.rank(known)[0] if known else None


def _best_suggestion(core: str, dictionary: Speller) -> str | None:
    """The dictionary's first close suggestion for ``core``, one that only puts accents back
    first: Hunspell ranks "Eska" before "Česká" for "Ceska", but OCR drops accents far more
    often than it invents or loses whole letters."""
    close = [g for g in dictionary.suggest(core) if g.isalpha() and is_close(core, g)]
    bare = _without_marks(core.lower())
    accents_only = [g for g in close if _without_marks(g.lower()) == bare]
    best = accents_only or close
    return best[0] if best else None


def correct_word(text: str, dictionary: Speller) -> str:
    """``text`` with its letters replaced by the dictionary's best close guess, punctuation and
    case kept; ``text`` itself when it is known, not a plain word, or has no close candidate."""
    match = _TOKEN.match(text)
    if match is None or not is_correctable(text):
        return text
    before, core, after = match.groups()
    lower = core.lower()
    # as read first: Hunspell knows "Praha" but not "praha"
    if dictionary.known(core) or dictionary.known(lower):
        return text
    guess = _confusion_fix(lower, dictionary)
    if guess is None:
        guess = _best_suggestion(core, dictionary)
    if guess is None or guess.lower() == lower:
        return text
    return before + _same_case(core, guess) + after


def correct(page: Page, language: Language) -> tuple[Page, tuple[str, ...]]:
    """``page`` with its low-confidence words spell-checked in ``language``, and warnings."""
    try:
        dictionary = speller(language)
        if dictionary is None:
            return page, (
                f"Spell check is not available for {language.value} on this server; "
                "the text was left as recognised.",
            )
        change: dict[int, str] = {}
        for index, word in enumerate(page.words()):
            if word.confidence >= LOW_CONFIDENCE:
                continue
            fixed = correct_word(word.text, dictionary)
            if fixed != word.text:
                change[index] = fixed
    except DictionaryMissing as missing:
        return page, (
            f"Spell check for {language.value} needs the Debian package {missing.package} on "
            f"this server (apt-get install {missing.package}); the text was left as recognised.",
        )
    return page.map_words(change), ()
