"""The five invoice layouts: each draws one invoice on a sheet and returns what it printed."""

from __future__ import annotations

import random

from benchmarks.invoices.content import Invoice
from benchmarks.invoices.render import (
    Layout,
    Sheet,
    Truth,
    base_truth,
    date_text,
    items_table,
    money,
    rate_text,
)


def classic(sheet: Sheet, inv: Invoice) -> Truth:
    """US: supplier top left, title and dates top right, Bill To, right-aligned totals."""
    rng = random.Random(inv.seed)
    style = rng.choice(["%m/%d/%Y", "%B %d, %Y", "%b %d, %Y"])
    s, r = inv.supplier, inv.receiver
    sheet.text(20, 18, s.name, 18, bold=True)
    sheet.text(20, 28, s.street, 10)
    sheet.text(20, 33, s.city, 10)
    sheet.text(20, 38, f"Phone: {s.phone}", 10)
    sheet.text(20, 43, f"{s.email}", 10)
    sheet.text(20, 48, f"Tax ID: {s.tax_id}", 10)
    sheet.text(190, 18, "INVOICE", 24, bold=True, align="r")
    for row, (label, value) in enumerate(
        [
            ("Invoice No:", inv.number),
            ("Invoice Date:", date_text(inv.issue, style)),
            ("Due Date:", date_text(inv.due, style)),
        ]
    ):
        sheet.text(122, 30 + 6 * row, label, 10, bold=True)
        sheet.text(190, 30 + 6 * row, value, 10, align="r")
    sheet.text(20, 64, "Bill To:", 11, bold=True)
    sheet.text(20, 70, r.name, 10)
    sheet.text(20, 75, r.street, 10)
    sheet.text(20, 80, r.city, 10)
    y = items_table(sheet, inv, 96, ("Description", "Qty", "Unit price", "Amount"), grid=False)
    lines = [("Subtotal", money(inv.net, "us"))]
    if inv.rate is not None:
        lines.append((f"Tax ({rate_text(inv.rate, 'us')}%)", money(inv.vat_amount, "us")))
    lines.append(("Total", money(inv.total, "us")))
    for label, value in lines:
        sheet.text(130, y, label, 11, bold=label == "Total")
        sheet.text(190, y, value, 11, bold=label == "Total", align="r")
        y += 7
    sheet.text(20, 262, "Payment by bank transfer within 30 days.", 9)
    sheet.text(20, 268, f"Bank: {inv.bank}", 9)
    sheet.text(100, 268, f"Account No: {inv.account}", 9)
    return base_truth(inv)


def grid(sheet: Sheet, inv: Invoice) -> Truth:
    """UK: centred letterhead, bordered header table (values under labels), IBAN and BIC."""
    rng = random.Random(inv.seed + 1)
    style = rng.choice(["%d/%m/%Y", "%d %b %Y", "%d %B %Y"])
    s, r = inv.supplier, inv.receiver
    sheet.text(105, 15, s.name, 18, bold=True, align="c")
    sheet.text(105, 25, f"{s.street}, {s.city}", 10, align="c")
    sheet.text(105, 30, f"Tel: {s.phone}   Email: {s.email}", 10, align="c")
    sheet.text(105, 35, f"VAT Reg No: {s.tax_id}", 10, align="c")
    sheet.text(20, 46, "TAX INVOICE", 16, bold=True)
    heads = ("Invoice No", "Invoice Date", "Due Date")
    values = (inv.number, date_text(inv.issue, style), date_text(inv.due, style))
    sheet.box(18, 56, 192, 72)
    sheet.rule(18, 64, 192, 64)
    for col, (head, value) in enumerate(zip(heads, values, strict=True)):
        x = 20 + col * 58
        if col:
            sheet.rule(x - 2, 56, x - 2, 72)
        sheet.text(x, 58, head, 10, bold=True)
        sheet.text(x, 66, value, 10)
    sheet.text(20, 80, "Invoice to:", 11, bold=True)
    sheet.text(20, 86, r.name, 10)
    sheet.text(20, 91, r.street, 10)
    sheet.text(20, 96, r.city, 10)
    sheet.text(120, 80, "Ship to:", 11, bold=True)
    sheet.text(120, 86, "Same as invoice address", 10)
    y = items_table(sheet, inv, 110, ("Description", "Qty", "Price", "Net"), grid=True)
    rate = rate_text(inv.rate or 0, "uk")
    rows = [
        ("Subtotal", money(inv.net, "uk")),
        (f"VAT {rate}%", money(inv.vat_amount, "uk")),
        ("Total due", money(inv.total, "uk")),
    ]
    sheet.box(122, y - 2, 192, y - 2 + 8 * len(rows))
    for label, value in rows:
        sheet.text(125, y, label, 10, bold=label == "Total due")
        sheet.text(190, y, value, 10, bold=label == "Total due", align="r")
        y += 8
    sheet.text(20, 250, "Payment details", 10, bold=True)
    sheet.text(20, 256, f"Bank: {inv.bank}", 9)
    sheet.text(20, 261, f"IBAN: {_grouped(inv.iban or '')}", 9)
    sheet.text(20, 266, f"BIC: {inv.bic}", 9)
    return base_truth(inv)


def modern(sheet: Sheet, inv: Invoice) -> Truth:
    """Canada: logo box top left, supplier block top right, ISO dates, "Amount due"."""
    s, r = inv.supplier, inv.receiver
    sheet.box(20, 15, 48, 35, fill=0)
    sheet.text(190, 15, s.name, 16, bold=True, align="r")
    sheet.text(190, 24, s.street, 10, align="r")
    sheet.text(190, 29, s.city, 10, align="r")
    sheet.text(190, 34, s.email or "", 10, align="r")
    sheet.text(190, 39, s.phone or "", 10, align="r")
    sheet.text(190, 44, f"GST No: {s.tax_id}", 10, align="r")
    sheet.text(20, 56, "Invoice", 22, bold=True)
    sheet.text(20, 70, "Billed to", 10, bold=True)
    sheet.text(20, 76, r.name, 10)
    sheet.text(20, 81, r.street, 10)
    sheet.text(20, 86, r.city, 10)
    meta = [
        ("Invoice number", inv.number),
        ("Date of issue", inv.issue.isoformat()),
        ("Due date", inv.due.isoformat()),
    ]
    for row, (label, value) in enumerate(meta):
        sheet.text(120, 70 + 6 * row, label, 10, bold=True)
        sheet.text(190, 70 + 6 * row, value, 10, align="r")
    y = items_table(sheet, inv, 100, ("Item", "Qty", "Rate", "Line total"), grid=False)
    rows = [
        ("Subtotal", money(inv.net, "ca")),
        (f"GST {rate_text(inv.rate or 0, 'ca')}%", money(inv.vat_amount, "ca")),
        ("Amount due (CAD)", money(inv.total, "ca")),
    ]
    for label, value in rows:
        sheet.text(190, y, f"{label}   {value}", 11, bold=label.startswith("Amount"), align="r")
        y += 7
    sheet.text(20, 262, f"Bank name: {inv.bank}", 9)
    sheet.text(20, 267, f"Account number: {inv.account}", 9)
    return base_truth(inv)


def german(sheet: Sheet, inv: Invoice) -> Truth:
    """Germany: letterhead, recipient window, dotted or long dates, footer with bank data."""
    rng = random.Random(inv.seed + 2)
    style = rng.choice(["%d.%m.%Y", "de-long"])
    return _european(sheet, inv, style, german=True, with_receiver_id=rng.random() < 0.5)


def french(sheet: Sheet, inv: Invoice) -> Truth:
    """France: as the German layout with French labels, numbers grouped with spaces."""
    rng = random.Random(inv.seed + 3)
    style = rng.choice(["%d/%m/%Y", "fr-long"])
    return _european(sheet, inv, style, german=False, with_receiver_id=rng.random() < 0.5)


def _european(
    sheet: Sheet, inv: Invoice, style: str, *, german: bool, with_receiver_id: bool
) -> Truth:
    s, r = inv.supplier, inv.receiver
    c = inv.country
    words = (
        ("Rechnung", "Rechnung an:", "Rechnungsnummer:", "Rechnungsdatum:", "Fällig am:")
        if german
        else ("Facture", "Facturé à :", "Facture N° :", "Date de facture :", "Échéance :")
    )
    tel, mail, tax = (
        ("Tel.:", "E-Mail:", "USt-IdNr.:") if german else ("Tél. :", "E-mail :", "N° TVA :")
    )
    sheet.text(20, 15, s.name, 17, bold=True)
    sheet.text(20, 24, s.street, 10)
    sheet.text(20, 29, s.city, 10)
    sheet.text(20, 34, f"{tel} {s.phone}", 10)
    sheet.text(20, 39, f"{mail} {s.email}", 10)
    sheet.text(20, 56, words[1], 10, bold=True)
    sheet.text(20, 62, r.name, 10)
    sheet.text(20, 67, r.street, 10)
    sheet.text(20, 72, r.city, 10)
    if with_receiver_id:
        sheet.text(20, 77, f"{tax} {r.tax_id}", 10)
    sheet.text(120, 56, words[0], 18, bold=True)
    for row, (label, value) in enumerate(
        [
            (words[2], inv.number),
            (words[3], date_text(inv.issue, style)),
            (words[4], date_text(inv.due, style)),
        ]
    ):
        sheet.text(120, 66 + 6 * row, label, 10)
        sheet.text(190, 66 + 6 * row, value, 10, align="r")
    heads = (
        ("Beschreibung", "Menge", "Einzelpreis", "Betrag")
        if german
        else ("Désignation", "Qté", "Prix unitaire", "Montant")
    )
    y = items_table(sheet, inv, 96, heads, grid=False)
    rate = rate_text(inv.rate or 0, c)
    rows = (
        [("Nettobetrag", inv.net), (f"MwSt. {rate} %", inv.vat_amount), ("Gesamtbetrag", inv.total)]
        if german
        else [("Total HT", inv.net), (f"TVA {rate} %", inv.vat_amount), ("Total TTC", inv.total)]
    )
    for label, value in rows:
        bold = label in ("Gesamtbetrag", "Total TTC")
        sheet.text(125, y, label, 10, bold=bold)
        sheet.text(190, y, money(value, c), 10, bold=bold, align="r")
        y += 7
    sheet.rule(18, 252, 192, 252)
    sheet.text(20, 255, s.name, 8)
    sheet.text(20, 259, s.street, 8)
    sheet.text(20, 263, s.city, 8)
    sheet.text(80, 255, f"{'Bank' if german else 'Banque'}: {inv.bank}", 8)
    sheet.text(80, 259, f"IBAN: {_grouped(inv.iban or '')}", 8)
    sheet.text(80, 263, f"BIC: {inv.bic}", 8)
    sheet.text(150, 255, f"{tax} {s.tax_id}", 8)
    truth = base_truth(inv)
    if with_receiver_id:
        truth["receiver_tax_id"] = r.tax_id or ""
    return truth


def _grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


#: layout name → (supplier country, drawing)
LAYOUTS: dict[str, tuple[str, Layout]] = {
    "classic": ("us", classic),
    "grid": ("uk", grid),
    "modern": ("ca", modern),
    "german": ("de", german),
    "french": ("fr", french),
}
