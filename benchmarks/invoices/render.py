"""Invoice pages in five layouts, drawn with DejaVu and Liberation fonts at a given resolution,
each with the §7.1 fields it prints (the ground truth of the benchmark).

Layouts: ``classic`` (US two-column header, right-aligned totals), ``grid`` (UK, a bordered
header table whose values sit under their labels, bordered item and total tables, IBAN),
``modern`` (Canada, a logo box, supplier block at the top right, ISO dates), ``german`` and
``french`` (letterhead, recipient window, European numbers and dates, footer with IBAN/BIC).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from benchmarks.invoices.content import Invoice
from PIL import Image, ImageDraw, ImageFont

FONTS = {
    "dejavu": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "dejavu-serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "liberation": ("liberation/LiberationSans-Regular.ttf", "liberation/LiberationSans-Bold.ttf"),
    "liberation-serif": (
        "liberation/LiberationSerif-Regular.ttf",
        "liberation/LiberationSerif-Bold.ttf",
    ),
}
FONT_ROOT = Path("/usr/share/fonts/truetype")

MONTHS_DE = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
MONTHS_FR = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"

Truth = dict[str, str | float]


class Sheet:
    """An A4 page at ``dpi`` drawn in millimetres."""

    def __init__(self, dpi: int, family: str) -> None:
        self.dpi = dpi
        self.family = family
        self.image = Image.new("L", (self.px(210), self.px(297)), 255)
        self.draw = ImageDraw.Draw(self.image)
        self._fonts: dict[tuple[float, bool], ImageFont.FreeTypeFont] = {}

    def px(self, mm: float) -> int:
        return round(mm / 25.4 * self.dpi)

    def font(self, pt: float, bold: bool) -> ImageFont.FreeTypeFont:
        key = (pt, bold)
        if key not in self._fonts:
            path = FONT_ROOT / FONTS[self.family][1 if bold else 0]
            self._fonts[key] = ImageFont.truetype(str(path), round(pt / 72 * self.dpi))
        return self._fonts[key]

    def text(
        self, x: float, y: float, s: str, pt: float = 10, *, bold: bool = False, align: str = "l"
    ) -> None:
        """``s`` with its top at ``y`` mm; ``align`` l/r/c puts ``x`` at its left/right/middle."""
        anchor = {"l": "la", "r": "ra", "c": "ma"}[align]
        self.draw.text((self.px(x), self.px(y)), s, fill=0, font=self.font(pt, bold), anchor=anchor)

    def rule(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.3) -> None:
        self.draw.line(
            (self.px(x0), self.px(y0), self.px(x1), self.px(y1)),
            fill=0,
            width=max(1, self.px(width)),
        )

    def box(self, x0: float, y0: float, x1: float, y1: float, *, fill: int | None = None) -> None:
        self.draw.rectangle(
            (self.px(x0), self.px(y0), self.px(x1), self.px(y1)),
            outline=0,
            fill=fill,
            width=max(1, self.px(0.3)),
        )


def money(value: Decimal, country: str) -> str:
    """``value`` as the country prints amounts (symbol included)."""
    plain = f"{value:,.2f}"
    if country == "us":
        return "$" + plain
    if country == "uk":
        return "£" + plain
    if country == "ca":
        return plain + " CAD"
    if country == "de":
        return plain.replace(",", "_").replace(".", ",").replace("_", ".") + " €"
    return plain.replace(",", " ").replace(".", ",") + " €"


def number(value: Decimal, country: str) -> str:
    """An amount without currency, as the country prints it."""
    text = f"{value:,.2f}"
    if country == "de":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if country == "fr":
        return text.replace(",", " ").replace(".", ",")
    return text


def rate_text(rate: Decimal, country: str) -> str:
    text = f"{rate.normalize():f}"
    return text.replace(".", ",") if country in ("de", "fr") else text


def date_text(day: datetime.date, style: str) -> str:
    """``day`` in one of the printed styles the benchmark uses."""
    if style == "de-long":
        return f"{day.day}. {MONTHS_DE.split()[day.month - 1]} {day.year}"
    if style == "fr-long":
        return f"{day.day} {MONTHS_FR.split()[day.month - 1]} {day.year}"
    return day.strftime(style).replace(" 0", " ")


def base_truth(inv: Invoice) -> Truth:
    """The fields every layout prints (each layout adds what only it prints)."""
    s = inv.supplier
    truth: Truth = {
        "issue_date": inv.issue.isoformat(),
        "due_date": inv.due.isoformat(),
        "supplier_name": inv.supplier.name,
        "supplier_address": f"{inv.supplier.street}, {inv.supplier.city}",
        "receiver_name": inv.receiver.name,
        "receiver_address": f"{inv.receiver.street}, {inv.receiver.city}",
        "currency": inv.currency,
        "total_amount": float(inv.total),
        "net_amount": float(inv.net),
        "vat": float(inv.rate) if inv.rate is not None else -1.0,
        "supplier_email": s.email or "",
        "supplier_phone": s.phone or "",
        "supplier_tax_id": s.tax_id or "",
        "bank_name": inv.bank or "",
        "account": inv.account or "",
    }
    if inv.bic:
        truth["bic"] = inv.bic
    return truth


def items_table(
    sheet: Sheet, inv: Invoice, top: float, headers: tuple[str, str, str, str], *, grid: bool
) -> float:
    """The line items from ``top`` mm; returns the y below the table."""
    cols = (20, 118, 150, 190)
    row = 8.0
    if grid:
        sheet.box(18, top - 2, 192, top - 2 + row * (len(inv.items) + 1))
        for x in (112, 132, 162):
            sheet.rule(x, top - 2, x, top - 2 + row * (len(inv.items) + 1))
    else:
        sheet.rule(18, top + 6, 192, top + 6)
    sheet.text(cols[0], top, headers[0], 10, bold=True)
    sheet.text(cols[1] + (8 if grid else 0), top, headers[1], 10, bold=True, align="r")
    sheet.text(cols[2], top, headers[2], 10, bold=True, align="r")
    sheet.text(cols[3], top, headers[3], 10, bold=True, align="r")
    y = top + row
    for desc, qty, price in inv.items:
        if grid:
            sheet.rule(18, y - 2, 192, y - 2)
        sheet.text(cols[0], y, desc, 10)
        sheet.text(cols[1] + (8 if grid else 0), y, str(qty), 10, align="r")
        sheet.text(cols[2], y, number(price, inv.country), 10, align="r")
        sheet.text(cols[3], y, number(price * qty, inv.country), 10, align="r")
        y += row
    return y + 6


Layout = Callable[[Sheet, Invoice], Truth]
