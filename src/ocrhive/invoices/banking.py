"""Bank details: IBANs and BICs validated with python-stdnum, OCR confusions undone first.

An IBAN carries a checksum, so a candidate that fails it is tried again with the letters OCR
puts for digits (O→0, I→1, S→5…) in the places only digits may stand; a valid reading always
wins over an invalid one.
"""

from __future__ import annotations

import itertools
import re

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

_IBAN = re.compile(r"\b[A-Z]{2}\s?[\dOIlS]{2}\s?(?:[A-Z0-9]{1,4}\s?){3,8}", re.IGNORECASE)
_BIC = re.compile(r"\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b")
_AS_DIGIT = str.maketrans(
    {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2", "G": "6"}
)
_THIN = str.maketrans({")": "J", "|": "I"})
_AS_LETTER = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"})


def iban_candidates(text: str) -> list[tuple[str, bool]]:
    """Every IBAN-shaped run of ``text`` as (compact IBAN, checksum valid), valid ones first."""
    found: list[tuple[str, bool]] = []
    for match in _IBAN.finditer(text):
        raw = stdnum_iban.compact(match.group()).upper()
        best = _valid_iban(raw)
        found.append((best, True) if best else (raw, False))
    return sorted(found, key=lambda f: not f[1])


def _valid_iban(raw: str) -> str | None:
    """``raw`` or its shortest valid prefix (text may run on after it), confusions undone."""
    for end in range(len(raw), 14, -1):
        candidate = raw[:end]
        if stdnum_iban.is_valid(candidate):
            return candidate
        # the check digits are digits; the country's account format decides the rest, so try
        # the digit reading of the whole body before giving up on this length
        fixed = candidate[:2] + candidate[2:4].translate(_AS_DIGIT) + candidate[4:]
        for variant in (fixed, fixed[:4] + fixed[4:].translate(_AS_DIGIT)):
            if stdnum_iban.is_valid(variant):
                return variant
    return None


def bic_candidates(text: str) -> list[str]:
    """BIC-shaped words of ``text`` that python-stdnum accepts (letters OCR read as digits in
    the bank and country code put back)."""
    found: list[str] = []
    # ")" and "|" are how OCR reads a J and an I it found too thin
    for word in re.findall(r"[A-Za-z0-9)|]{8,11}", text.translate(_THIN)):
        word = word.upper()
        if len(word) not in (8, 11):
            continue
        for variant in itertools.chain((word,), (word[:6].translate(_AS_LETTER) + word[6:],)):
            if _BIC.fullmatch(variant) and stdnum_bic.is_valid(variant):
                found.append(variant)
                break
    return found


def account_number(text: str) -> str | None:
    """A printed account number (digits with spaces or dashes), as printed."""
    match = re.search(r"\d[\d -]{4,}\d", text)
    return match.group().strip() if match else None
