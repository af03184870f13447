"""The invoice fields Aspose's RecognizeAndParseInvoice reports, and their JSON (spec §7.1).

Keys appear only when found: a missing string is left out rather than sent as "". The one
exception is ``vat``: once the invoice states an amount but no VAT rate can be read, it is
reported as ``-1``, the value §7.1 gives for "absent".
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, fields
from decimal import Decimal

#: §7.1's "absent" value for ``vat``
NO_VAT = Decimal(-1)


@dataclass(frozen=True, kw_only=True)
class InvoiceFields:
    """What was found on one invoice; None for what was not."""

    issue_date: datetime.date | None = None
    due_date: datetime.date | None = None
    supplier_name: str | None = None
    supplier_address: str | None = None
    supplier_email: str | None = None
    supplier_phone: str | None = None
    supplier_tax_id: str | None = None
    receiver_name: str | None = None
    receiver_address: str | None = None
    receiver_tax_id: str | None = None
    #: lower-case ISO 4217 code
    currency: str | None = None
    total_amount: Decimal | None = None
    #: percent; :data:`NO_VAT` when the invoice states amounts but no VAT
    vat: Decimal | None = None
    net_amount: Decimal | None = None
    bank_name: str | None = None
    bic: str | None = None
    account: str | None = None


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def as_dict(invoice: InvoiceFields) -> dict[str, str | int | float]:
    """The found fields in §7.1's order: dates as YYYY-MM-DD, amounts as numbers."""
    out: dict[str, str | int | float] = {}
    for field in fields(invoice):
        value = getattr(invoice, field.name)
        if value is None or value == "":
            continue
        if isinstance(value, datetime.date):
            out[field.name] = value.isoformat()
        elif isinstance(value, Decimal):
            out[field.name] = _number(value)
        else:
            out[field.name] = str(value)
    return out


def to_json(invoice: InvoiceFields) -> bytes:
    """The UTF-8 JSON object of the result's Text item (``json.dumps`` spacing, as Aspose's
    sample ``{"issue_date": "2017-11-27", ...``)."""
    return json.dumps(as_dict(invoice), ensure_ascii=False).encode("utf-8")
