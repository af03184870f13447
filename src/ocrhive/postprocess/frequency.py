"""pyspellchecker's word-frequency dictionaries (inside its wheel) behind the speller verbs."""

from __future__ import annotations

from spellchecker import SpellChecker


class FrequencyDictionary:
    """A pyspellchecker dictionary; it holds lower-case words only, so words are lowered."""

    def __init__(self, code: str) -> None:
        """Load pyspellchecker's dictionary ``code`` (``"en"``, ``"de"``, ...)."""
        # distance 1: OCR misreads are mostly one character; distance 2 "corrects" rare names too
        self._checker = SpellChecker(language=code, distance=1)

    def known(self, word: str) -> bool:
        """Whether ``word`` is in the dictionary, whatever its case."""
        return word.lower() in self._checker

    def suggest(self, word: str) -> tuple[str, ...]:
        """The most frequent known word one edit away, if any."""
        guess = self._checker.correction(word.lower())
        return (guess,) if guess else ()

    def rank(self, words: set[str]) -> list[str]:
        """``words`` most frequent first."""
        return sorted(words, key=lambda w: (-self._checker.word_usage_frequency(w), w))
