"""Amounts, currency and VAT: printed numbers read with price-parser, then made consistent.

An invoice prints its totals several times (subtotal, VAT, total, amount due) and OCR may
misread one digit of any of them; the reading kept is the one where net + VAT = total.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from price_parser import Price

#: a printed amount: grouped thousands (1,234.56 / 1.234,56 / 1 234,56 / 1'234.56) or plain
_AMOUNT = re.compile(
    r"(?<![\w.,/])-?(?:\d{1,3}(?:[.,'’\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?"
    r"|\d{1,3}(?: \d{3})+[.,]\d{2}|\d+(?:[.,]\d{1,2})?)(?!\w|[.,/]\d|\s*%)"
)
_PERCENT = re.compile(r"(\d{1,2}(?:[.,]\d{1,2})?)\s*%")
_DECIMAL_COMMA = re.compile(r"\d,\d{2}(?!\d|[.,]\d)")
_DECIMAL_POINT = re.compile(r"\d\.\d{2}(?!\d|[.,]\d)")

#: ISO codes printed as such, and the symbols price-parser reports, as lower-case ISO codes
_CODES = re.compile(
    r"\b(USD|EUR|GBP|CHF|CAD|AUD|NZD|JPY|SEK|NOK|DKK|PLN|CZK|HUF|INR|CNY|ZAR|SGD|HKD|MXN|BRL)\b"
)
_SYMBOLS = {
    "€": "eur",
    "£": "gbp",
    "¥": "jpy",
    "₹": "inr",
    "zł": "pln",
    "kč": "czk",
    "fr.": "chf",
    "c$": "cad",
    "ca$": "cad",
    "a$": "aud",
    "au$": "aud",
    "nz$": "nzd",
    "us$": "usd",
    "$": "usd",
}


def decimal_separator(texts: Iterable[str]) -> str | None:
    """The document's decimal mark, from amounts with two decimals (None if undecided)."""
    comma = point = 0
    for text in texts:
        comma += len(_DECIMAL_COMMA.findall(text))
        point += len(_DECIMAL_POINT.findall(text))
    if comma == point:
        return None
    return "," if comma > point else "."


def amounts(text: str, separator: str | None) -> list[Decimal]:
    """Every amount printed in ``text``, left to right (percentages and dates left out)."""
    found: list[Decimal] = []
    for match in _AMOUNT.finditer(text):
        token = match.group()
        value = Price.fromstring(token, decimal_separator=separator).amount
        if value is not None:
            found.append(-value if token.startswith("-") else value)
    return found


def percent(text: str) -> Decimal | None:
    """The first percentage printed in ``text``."""
    match = _PERCENT.search(text)
    if match is None:
        return None
    try:
        return Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        return None


def currency_of(text: str) -> str | None:
    """The currency ``text`` names, as a lower-case ISO code."""
    code = _CODES.search(text)
    if code:
        return code.group(1).lower()
    symbol = Price.fromstring(text).currency
    if symbol is None:
        return None
    symbol = symbol.strip().lower()
    if re.fullmatch(r"[a-z]{3}", symbol):
        return symbol
    return _SYMBOLS.get(symbol)


def document_currency(preferred: Iterable[str], others: Iterable[str]) -> str | None:
    """The currency of the totals' lines, else the one most lines name.

    A bare "$" is the US dollar unless the page names another dollar (CAD, AUD…) anywhere.
    """
    counts = Counter(c for c in map(currency_of, others) if c)
    named = [c for c in map(currency_of, preferred) if c]
    choice = named[0] if named else (counts.most_common(1)[0][0] if counts else None)
    if choice == "usd":
        dollars = [c for c in counts if c in ("cad", "aud", "nzd", "sgd", "hkd", "mxn")]
        if dollars:
            return dollars[0]
    return choice


@dataclass(frozen=True, kw_only=True)
class Totals:
    """The amounts an invoice states; None where it states nothing we could read."""

    total: Decimal | None = None
    net: Decimal | None = None
    vat_amount: Decimal | None = None
    #: percent; None when no VAT line was found
    vat_rate: Decimal | None = None


#: what a printed amount may differ from its sum by (rounding of per-line VAT)
TOLERANCE = Decimal("0.02")
_CENT = Decimal("0.01")


def reconcile(
    totals: list[Decimal], nets: list[Decimal], vats: list[Decimal], rates: list[Decimal]
) -> Totals:
    """One consistent reading of the candidate amounts (each list top to bottom of the page).

    The total is the labelled amount equal to some net + the VAT amounts; failing that the
    largest labelled total (grand total and amount due are at least any partial total).
    """
    vat_sum = sum(vats, Decimal(0)) if vats else None
    total = net = None
    if vat_sum is not None:
        pairs = [(t, n) for t in totals for n in nets if abs(n + vat_sum - t) <= TOLERANCE]
        if pairs:
            total, net = pairs[-1]
    if total is None and totals:
        total = max(totals)
    if net is None and nets:
        net = next((n for n in reversed(nets) if total is None or n <= total), nets[-1])
    rate = rates[0] if rates else None
    if total is None and net is not None and vat_sum is not None:
        total = net + vat_sum
    if net is None and total is not None:
        if vat_sum is not None:
            net = total - vat_sum
        elif rate is not None:
            net = (total * 100 / (100 + rate)).quantize(_CENT)
    if vat_sum is None and total is not None and net and total > net:
        # no VAT line could be read, yet the totals differ: the difference is the VAT
        vat_sum = total - net
    if rate is None and vat_sum is not None and net:
        rate = (vat_sum * 100 / net).quantize(Decimal("0.1"))
        if abs(rate - rate.to_integral_value()) <= Decimal("0.1"):
            rate = rate.to_integral_value()
    return Totals(total=total, net=net, vat_amount=vat_sum, vat_rate=rate)
