"""Finnish spell checking with Voikko (Debian ``voikko-fi`` + ``libvoikko1``), through ctypes.

Debian has no Hunspell dictionary for Finnish: its word forms are built by a morphology that
Hunspell's affix files cannot hold, so Debian ships Voikko's instead. It loads in under 1 ms
(the morphology is memory-mapped) and suggests in 1–20 ms.
"""

from __future__ import annotations

import ctypes
import threading
from functools import lru_cache

from ocrhive.postprocess.missing import DictionaryMissing

LIBRARY_PACKAGE = "libvoikko1"
_LIBRARY = "libvoikko.so.1"
_SPELL_OK = 1


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(_LIBRARY)
    except OSError as exc:
        raise DictionaryMissing(LIBRARY_PACKAGE) from exc
    lib.voikkoInit.restype = ctypes.c_void_p
    lib.voikkoInit.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_char_p, ctypes.c_char_p]
    lib.voikkoSpellCstr.restype = ctypes.c_int
    lib.voikkoSpellCstr.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.voikkoSuggestCstr.restype = ctypes.POINTER(ctypes.c_char_p)
    lib.voikkoSuggestCstr.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.voikkoFreeCstrArray.restype = None
    lib.voikkoFreeCstrArray.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    return lib


class VoikkoDictionary:
    """Voikko for one language: which words it knows and what it suggests for others."""

    def __init__(self, language: str, package: str) -> None:
        """Open Voikko for ``language`` (``"fi"``); `DictionaryMissing` names ``package``."""
        self._lib = _library()
        error = ctypes.c_char_p()
        # no path: Voikko searches its standard folders (/usr/lib/voikko, where Debian puts it)
        self._handle = self._lib.voikkoInit(ctypes.byref(error), language.encode(), None)
        if not self._handle:
            raise DictionaryMissing(package)
        # a Voikko handle is not safe to share between threads
        self._lock = threading.Lock()
        self.suggest = lru_cache(maxsize=4096)(self._suggest)

    def known(self, word: str) -> bool:
        """Whether Voikko accepts ``word``."""
        with self._lock:
            return bool(self._lib.voikkoSpellCstr(self._handle, word.encode()) == _SPELL_OK)

    def _suggest(self, word: str) -> tuple[str, ...]:
        with self._lock:
            found = self._lib.voikkoSuggestCstr(self._handle, word.encode())
            if not found:
                return ()
            try:
                out: list[str] = []
                while found[len(out)]:
                    out.append(found[len(out)].decode())
                return tuple(out)
            finally:
                self._lib.voikkoFreeCstrArray(found)

    def rank(self, words: set[str]) -> list[str]:
        """``words`` most likely first: Voikko has no frequencies, so a fixed order."""
        return sorted(words)
