"""What one generated invoice says: fictional parties, items, dates, money and bank details,
drawn from a seed, with the §7.1 fields a perfect parser would report.

Every name, street and bank here is made up for this project. Tax and bank numbers are random
but carry valid checksums (python-stdnum checks them), as real ones do.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from stdnum import iban as stdnum_iban
from stdnum import vatin
from stdnum.us import ein

#: (name, street, city line, e-mail domain) per country
COMPANIES = {
    "us": [
        ("Northwind Traders LLC", "1200 Market Street, Suite 400", "San Francisco, CA 94103"),
        ("Bluegill Software Inc.", "88 Lakeshore Drive", "Chicago, IL 60611"),
        ("Copperline Logistics", "4501 Industrial Parkway", "Houston, TX 77029"),
        ("Maple & Finch Design Co.", "17 Orchard Lane", "Portland, OR 97205"),
        ("Redstone Analytics Corp.", "350 Fifth Avenue, Floor 21", "New York, NY 10118"),
        ("Summit Ridge Supplies", "9 Canyon Road", "Denver, CO 80202"),
    ],
    "uk": [
        ("Harbourside Printing Ltd", "14 Quay Street", "Bristol BS1 4DJ"),
        ("Kestrel Engineering Ltd", "Unit 7, Riverside Works", "Leeds LS11 5QP"),
        ("Thistle & Rowan Consulting", "22 Queen Street", "Edinburgh EH2 1JX"),
        ("Greenacre Garden Services", "3 Mill Lane", "Oxford OX1 2AB"),
        ("Blackfriars Media Ltd", "101 Southwark Street", "London SE1 0JF"),
    ],
    "ca": [
        ("Aurora Timber Works", "215 Water Street", "Vancouver, BC V6B 1B1"),
        ("Lakehead Marine Services", "60 Front Street West", "Toronto, ON M5J 1E6"),
        ("Prairie Light Studios", "1010 Jasper Avenue", "Edmonton, AB T5J 1S6"),
    ],
    "de": [
        ("Müller & Söhne GmbH", "Hauptstraße 45", "10115 Berlin"),
        ("Nordlicht Medien GmbH", "Speicherstadt 12", "20457 Hamburg"),
        ("Bergmann Elektrotechnik KG", "Industriestraße 8", "70565 Stuttgart"),
        ("Weber Holzbau GmbH", "Am Waldrand 3", "80331 München"),
        ("Schneider Datentechnik AG", "Königsallee 60", "40212 Düsseldorf"),
    ],
    "fr": [
        ("Atelier Lumière SARL", "18 rue des Lilas", "75011 Paris"),
        ("Boulangerie Martin et Fils", "4 place du Marché", "69002 Lyon"),
        ("Transports Garnier SAS", "120 avenue de la Gare", "33000 Bordeaux"),
        ("Éditions du Phare", "7 quai de la Fosse", "44000 Nantes"),
    ],
}
CUSTOMERS = {
    "us": [
        ("Contoso Ltd", "77 Harbour Road", "Boston, MA 02110"),
        ("Pinecrest Dental Group", "410 Elm Street", "Seattle, WA 98101"),
        ("Granite State Foods", "25 Depot Square", "Concord, NH 03301"),
        ("Oakridge Public Library", "500 Main Street", "Oak Ridge, TN 37830"),
    ],
    "uk": [
        ("Fenwick & Daughters", "9 Castle Mews", "York YO1 7HH"),
        ("Wexley Parish Council", "The Old School, Church Road", "Wexley GU9 7QT"),
        ("Coastline Surf School", "2 Harbour Parade", "Newquay TR7 1HS"),
    ],
    "ca": [
        ("Maritime Fresh Seafood", "32 Lower Water Street", "Halifax, NS B3J 1R7"),
        ("Cedar Hill Veterinary Clinic", "1875 Fort Street", "Victoria, BC V8R 1J6"),
    ],
    "de": [
        ("Fischer Bau GmbH", "Lindenweg 22", "50667 Köln"),
        ("Praxis Dr. Hoffmann", "Bahnhofstraße 9", "60311 Frankfurt am Main"),
        ("Klein Gastronomie GmbH", "Marktplatz 1", "01067 Dresden"),
    ],
    "fr": [
        ("Cabinet Durand", "3 boulevard Carnot", "06000 Nice"),
        ("Librairie des Deux Rives", "56 rue de la République", "13001 Marseille"),
        ("Hôtel Beau Rivage", "1 promenade des Anglais", "06200 Nice"),
    ],
}
BANKS = {
    "us": ["First Coastal Bank", "Prairie National Bank"],
    "uk": ["Harbour Savings Bank", "Northgate Bank plc"],
    "ca": ["Bank of the Northern Lakes"],
    "de": ["Sparkasse Nordstadt", "Volksbank Mittelland eG"],
    "fr": ["Banque du Littoral", "Crédit Maritime Atlantique"],
}
ITEMS = [
    "Consulting services",
    "Website maintenance",
    "Office chairs",
    "Printer toner cartridges",
    "Delivery and handling",
    "Software licence (annual)",
    "Workshop facilitation",
    "Graphic design hours",
    "Network cabling",
    "Translation services",
    "Cleaning supplies",
    "Equipment rental",
]
PHONES = {
    "us": "({a}) 555-{b}",
    "uk": "020 7946 {b}",
    "ca": "+1 {a} 555 {b}",
    "de": "+49 30 {a}{b}",
    "fr": "+33 1 {a2} {b2} {c2} {d2}",
}


@dataclass(frozen=True, kw_only=True)
class Party:
    name: str
    street: str
    city: str
    email: str | None
    phone: str | None
    tax_id: str | None


@dataclass(frozen=True, kw_only=True)
class Invoice:
    """One invoice's printed content (``rate`` None: no VAT line is printed)."""

    seed: int
    country: str
    currency: str
    supplier: Party
    receiver: Party
    number: str
    issue: datetime.date
    due: datetime.date
    items: tuple[tuple[str, int, Decimal], ...]
    rate: Decimal | None
    bank: str | None
    iban: str | None
    bic: str | None
    account: str | None

    @property
    def net(self) -> Decimal:
        return sum((qty * price for _, qty, price in self.items), Decimal(0))

    @property
    def vat_amount(self) -> Decimal:
        if self.rate is None:
            return Decimal(0)
        return (self.net * self.rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def total(self) -> Decimal:
        return self.net + self.vat_amount


def _number(rng: random.Random, digits: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(digits))


def _valid(rng: random.Random, make: str, check: str, tries: int = 10_000) -> str:
    """A random number with ``make``'s shape (each # a digit) that python-stdnum accepts."""
    for _ in range(tries):
        candidate = "".join(rng.choice("0123456789") if c == "#" else c for c in make)
        if (vatin.is_valid if check == "vat" else ein.is_valid)(candidate):
            return candidate
    raise RuntimeError(f"no valid number shaped {make}")


def _iban(rng: random.Random, country: str) -> str:
    bban = {
        "de": lambda: _number(rng, 18),
        "uk": lambda: (
            "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(4)) + _number(rng, 14)
        ),
        "fr": lambda: _number(rng, 23),
    }[country]
    code = {"de": "DE", "uk": "GB", "fr": "FR"}[country]
    for _ in range(1000):
        body = bban()
        number = code + stdnum_iban.calc_check_digits(code + "00" + body) + body
        if stdnum_iban.is_valid(number):  # France adds a national key the random body may miss
            return number
    raise RuntimeError("no valid IBAN")


def _bic(rng: random.Random, country: str) -> str:
    bank = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
    code = {"de": "DE", "uk": "GB", "fr": "FR"}[country]
    tail = rng.choice(["FF", "2L", "PP", "MM", "33"]) + rng.choice(["", "XXX"])
    return bank + code + tail


def _tax_id(rng: random.Random, country: str) -> str:
    return {
        "us": lambda: _valid(rng, "##-#######", "ein"),
        "ca": lambda: _number(rng, 9) + " RT0001",
        "uk": lambda: _valid(rng, "GB#########", "vat"),
        "de": lambda: _valid(rng, "DE#########", "vat"),
        "fr": lambda: _valid(rng, "FR###########", "vat"),
    }[country]()


def _party(rng: random.Random, pool: list[tuple[str, str, str]], country: str) -> Party:
    name, street, city = rng.choice(pool)
    slug = "".join(c for c in name.split()[0].lower() if c.isascii() and c.isalnum())
    digits = _number(rng, 8)
    phone = PHONES[country].format(
        a=digits[:3], b=digits[3:7], a2=digits[:2], b2=digits[2:4], c2=digits[4:6], d2=digits[6:8]
    )
    return Party(
        name=name,
        street=street,
        city=city,
        email=f"{rng.choice(['billing', 'accounts', 'info', 'invoices'])}@{slug}.example.com",
        phone=phone,
        tax_id=_tax_id(rng, country),
    )


def invoice(seed: int, country: str) -> Invoice:
    """The invoice of ``seed`` for a supplier in ``country`` (us, uk, ca, de, fr)."""
    rng = random.Random(seed)
    supplier = _party(rng, COMPANIES[country], country)
    receiver = _party(rng, CUSTOMERS[country], country)
    issue = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(0, 700))
    due = issue + datetime.timedelta(days=rng.choice([14, 15, 30, 45, 60]))
    items = tuple(
        (
            rng.choice(ITEMS),
            rng.choice([1, 1, 2, 3, 5, 10, 12, 24]),
            Decimal(rng.randrange(500, 250_000)) / 100,
        )
        for _ in range(rng.randint(2, 6))
    )
    rate = {
        "us": rng.choice([None, Decimal("8.5"), Decimal("7.25"), Decimal("6")]),
        "uk": Decimal(20),
        "ca": Decimal(5),
        "de": rng.choice([Decimal(19), Decimal(7)]),
        "fr": rng.choice([Decimal(20), Decimal(10)]),
    }[country]
    europe = country in ("uk", "de", "fr")
    iban = _iban(rng, country) if europe else None
    return Invoice(
        seed=seed,
        country=country,
        currency={"us": "usd", "uk": "gbp", "ca": "cad", "de": "eur", "fr": "eur"}[country],
        supplier=supplier,
        receiver=receiver,
        number=f"{rng.choice(['INV', 'RE', 'F'])}-{issue.year}-{_number(rng, 4)}",
        issue=issue,
        due=due,
        items=items,
        rate=rate,
        bank=rng.choice(BANKS[country]),
        iban=iban,
        bic=_bic(rng, country) if europe else None,
        account=iban if europe else _number(rng, 10),
    )
