"""The invoice parser on typed-out invoices whose fields are known (no OCR involved)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.invoices.banking import iban_candidates
from ocrhive.invoices.fields import as_dict, to_json
from ocrhive.invoices.money import amounts, decimal_separator, reconcile
from ocrhive.invoices.parse import parse_page, parse_text

US_INVOICE = """\
Northwind Traders LLC                                  INVOICE
1200 Market Street, Suite 400                          Invoice No:    INV-2024-0117
San Francisco, CA 94103                                Invoice Date:  03/04/2024
Phone: (415) 555-0142                                  Due Date:      04/03/2024
billing@northwind.example.com
Tax ID: 94-1234567

Bill To:
Contoso Ltd
77 Harbour Road
Boston, MA 02110

Description                        Qty     Unit price        Amount
Consulting services                 12         150.00      1,800.00
Travel expenses                      1         345.50        345.50

                                             Subtotal       $2,145.50
                                             Tax (8.5%)       $182.37
                                             Total          $2,327.87

Bank: First National Bank    Account No: 1234 5678 9012
"""

GERMAN_INVOICE = """\
Weber Holzbau GmbH
Am Waldrand 3
80331 München
Tel.: +49 30 1234567
E-Mail: rechnung@weber.example.com

Rechnung an:                                 Rechnung
Fischer Bau GmbH                             Rechnungsnummer:   RE-2024-0042
Lindenweg 22                                 Rechnungsdatum:    05.03.2024
50667 Köln                                   Fällig am:         04.04.2024
USt-IdNr.: DE136695976

Beschreibung                Menge     Einzelpreis      Betrag
Dachbalken Fichte              12        1.050,00   12.600,00

                                        Nettobetrag     12.600,00 €
                                        MwSt. 19 %       2.394,00 €
                                        Gesamtbetrag    14.994,00 €

Bank: Sparkasse Nordstadt   IBAN: DE89 3704 0044 0532 0130 00   BIC: COBADEFFXXX
USt-IdNr.: DE129273398
"""

FRENCH_INVOICE = """\
Atelier Lumière SARL
18 rue des Lilas
75011 Paris

Facturé à :                                  Facture
Cabinet Durand                               Date de facture :   5 mars 2024
3 boulevard Carnot                           Échéance :          4 avril 2024
06000 Nice

                                       Total HT       1 234,50 €
                                       TVA 20 %         246,90 €
                                       Total TTC      1 481,40 €

IBAN : FR14 2004 1010 0505 0001 3M02 606
"""


def test_a_us_invoice_gives_every_printed_field() -> None:
    assert as_dict(parse_text(US_INVOICE)) == {
        "issue_date": "2024-03-04",  # month first: a dollar invoice in English
        "due_date": "2024-04-03",
        "supplier_name": "Northwind Traders LLC",
        "supplier_address": "1200 Market Street, Suite 400, San Francisco, CA 94103",
        "supplier_email": "billing@northwind.example.com",
        "supplier_phone": "(415) 555-0142",
        "supplier_tax_id": "94-1234567",
        "receiver_name": "Contoso Ltd",
        "receiver_address": "77 Harbour Road, Boston, MA 02110",
        "currency": "usd",
        "total_amount": 2327.87,
        "vat": 8.5,
        "net_amount": 2145.5,
        "bank_name": "First National Bank",
        "account": "1234 5678 9012",
    }


def test_a_german_invoice_reads_comma_decimals_dotted_dates_and_bank_details() -> None:
    found = as_dict(parse_text(GERMAN_INVOICE))
    assert found["issue_date"] == "2024-03-05"
    assert found["due_date"] == "2024-04-04"
    assert found["supplier_name"] == "Weber Holzbau GmbH"
    assert found["supplier_address"] == "Am Waldrand 3, 80331 München"
    assert found["supplier_phone"] == "+49 30 1234567"
    assert found["receiver_name"] == "Fischer Bau GmbH"
    assert found["receiver_address"] == "Lindenweg 22, 50667 Köln"
    # the id inside the receiver's block is theirs; the footer's is the supplier's
    assert found["receiver_tax_id"] == "DE136695976"
    assert found["supplier_tax_id"] == "DE129273398"
    assert (found["net_amount"], found["vat"], found["total_amount"]) == (12600, 19, 14994)
    assert found["currency"] == "eur"
    assert found["bank_name"] == "Sparkasse Nordstadt"
    assert found["account"] == "DE89370400440532013000"
    assert found["bic"] == "COBADEFFXXX"


def test_a_french_invoice_reads_space_grouped_amounts_and_month_names() -> None:
    found = as_dict(parse_text(FRENCH_INVOICE))
    assert found["issue_date"] == "2024-03-05"
    assert found["due_date"] == "2024-04-04"
    assert found["receiver_name"] == "Cabinet Durand"
    assert (found["net_amount"], found["vat"], found["total_amount"]) == (1234.5, 20, 1481.4)
    assert found["account"] == "FR1420041010050500013M02606"


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        ("Invoice Date: 03/04/2024\nDue Date: 13/04/2024\nTotal $5.00", "2024-04-03"),
        ("Invoice Date: 03/04/2024\nDue Date: 04/13/2024\nTotal £5.00", "2024-03-04"),
        ("Invoice Date: 03/04/2024\nTotal $5.00", "2024-03-04"),  # US dollar: month first
        ("Invoice Date: 03/04/2024\nTotal £5.00", "2024-04-03"),  # elsewhere: day first
        ("Invoice Date: 03.04.2024\nTotal $5.00", "2024-04-03"),  # dots are European
        ("Date: 2024-03-04\nTotal 5,00 €", "2024-03-04"),
        ("Invoice date: 4th March, 2024", "2024-03-04"),
        ("Rechnungsdatum: 4. März 2024", "2024-03-04"),
        ("Date d'émission : 1er février 2024", "2024-02-01"),
        ("Issued on 12 Dec 2023 for services", "2023-12-12"),  # no label: the page's date
    ],
)
def test_dates_are_read_in_the_documents_order(text: str, issue: str) -> None:
    assert as_dict(parse_text(text))["issue_date"] == issue


@pytest.mark.parametrize(
    ("text", "separator", "values"),
    [
        ("$12,345.67", ".", ["12345.67"]),
        ("12.345,67 €", ",", ["12345.67"]),
        ("12 345,67 €", ",", ["12345.67"]),
        ("CHF 1'250.50", ".", ["1250.50"]),
        ("VAT 20% 1,000.00 on 05.03.2024", ".", ["1000.00"]),
        ("3 x 12,50 = 37,50", ",", ["3", "12.50", "37.50"]),
    ],
)
def test_amounts_with_thousands_separators_and_decimal_commas(
    text: str, separator: str, values: list[str]
) -> None:
    assert amounts(text, separator) == [Decimal(v) for v in values]


def test_the_decimal_mark_is_the_documents_majority() -> None:
    assert decimal_separator(["1.234,56 €", "12,00", "05.03.2024"]) == ","
    assert decimal_separator(["1,234.56", "$12.00"]) == "."
    assert decimal_separator(["Invoice 42"]) is None


def test_the_total_kept_is_the_one_net_plus_vat_explains() -> None:
    # OCR misread the bold total (8 for 3); "amount due" repeats it correctly
    found = reconcile(
        [Decimal("1281.40"), Decimal("1231.40")], [Decimal("1026.17")], [Decimal("205.23")], []
    )
    assert found.total == Decimal("1231.40")
    assert found.vat_rate == 20


def test_a_misread_total_line_is_outvoted_in_a_whole_invoice() -> None:
    text = "Subtotal  100.00\nVAT 10%  10.00\nTotal  170.00\nAmount due  110.00\n"
    assert as_dict(parse_text(text))["total_amount"] == 110


def test_ibans_are_validated_and_ocr_confusions_undone() -> None:
    # O for 0 and l for 1 in the digits, as OCR reads them
    assert iban_candidates("IBAN DE89 37O4 OO44 0532 0l30 00") == [("DE89370400440532013000", True)]
    # one wrong digit fails the checksum: reported, but after any valid one
    found = iban_candidates("DE89 3704 0044 0532 0130 01 / GB29 NWBK 6016 1331 9268 19")
    assert found[0] == ("GB29NWBK60161331926819", True)
    assert found[1][1] is False


def test_a_valid_iban_is_preferred_to_an_invalid_labelled_one() -> None:
    text = "IBAN: DE89 3704 0044 0532 0130 01\nPay to DE89 3704 0044 0532 0130 00\nTotal 5.00 EUR"
    assert as_dict(parse_text(text))["account"] == "DE89370400440532013000"


def test_an_invoice_without_vat_reports_minus_one() -> None:
    found = as_dict(parse_text("Invoice date: 2024-01-02\nTotal: $250.00\n"))
    assert found["vat"] == -1
    assert found["total_amount"] == 250


def test_nothing_found_means_no_keys_and_no_empty_strings() -> None:
    assert to_json(parse_text("")) == b"{}"
    found = as_dict(parse_text("Dear customer, thank you for your order."))
    assert "" not in found.values()
    assert "vat" not in found


def test_the_json_is_utf8_with_the_spacing_of_asposes_sample() -> None:
    data = to_json(parse_text(FRENCH_INVOICE))
    assert data.startswith(b'{"issue_date": "2024-03-05", "due_date": ')
    assert json.loads(data)["supplier_name"] == "Atelier Lumière SARL"


def _line(words: list[tuple[str, int]], top: int, height: int = 30) -> Line:
    placed = tuple(
        Word(
            text=text,
            bbox=BBox(left=left, top=top, right=left + 18 * len(text), bottom=top + height),
            confidence=90,
        )
        for text, left in words
    )
    return Line(bbox=BBox.union([w.bbox for w in placed]), words=placed)


def test_a_recognised_page_is_split_at_tab_stops() -> None:
    # Tesseract joined label and tab-stopped value into one line; the gap splits them
    lines = (
        _line([("Acme", 100), ("Corp", 190)], 100, 60),
        _line([("Invoice", 1200), ("Date:", 1340), ("2024-05-06", 1700)], 300),
        _line([("Total", 1200), ("USD", 1700), ("99.50", 1780)], 400),
    )
    page = Page(
        width=2000,
        height=2800,
        blocks=(Block(bbox=BBox.union([ln.bbox for ln in lines]), paragraphs=(
            Paragraph(bbox=BBox.union([ln.bbox for ln in lines]), lines=lines),
        )),),
    )  # fmt: skip
    found = as_dict(parse_page(page))
    assert found["issue_date"] == "2024-05-06"
    assert found["total_amount"] == 99.5
    assert found["currency"] == "usd"
    assert found["supplier_name"] == "Acme Corp"
