"""Hunspell dictionaries from Debian's ``hunspell-*``/``myspell-*`` packages, through libhunspell.

libhunspell is called with ctypes rather than read with spylls (pure-Python Hunspell): spylls
took 6–19 s to load one of these dictionaries (Serbian 18.6 s, Slovene 16.0 s, Polish 13.1 s),
libhunspell 0.1–0.9 s; see docs/languages.md for the measurements.
"""

from __future__ import annotations

import ctypes
import threading
from functools import lru_cache
from pathlib import Path

from ocrhive.postprocess.missing import DictionaryMissing

#: The Debian package of the shared library (``apt-get install libhunspell-1.7-0``).
LIBRARY_PACKAGE = "libhunspell-1.7-0"
_LIBRARY = "libhunspell-1.7.so.0"

#: Where Debian puts the dictionaries; ``/usr/share/myspell`` held them before Debian 10.
SEARCH_PATH: tuple[Path, ...] = (Path("/usr/share/hunspell"), Path("/usr/share/myspell"))

_CharList = ctypes.POINTER(ctypes.c_char_p)


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(_LIBRARY)
    except OSError as exc:
        raise DictionaryMissing(LIBRARY_PACKAGE) from exc
    lib.Hunspell_create.restype = ctypes.c_void_p
    lib.Hunspell_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    lib.Hunspell_get_dic_encoding.restype = ctypes.c_char_p
    lib.Hunspell_get_dic_encoding.argtypes = [ctypes.c_void_p]
    lib.Hunspell_spell.restype = ctypes.c_int
    lib.Hunspell_spell.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.Hunspell_suggest.restype = ctypes.c_int
    lib.Hunspell_suggest.argtypes = [ctypes.c_void_p, ctypes.POINTER(_CharList), ctypes.c_char_p]
    lib.Hunspell_free_list.restype = None
    lib.Hunspell_free_list.argtypes = [ctypes.c_void_p, ctypes.POINTER(_CharList), ctypes.c_int]
    return lib


def find(name: str) -> tuple[Path, Path] | None:
    """The ``.aff`` and ``.dic`` files of dictionary ``name`` (e.g. ``pl_PL``), if installed."""
    for folder in SEARCH_PATH:
        aff, dic = folder / f"{name}.aff", folder / f"{name}.dic"
        if aff.is_file() and dic.is_file():
            return aff, dic
    return None


class HunspellDictionary:
    """One loaded Hunspell dictionary: which words it knows and what it suggests for others."""

    def __init__(self, name: str, package: str) -> None:
        """Load dictionary ``name``; raise `DictionaryMissing` naming ``package`` if absent."""
        files = find(name)
        if files is None:
            raise DictionaryMissing(package)
        self._lib = _library()
        aff, dic = files
        self._handle = self._lib.Hunspell_create(bytes(aff), bytes(dic))
        # several dictionaries (Polish, Slovene, Estonian, Norwegian) are in ISO 8859, not UTF-8
        self._encoding = self._lib.Hunspell_get_dic_encoding(self._handle).decode("ascii")
        # a Hunspell object keeps state between calls; a worker may call from several threads
        self._lock = threading.Lock()
        # an unsure word read once on a page is often read again on the next: suggest() costs
        # 1–200 ms, a cache hit nothing
        self.suggest = lru_cache(maxsize=4096)(self._suggest)

    def _encode(self, word: str) -> bytes | None:
        try:
            return word.encode(self._encoding)
        except UnicodeEncodeError:
            return None  # a letter this dictionary's charset cannot hold: no word of its own

    def known(self, word: str) -> bool:
        """Whether the dictionary accepts ``word`` (case rules are Hunspell's own)."""
        raw = self._encode(word)
        if raw is None:
            return False
        with self._lock:
            return bool(self._lib.Hunspell_spell(self._handle, raw))

    def _suggest(self, word: str) -> tuple[str, ...]:
        raw = self._encode(word)
        if raw is None:
            return ()
        found = _CharList()
        with self._lock:
            count = self._lib.Hunspell_suggest(self._handle, ctypes.byref(found), raw)
            try:
                return tuple(found[i].decode(self._encoding) for i in range(count))
            finally:
                self._lib.Hunspell_free_list(self._handle, ctypes.byref(found), count)

    def rank(self, words: set[str]) -> list[str]:
        """``words`` most likely first: Hunspell has no frequencies, so a fixed order."""
        return sorted(words)
