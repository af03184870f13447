"""Who issued the invoice and who receives it: name and address blocks, contacts, tax ids.

The receiver's block follows a "Bill to"-style label. The supplier's follows a "From" label when
there is one; otherwise it is the letterhead: the largest print near the top of the page that is
not the document's title, with the lines under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import vatin

from ocrhive.invoices.labels import TITLES, Label, read_label
from ocrhive.invoices.lines import Segment, below

#: an address with a stray bracket OCR put before the @ ("invoices(@…")
_BROKEN_EMAIL = re.compile(r"([\w.+-]+)[(\[{|]?@([\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,})")
PHONE = re.compile(r"\+?\(?\d[\d ()./-]{6,}\d")
WEB = re.compile(r"\b(?:www\.|https?://)\S+|\b\S+\.(?:com|org|net|de|fr|co\.uk|io)\b")
_VAT_NUMBER = re.compile(r"\b[A-Z]{2}[ ]?[0-9A-Z][0-9A-Z .]{6,14}[0-9A-Z]\b")


@dataclass(frozen=True, kw_only=True)
class Party:
    """A name and address block, with the segments it was read from."""

    name: str | None
    address: str | None
    segments: tuple[Segment, ...]


def email_in(text: str) -> str | None:
    """The e-mail address in ``text``, a stray bracket before its @ dropped."""
    match = _BROKEN_EMAIL.search(text)
    return f"{match.group(1)}@{match.group(2)}" if match else None


def is_contact(text: str) -> bool:
    """Whether ``text`` is an e-mail, web or phone line rather than part of an address."""
    labelled = read_label(text)
    if labelled is not None and labelled.label in (Label.EMAIL, Label.PHONE, Label.OTHER):
        return True
    if email_in(text) or WEB.search(text):
        return True
    digits = sum(c.isdigit() for c in text)
    return bool(PHONE.fullmatch(text.strip())) and digits >= 7


def block(head: Segment, rest: str, segments: tuple[Segment, ...], *, include_head: bool) -> Party:
    """The name and address read from ``head`` (a label or the name itself) and the lines
    under it, up to the first labelled line, date or blank gap."""
    lines: list[str] = []
    used: list[Segment] = [head]
    if include_head:
        lines.append(head.text)
    elif rest:
        lines.append(rest)
    for seg in below(head, segments):
        labelled = read_label(seg.text)
        if labelled is not None and labelled.label not in (Label.EMAIL, Label.PHONE, Label.TAX_ID):
            break
        used.append(seg)
        if labelled is None and not is_contact(seg.text) and not TITLES.match(seg.text):
            lines.append(seg.text.strip(" ,"))
    name = lines[0] if lines else None
    address = ", ".join(lines[1:]) or None
    return Party(name=name, address=address, segments=tuple(used))


def letterhead(
    segments: tuple[Segment, ...], taken: frozenset[int], page_bottom: int
) -> Segment | None:
    """The supplier's name when no label names it: the tallest line in the top part of the
    page that is no label, title, contact, number or date, outside the blocks ``taken``."""
    top_part = page_bottom * 0.4
    candidates = [
        s
        for s in segments
        if s.box.top <= top_part
        and id(s) not in taken
        and sum(c.isalpha() for c in s.text) >= 3
        and read_label(s.text) is None
        and not TITLES.match(s.text)
        and not is_contact(s.text)
        and not re.search(r"\d{3,}", s.text)
    ]
    if not candidates:
        return None
    # the letterhead is printed larger; among equals the top-most (then left-most) wins
    return min(candidates, key=lambda s: (-round(s.box.height / 4), s.box.top, s.box.left))


def vat_numbers(text: str) -> list[str]:
    """Country-prefixed VAT numbers in ``text`` that python-stdnum validates (compact)."""
    found = []
    for match in _VAT_NUMBER.finditer(text.upper()):
        number = re.sub(r"[ .]", "", match.group())
        for end in range(len(number), 7, -1):
            if vatin.is_valid(number[:end]):
                found.append(number[:end])
                break
    return found


def tax_id(value: str) -> str | None:
    """A labelled tax id: the validated VAT number in it, else the id as printed."""
    valid = vat_numbers(value)
    if valid:
        return valid[0]
    match = re.search(r"[A-Z0-9][A-Z0-9 ./-]{4,}[A-Z0-9]", value, re.IGNORECASE)
    if match is None or not re.search(r"\d", match.group()):
        return None
    return match.group()
