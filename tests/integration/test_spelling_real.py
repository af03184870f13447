"""makeSpellCheck through the real Debian dictionary files: each loads fast enough in a fresh
worker process, and a whole page of misread Polish costs little and is mostly restored.

The packages come from scripts/spellcheck-dictionaries.sh (run by `make test`); a missing one
fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import unicodedata

import pytest

from ocrhive.domain.recognition import Language
from ocrhive.postprocess import dictionaries, spelling
from tests.unit.test_spelling import page

pytestmark = pytest.mark.slow

#: A word each newly covered dictionary must know, with its letters beyond ASCII.
KNOWN = {
    Language.CROATIAN: "kuća",
    Language.CZECH: "děkuji",
    Language.DANISH: "København",
    Language.ESTONIAN: "õpetaja",
    Language.FINNISH: "päivä",
    Language.NORWEGIAN: "være",
    Language.POLISH: "książka",
    Language.SERBIAN: "хвала",
    Language.SLOVAK: "ďakujem",
    Language.SLOVENE: "življenje",
    Language.SWEDISH: "människa",
}

# a worker's first request in a language pays the load; over a few seconds it would be felt
# (spylls took 6-19 s for these same files, libhunspell 0.1-0.9 s when measured)
MAX_LOAD_SECONDS = 3.0

_LOAD = """
import json, sys, time
from ocrhive.domain.recognition import Language
from ocrhive.postprocess.dictionaries import speller
out = {}
for name, word in json.loads(sys.argv[1]).items():
    start = time.perf_counter()
    dictionary = speller(Language(name))
    dictionary.known(word)  # Serbian loads its script's dictionary on the first word
    out[name] = [time.perf_counter() - start, dictionary.known(word)]
print(json.dumps(out))
"""


def test_every_dictionary_loads_from_the_real_files_fast_and_knows_its_words() -> None:
    # a fresh interpreter: this process may have the dictionaries cached already
    words = {language.value: word for language, word in KNOWN.items()}
    run = subprocess.run(
        [sys.executable, "-c", _LOAD, json.dumps(words)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = json.loads(run.stdout)
    assert {name: ok for name, (_, ok) in loaded.items()} == dict.fromkeys(words, True)
    slow = {name: round(seconds, 2) for name, (seconds, _) in loaded.items()}
    assert max(slow.values()) < MAX_LOAD_SECONDS, slow


# written for this test; every word carries Polish letters or is plain, so losing the accents is
# the misreading OCR makes most on Polish pages
POLISH = """W małym mieście nad rzeką mieszkała stara nauczycielka, która każdego ranka chodziła
do biblioteki. Zawsze niosła ze sobą książkę, zeszyt i ciepłą herbatę w termosie. Dzieci z
sąsiedztwa lubiły jej opowieści o dalekich krajach, wysokich górach i głębokich jeziorach.
Wieczorem siadała przy oknie, czytała gazetę i pisała listy do przyjaciół za granicą. Jesienią
zbierała żółte liście w parku, a zimą karmiła ptaki chlebem i ziarnem. Mówiła, że każdy dzień
przynosi coś nowego, jeśli tylko patrzymy uważnie na świat wokół nas. Jej uczniowie pamiętali
lekcje historii, geografii i języka polskiego przez wiele lat."""


def _bare(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def test_a_page_of_unsure_polish_without_accents_is_mostly_restored_in_little_time() -> None:
    # ~300 words, every one below the confidence line: the worst case for one page
    meant = POLISH.split() * 3
    read = [_bare(w) for w in meant]
    dictionaries.speller(Language.POLISH)  # loaded once per worker: not part of a page's cost
    start = time.perf_counter()
    out, warnings = spelling.correct(page(*((w, 0.0) for w in read)), Language.POLISH)
    seconds = time.perf_counter() - start
    got = [w.text for w in out.words()]
    misread = [i for i, (r, m) in enumerate(zip(read, meant, strict=True)) if r != m]
    restored = [i for i in misread if got[i] == meant[i]]
    untouched_ok = [i for i, (r, m) in enumerate(zip(read, meant, strict=True)) if r == m]
    assert warnings == ()
    assert all(got[i] == meant[i] for i in untouched_ok)  # nothing right is made wrong
    # the rest are themselves words ("rzeka" for "rzeką", "ze" for "że"), which no
    # dictionary can tell from the meant ones
    assert len(restored) >= 0.7 * len(misread), [(read[i], got[i]) for i in misread]
    assert seconds < 10.0, f"{seconds:.1f} s for {len(meant)} words"
