"""Dates as invoices print them, read with python-dateutil once their day/month order is known.

"03/04/2024" is 3 April in most of the world and March 4 in the United States; the order is
decided once per document (:func:`day_first`) from its other dates, then applied to all.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil import parser as dateutil_parser

#: month names by number: English (dateutil's own), German and French, with and without accents
_NAMES: tuple[tuple[str, ...], ...] = (
    ("Jan", "January", "Januar", "Jän", "Janvier", "Janv"),
    ("Feb", "February", "Februar", "Février", "Fevrier", "Févr", "Fevr"),
    ("Mar", "March", "März", "Maerz", "Marz", "Mär", "Mars"),
    ("Apr", "April", "Avril", "Avr"),
    ("May", "Mai"),
    ("Jun", "June", "Juni", "Juin"),
    ("Jul", "July", "Juli", "Juillet", "Juil"),
    ("Aug", "August", "Août", "Aout"),
    ("Sep", "Sept", "September", "Septembre"),
    ("Oct", "October", "Okt", "Oktober", "Octobre"),
    ("Nov", "November", "Novembre"),
    ("Dec", "December", "Dez", "Dezember", "Décembre", "Decembre", "Déc"),
)
_NUMBER = {name.lower(): number for number, names in enumerate(_NAMES, 1) for name in names}


class _Months(dateutil_parser.parserinfo):
    """dateutil's reading of words, with the German and French month names added."""

    def month(self, name: str) -> int | None:
        return month_number(name)


#: How alike (difflib ratio) a misread month name must be to a real one ("aotit" is août at
#: 0.67), and by how much more than to any other month: "Juni" and "Juli" are 0.75 alike.
FUZZY_MONTH = 0.65
FUZZY_MARGIN = 0.1


def month_number(word: str) -> int | None:
    """The month ``word`` names, also when OCR misread a letter or two of a long name."""
    word = word.lower().rstrip(".")
    if word in _NUMBER:
        return _NUMBER[word]
    if len(word) < 4:
        return None
    best: dict[int, float] = {number: 0.0 for number in range(1, 13)}
    for name, number in _NUMBER.items():
        # a first letter is rarely misread; requiring it keeps "units" from being Juni
        ratio = difflib.SequenceMatcher(None, word, name).ratio() if name[0] == word[0] else 0.0
        best[number] = max(best[number], ratio)
    ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
    (number, ratio), (_, runner_up) = ranked[0], ranked[1]
    return number if ratio >= FUZZY_MONTH and ratio - runner_up >= FUZZY_MARGIN else None


#: a word where a month name may stand; :func:`month_number` decides whether it is one
_MONTH = r"(?P<m>[^\W\d_]{3,10})\.?"
_YEAR = r"(?:19|20)\d{2}"

#: every printed shape we read; numeric ones keep their parts for the order decision
_SHAPES = (
    re.compile(rf"\b(?P<y>{_YEAR})[-./](?P<a>\d{{1,2}})[-./](?P<b>\d{{1,2}})\b"),
    re.compile(
        rf"\b(?P<a>\d{{1,2}})(?P<sep>[-./])\s?(?P<b>\d{{1,2}})(?P=sep)\s?(?P<y>{_YEAR}|\d{{2}})\b"
    ),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th|er)?\.?\s*{_MONTH}\s*,?\s*{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s*\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s*{_YEAR}\b", re.IGNORECASE),
)


@dataclass(frozen=True, kw_only=True)
class Printed:
    """A date as printed, before its order is known."""

    text: str
    start: int
    #: for all-numeric non-ISO dates, the first two numbers (day/month in some order)
    parts: tuple[int, int] | None = None
    separator: str = ""
    #: year first (2024-03-05): always year, month, day
    iso: bool = False


def printed_dates(text: str) -> list[Printed]:
    """Every date-shaped run of ``text``, left to right, none overlapping."""
    found: list[Printed] = []
    taken: list[range] = []
    for index, shape in enumerate(_SHAPES):
        for match in shape.finditer(text):
            span = range(match.start(), match.end())
            if index >= 2 and month_number(match["m"]) is None:
                continue
            if any(span.start < t.stop and t.start < span.stop for t in taken):
                continue
            taken.append(span)
            numeric = index == 1
            found.append(
                Printed(
                    text=match.group(),
                    start=match.start(),
                    parts=(int(match["a"]), int(match["b"])) if numeric else None,
                    separator=match["sep"] if numeric else "",
                    iso=index == 0,
                )
            )
    return sorted(found, key=lambda p: p.start)


def day_first(dates: Iterable[Printed], *, month_first_hint: bool) -> bool:
    """Whether the document's numeric dates put the day first.

    A number above 12 settles it; otherwise dotted dates are European (day first), and
    slashed ones follow ``month_first_hint`` (a US-dollar invoice in English).
    """
    numeric = [d for d in dates if d.parts is not None]
    if any(d.parts[0] > 12 for d in numeric if d.parts):
        return True
    if any(d.parts[1] > 12 for d in numeric if d.parts):
        return False
    if any(d.separator == "." for d in numeric):
        return True
    return not month_first_hint


_INFO_DAY_FIRST = _Months(dayfirst=True)
_INFO_MONTH_FIRST = _Months(dayfirst=False)


def read_date(printed: Printed, *, dayfirst: bool) -> datetime.date | None:
    """The calendar date ``printed`` stands for (None if it is no real date)."""
    text = re.sub(r"(\d)(st|nd|rd|th|er)\b", r"\1", printed.text)
    text = text.replace(". ", " ").replace(".", " ") if printed.parts is None else text
    info = _INFO_DAY_FIRST if dayfirst and not printed.iso else _INFO_MONTH_FIRST
    try:
        parsed: datetime.datetime = dateutil_parser.parse(text, parserinfo=info)
        return parsed.date()
    except (ValueError, OverflowError):
        return None
