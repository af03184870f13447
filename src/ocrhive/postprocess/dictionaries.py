"""Which dictionary spell-checks each language, and the per-process cache that loads each once."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Protocol

from ocrhive.domain.recognition import Language
from ocrhive.postprocess.frequency import FrequencyDictionary
from ocrhive.postprocess.hunspell import HunspellDictionary, find
from ocrhive.postprocess.missing import DictionaryMissing
from ocrhive.postprocess.voikko import VoikkoDictionary

__all__ = ["FREQUENCY", "HUNSPELL", "VOIKKO", "DictionaryMissing", "Speller", "speller"]


class Speller(Protocol):
    """What spell checking needs of a dictionary."""

    def known(self, word: str) -> bool:
        """Whether ``word`` (as read, any case) is a word of the language."""

    def suggest(self, word: str) -> tuple[str, ...]:
        """Known words close to ``word``, best first."""

    def rank(self, words: set[str]) -> list[str]:
        """Known ``words``, most likely first."""


#: pyspellchecker (frequency lists shipped in its wheel: nothing to install). Kept for these
#: languages because it ranks by word frequency, which Hunspell cannot.
FREQUENCY: dict[Language, str] = {
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

#: Language → (Hunspell dictionary, Debian package holding it). Serbian has two, one per script.
HUNSPELL: dict[Language, tuple[tuple[str, str], ...]] = {
    Language.CROATIAN: (("hr_HR", "hunspell-hr"),),
    Language.CZECH: (("cs_CZ", "hunspell-cs"),),
    Language.DANISH: (("da_DK", "hunspell-da"),),
    Language.ESTONIAN: (("et_EE", "myspell-et"),),
    # Bokmål: what ~90 % of Norwegians write; Nynorsk (nn_NO) words are not checked
    Language.NORWEGIAN: (("nb_NO", "hunspell-no"),),
    Language.POLISH: (("pl_PL", "hunspell-pl"),),
    # Tesseract's srp model reads Cyrillic, but Serbian is printed in both scripts
    Language.SERBIAN: (("sr_RS", "hunspell-sr"), ("sr_Latn_RS", "hunspell-sr")),
    Language.SLOVAK: (("sk_SK", "hunspell-sk"),),
    Language.SLOVENE: (("sl_SI", "hunspell-sl"),),
    Language.SWEDISH: (("sv_SE", "hunspell-sv"),),
}

#: Language → (Voikko language code, Debian package).
VOIKKO: dict[Language, tuple[str, str]] = {
    Language.FINNISH: ("fi", "voikko-fi"),
}


class ByScript:
    """Serbian: the Cyrillic dictionary for words in Cyrillic, the Latin one for the rest.

    Each is loaded on the first word in its script, so a Latin-only page never pays for the
    Cyrillic dictionary.
    """

    def __init__(self, cyrillic: Callable[[], Speller], latin: Callable[[], Speller]) -> None:
        self._cyrillic = cyrillic
        self._latin = latin

    def _for(self, word: str) -> Speller:
        cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in word)
        return self._cyrillic() if cyrillic else self._latin()

    def known(self, word: str) -> bool:
        return self._for(word).known(word)

    def suggest(self, word: str) -> tuple[str, ...]:
        return self._for(word).suggest(word)

    def rank(self, words: set[str]) -> list[str]:
        return sorted(words)


@cache  # one of each per process: the set of dictionaries is fixed and small
def _hunspell(name: str, package: str) -> HunspellDictionary:
    return HunspellDictionary(name, package)


@cache
def _frequency(code: str) -> FrequencyDictionary:
    return FrequencyDictionary(code)


@cache
def _voikko(code: str, package: str) -> VoikkoDictionary:
    return VoikkoDictionary(code, package)


def speller(language: Language) -> Speller | None:
    """The dictionary for ``language``, loaded on first use; None if the spec lists none.

    Raises:
        DictionaryMissing: its Debian package is not installed here (not cached: installing
            the package and restarting the worker is enough).
    """
    if language in FREQUENCY:
        return _frequency(FREQUENCY[language])
    if language in VOIKKO:
        return _voikko(*VOIKKO[language])
    sources = HUNSPELL.get(language)
    if sources is None:
        return None
    if len(sources) == 1:
        return _hunspell(*sources[0])
    (cyr_name, cyr_pkg), (lat_name, lat_pkg) = sources
    # load neither yet, but say now that a package is missing rather than halfway down a page
    for name, package in sources:
        if find(name) is None:
            raise DictionaryMissing(package)
    return ByScript(lambda: _hunspell(cyr_name, cyr_pkg), lambda: _hunspell(lat_name, lat_pkg))
