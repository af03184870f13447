"""The printed labels that name an invoice's fields, in English, German and French.

Each label is a regular expression matched at the start of a segment; what follows it (after a
colon or dash) is the value on the same segment. The order of the patterns matters: the first
kind that matches wins, so "Fax" is no phone, "VAT number" is a tax id before it can be a VAT
amount, and "Total excl. VAT" a net amount and "Total VAT" a VAT amount before either can be a
total.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Label(enum.Enum):
    """What a printed label announces."""

    ISSUE_DATE = "issue_date"
    DUE_DATE = "due_date"
    SUPPLIER = "supplier"  #: a "From"/"Seller" block heading
    RECEIVER = "receiver"  #: a "Bill to"/"Invoice to" block heading
    TAX_ID = "tax_id"
    EMAIL = "email"
    PHONE = "phone"
    NET = "net"
    VAT = "vat"
    TOTAL = "total"
    IBAN = "iban"
    BIC = "bic"
    ACCOUNT = "account"
    BANK = "bank"
    #: labels of fields we do not report (invoice number, terms…): they end a block
    OTHER = "other"


_TAX_ID = (
    r"(?:vat|tax|gst|ust|mwst)[\s.-]*(?:reg(?:istration)?\.?\s*)?(?:id|no|nr|number|#)\.?"
    r"|(?:tax|vat)\s+identification\s+number|ust[\s.-]*id[\s.-]*nr\.?|ust[\s.-]*idnr\.?"
    r"|steuer[\s-]*(?:nr|nummer)\.?|umsatzsteuer[\s-]*id(?:entifikationsnummer)?"
    r"|n[°o]\s*(?:de\s+)?tva(?:\s+intra[\s.-]*com(?:munautaire)?)?|tva\s+intra[\s.-]*com\w*"
    r"|num[ée]ro\s+(?:de\s+)?tva|ein|siret|siren"
)

_PATTERNS: tuple[tuple[Label, str], ...] = (
    (
        Label.OTHER,
        r"invoice\s*(?:no|number|nr|#)\.?|rechnungs?(?:nummer|[\s-]*nr)\.?|facture\s+n[°o]|"
        r"n[°o]\s+de\s+facture|num[ée]ro\s+de\s+facture|order\s*(?:no|number|#)|"
        r"po\s*(?:no|number|#)|terms|payment\s+terms|zahlungsbedingungen|conditions|"
        r"ship\s+to|deliver(?:y|ed)\s+to|lieferadresse|livr[ée]\s+[àa]|description|qty|"
        r"quantity|unit\s+price|menge|beschreibung|d[ée]signation|quantit[ée]|page|seite|"
        r"web(?:site)?|www|fax|telefax|kundennummer|customer\s+(?:no|number|id)|reference|ref\.?",
    ),
    (
        Label.DUE_DATE,
        r"(?:payment\s+)?due(?:\s+date)?|date\s+due|pay(?:able)?\s+by|f[äa]llig(?:keitsdatum|"
        r"\s+am|\s+bis)?|zahlbar\s+bis|zahlungsziel|(?:date\s+d')?[ée]ch[ée]ance|"
        r"[àa]\s+payer\s+avant\s+le|payable\s+avant\s+le",
    ),
    (
        Label.ISSUE_DATE,
        r"(?:invoice|issue|billing)\s+date|date\s+(?:of\s+)?(?:issue|invoice)|dated?|"
        r"rechnungsdatum|ausstellungsdatum|datum|date\s+de\s+(?:la\s+)?facture|"
        r"date\s+d'[ée]mission|[ée]mise?\s+le|date\s+de\s+facturation",
    ),
    (
        Label.RECEIVER,
        r"bill(?:ed)?\s+to|invoice\s+to|invoiced\s+to|sold\s+to|customer|client|recipient|"
        r"rechnungsempf[äa]nger|rechnung\s+an|kunde|empf[äa]nger|factur[ée]e?\s+[àa]|"
        r"adress[ée]e?\s+[àa]|destinataire",
    ),
    (
        Label.SUPPLIER,
        r"from|supplier|seller|vendor|issued\s+by|lieferant|verk[äa]ufer|absender|"
        r"fournisseur|vendeur|[ée]metteur",
    ),
    (Label.TAX_ID, _TAX_ID),
    (Label.IBAN, r"iban"),
    (Label.BIC, r"bic(?:\s*/\s*swift)?|swift(?:\s*/\s*bic)?(?:\s+code)?"),
    (
        Label.ACCOUNT,
        r"account\s*(?:no|number|nr|#)\.?|acct\.?\s*(?:no|#)?\.?|kontonummer|konto(?:\s*nr)?\.?|"
        r"num[ée]ro\s+de\s+compte|compte",
    ),
    (
        Label.BANK,
        r"bank(?:\s+name)?|bankverbindung|kreditinstitut|banque|bank\s+details|"
        r"domiciliation",
    ),
    (Label.EMAIL, r"e-?mail|courriel"),
    (Label.PHONE, r"tel(?:ephone)?\.?|phone|telefon|t[ée]l\.?|fon|mobile|mob\.?"),
    (
        Label.NET,
        r"sub[\s-]?total|net(?!\s+[àa]\s+payer)(?:\s+(?:amount|total))?|total\s+(?:excl\.?|excluding|before|net)|"
        r"amount\s+before\s+tax|nettobetrag|netto(?:summe|betrag)?|"
        r"zwischensumme|summe\s+netto|total\s+ht|montant\s+ht|sous[\s-]total",
    ),
    (
        Label.VAT,
        r"(?:total\s+)?(?:vat|tax|sales\s+tax|gst|hst|mw\w?st|ust|mehrwertsteuer|umsatzsteuer|tva)"
        r"\.?",
    ),
    (
        Label.TOTAL,
        r"(?:grand\s+)?total\s+(?:incl\.?|including|inkl\.?)|total\s+ttc|montant\s+ttc|"
        r"total\s+(?:due|amount|payable)|amount\s+(?:due|payable)|balance\s+due|"
        r"(?:invoice\s+)?total|grand\s+total|gesamt(?:betrag|summe)?|rechnungsbetrag|"
        r"endbetrag|bruttobetrag|brutto|summe\s+brutto|montant\s+total|net\s+[àa]\s+payer|"
        r"total\s+[àa]\s+payer|montant\s+d[ûu]",
    ),
)

_COMPILED = tuple(
    (label, re.compile(rf"\s*(?:{pattern})\s*(?::|-|–|\s|$)", re.IGNORECASE))
    for label, pattern in _PATTERNS
)


@dataclass(frozen=True, kw_only=True)
class Labelled:
    """A segment read as a label and the value printed after it on the same segment."""

    label: Label
    rest: str


def read_label(text: str) -> Labelled | None:
    """The label ``text`` starts with, if any, and the text after it.

    Only the start of a segment counts: "date" or "total" inside a sentence is not a label.
    """
    for label, pattern in _COMPILED:
        match = pattern.match(text)
        if match is not None:
            return Labelled(label=label, rest=text[match.end() :].strip(" :.-–"))
    return None


#: words that are a document's title, never a party's name
TITLES = re.compile(
    r"^\W*(?:tax\s+)?(?:invoice|rechnung|facture|bill|receipt|quittung|re[çc]u)\b",
    re.IGNORECASE,
)
