"""One invoice's fields from its recognised text segments: labels, positions and checksums.

This is a heuristic parser. Each field is looked for after the labels that name it (on the same
segment, to its right on the same row, or under it), amounts are made consistent with each other,
and IBAN/BIC/VAT numbers are validated; nothing here was learned from data.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ocrhive.domain.document import Page
from ocrhive.invoices import banking, dates, lines, money, parties
from ocrhive.invoices.fields import NO_VAT, InvoiceFields
from ocrhive.invoices.labels import Label, Labelled, read_label
from ocrhive.invoices.lines import Segment, below, right_of

#: labels that say the document is German or French, where dates put the day first
_EUROPEAN = re.compile(
    r"\b(?:rechnung|datum|mwst|ust|netto|brutto|facture|tva|échéance|montant|total\s+ht)\b",
    re.IGNORECASE,
)


#: how far (line heights) under its label a value may be: a bordered header cell's padding
VALUE_GAP = 3.0


@dataclass(frozen=True, kw_only=True)
class _Row:
    """A labelled segment with the text that follows it on its row."""

    segment: Segment
    labelled: Labelled
    #: the label's own rest plus the unlabelled segment right of it on the same row
    row_text: str


def parse_page(page: Page) -> InvoiceFields:
    """The invoice fields found on one recognised page."""
    return parse(lines.from_page(page))


def parse_text(text: str) -> InvoiceFields:
    """The invoice fields found in plain text (columns set apart by three or more spaces)."""
    return parse(lines.from_text(text))


def parse(segments: tuple[Segment, ...]) -> InvoiceFields:
    """The invoice fields found among ``segments`` (in reading order)."""
    rows = _labelled_rows(segments)
    texts = [s.text for s in segments]
    separator = money.decimal_separator(texts)
    totals = _totals(rows, separator)
    currency = money.document_currency(
        [r.row_text for r in rows if r.labelled.label is Label.TOTAL], texts
    )
    issue, due = _dates(segments, rows, currency)
    receiver = _receiver(segments, rows)
    taken = frozenset(id(s) for s in receiver.segments) if receiver else frozenset()
    supplier = _supplier(segments, rows, taken)
    supplier_ids = frozenset(id(s) for s in supplier.segments) if supplier else frozenset()
    supplier_tax, receiver_tax = _tax_ids(segments, rows, taken)
    iban, bic, bank = _banking(segments, rows)
    account = iban or _value(rows, Label.ACCOUNT, banking.account_number)
    vat = totals.vat_rate
    if vat is None and (totals.total is not None or totals.net is not None):
        vat = NO_VAT
    return InvoiceFields(
        issue_date=issue,
        due_date=due,
        supplier_name=supplier.name if supplier else None,
        supplier_address=supplier.address if supplier else None,
        supplier_email=_email(segments, supplier_ids, taken),
        supplier_phone=_phone(segments, rows, supplier_ids, taken),
        supplier_tax_id=supplier_tax,
        receiver_name=receiver.name if receiver else None,
        receiver_address=receiver.address if receiver else None,
        receiver_tax_id=receiver_tax,
        currency=currency,
        total_amount=totals.total,
        vat=vat,
        net_amount=totals.net,
        bank_name=bank,
        bic=bic,
        account=account,
    )


def _labelled_rows(segments: tuple[Segment, ...]) -> list[_Row]:
    rows = []
    for seg in segments:
        labelled = read_label(seg.text)
        if labelled is None:
            continue
        after = [labelled.rest]
        # the value of a tab-stopped label is the nearest segment to its right, unless that is
        # the next label (a two-column header puts one field's label beside another's value)
        neighbours = right_of(seg, segments)
        if neighbours and read_label(neighbours[0].text) is None:
            after.append(neighbours[0].text)
        rows.append(_Row(segment=seg, labelled=labelled, row_text=" ".join(after).strip()))
    return rows


def _values(rows: list[_Row], label: Label, segments: tuple[Segment, ...]) -> list[str]:
    """What follows each ``label``: on its row, else on the unlabelled line under it."""
    found = []
    for row in rows:
        if row.labelled.label is not label:
            continue
        if row.row_text:
            found.append(row.row_text)
            continue
        # a header table prints values under their labels, a cell's padding apart
        under = below(row.segment, segments, limit=1, gap=VALUE_GAP)
        if under and read_label(under[0].text) is None:
            found.append(under[0].text)
    return found


def _value(rows: list[_Row], label: Label, read: Callable[[str], str | None]) -> str | None:
    for row in rows:
        if row.labelled.label is label and row.row_text:
            value = read(row.row_text)
            if value:
                return value
    return None


def _dates(
    segments: tuple[Segment, ...], rows: list[_Row], currency: str | None
) -> tuple[datetime.date | None, datetime.date | None]:
    printed = [p for s in segments for p in dates.printed_dates(s.text)]
    european = any(_EUROPEAN.search(s.text) for s in segments)
    dayfirst = dates.day_first(printed, month_first_hint=currency == "usd" and not european)

    def first_date(texts: list[str]) -> datetime.date | None:
        for text in texts:
            for p in dates.printed_dates(text):
                value = dates.read_date(p, dayfirst=dayfirst)
                if value is not None:
                    return value
        return None

    issue = first_date(_values(rows, Label.ISSUE_DATE, segments))
    due = first_date(_values(rows, Label.DUE_DATE, segments))
    if issue is None:
        # an unlabelled date: the first on the page that is not the due date
        every = [d for p in printed if (d := dates.read_date(p, dayfirst=dayfirst)) is not None]
        issue = next((d for d in every if d != due), None)
    return issue, due


def _totals(rows: list[_Row], separator: str | None) -> money.Totals:
    totals: list[Decimal] = []
    nets: list[Decimal] = []
    vats: list[Decimal] = []
    rates: list[Decimal] = []
    for row in rows:
        label = row.labelled.label
        if label not in (Label.TOTAL, Label.NET, Label.VAT):
            continue
        found = money.amounts(row.row_text, separator)
        if label is Label.VAT:
            rate = money.percent(row.segment.text + " " + row.row_text)
            if rate is not None:
                rates.append(rate)
            if found:
                vats.append(found[-1])
        elif found:
            (totals if label is Label.TOTAL else nets).append(found[-1])
    return money.reconcile(totals, nets, vats, rates)


def _receiver(segments: tuple[Segment, ...], rows: list[_Row]) -> parties.Party | None:
    for row in rows:
        if row.labelled.label is Label.RECEIVER:
            party = parties.block(row.segment, row.labelled.rest, segments, include_head=False)
            if party.name:
                return party
    return None


def _supplier(
    segments: tuple[Segment, ...], rows: list[_Row], taken: frozenset[int]
) -> parties.Party | None:
    for row in rows:
        if row.labelled.label is Label.SUPPLIER and id(row.segment) not in taken:
            party = parties.block(row.segment, row.labelled.rest, segments, include_head=False)
            if party.name:
                return party
    bottom = max((s.box.bottom for s in segments), default=0)
    head = parties.letterhead(segments, taken, bottom)
    if head is None:
        return None
    return parties.block(head, "", segments, include_head=True)


def _tax_ids(
    segments: tuple[Segment, ...], rows: list[_Row], receiver: frozenset[int]
) -> tuple[str | None, str | None]:
    supplier_id = receiver_id = None
    for row in rows:
        if row.labelled.label is not Label.TAX_ID:
            continue
        value = parties.tax_id(row.row_text)
        if value is None:
            continue
        if id(row.segment) in receiver:
            receiver_id = receiver_id or value
        else:
            supplier_id = supplier_id or value
    if supplier_id is None:
        # a VAT number printed without a label (or after "VAT:"): valid ones only
        for seg in segments:
            if id(seg) in receiver:
                continue
            numbers = parties.vat_numbers(seg.text)
            if numbers and numbers[0] != receiver_id:
                supplier_id = numbers[0]
                break
    return supplier_id, receiver_id


def _email(
    segments: tuple[Segment, ...], supplier: frozenset[int], receiver: frozenset[int]
) -> str | None:
    def first(chosen: list[Segment]) -> str | None:
        return next((e for s in chosen if (e := parties.email_in(s.text))), None)

    return first([s for s in segments if id(s) in supplier]) or first(
        [s for s in segments if id(s) not in receiver]
    )


def _phone(
    segments: tuple[Segment, ...],
    rows: list[_Row],
    supplier: frozenset[int],
    receiver: frozenset[int],
) -> str | None:
    for row in rows:
        if row.labelled.label is Label.PHONE and id(row.segment) not in receiver:
            match = parties.PHONE.search(row.row_text)
            if match:
                return match.group().strip()
    for seg in segments:
        if id(seg) in supplier:
            match = parties.PHONE.fullmatch(seg.text.strip())
            if match and sum(c.isdigit() for c in seg.text) >= 7:
                return match.group()
    return None


def _banking(
    segments: tuple[Segment, ...], rows: list[_Row]
) -> tuple[str | None, str | None, str | None]:
    labelled = [r.row_text for r in rows if r.labelled.label is Label.IBAN]
    candidates = [
        c for t in labelled + [s.text for s in segments] for c in banking.iban_candidates(t)
    ]
    valid = [number for number, ok in candidates if ok]
    # an IBAN failing its checksum is still reported when a label says it is one
    printed = [number for t in labelled for number, _ in banking.iban_candidates(t)]
    iban = valid[0] if valid else (printed[0] if printed else None)
    bic = None
    for text in [r.row_text for r in rows if r.labelled.label is Label.BIC]:
        found = banking.bic_candidates(text)
        if found:
            bic = found[0]
            break
    bank = None
    for text in _values(rows, Label.BANK, segments):
        name = re.split(r"\s*(?:[,|·•]|\bIBAN\b|\bBIC\b|\bSWIFT\b)\s*", text)[0].strip()
        if sum(c.isalpha() for c in name) >= 3:
            bank = name
            break
    return iban, bic, bank
