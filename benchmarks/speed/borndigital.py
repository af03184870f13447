"""Born-digital PDFs with known text, and the same pages as a scan: the pair that shows what
reading a PDF's own text layer saves.

``python -m benchmarks.speed.borndigital`` times a 20-page born-digital PDF against the same
pages scanned, through a live embedded server (2 workers), and prints the CER of each.
"""

from __future__ import annotations

import argparse
import io
import random

#: words the generated pages are written from (a public-domain paragraph's vocabulary)
_WORDS = [
    "call",
    "me",
    "ishmael",
    "some",
    "years",
    "ago",
    "never",
    "mind",
    "how",
    "long",
    "precisely",
    "having",
    "little",
    "or",
    "no",
    "money",
    "in",
    "my",
    "purse",
    "and",
    "nothing",
    "particular",
    "to",
    "interest",
    "me",
    "on",
    "shore",
    "I",
    "thought",
    "would",
    "sail",
    "about",
    "a",
    "little",
    "see",
    "the",
    "watery",
    "part",
    "of",
    "the",
    "world",
    "it",
    "is",
    "way",
    "have",
    "driving",
    "off",
    "spleen",
    "regulating",
    "circulation",
    "whenever",
    "find",
    "myself",
    "growing",
    "grim",
    "about",
    "mouth",
    "whenever",
    "damp",
    "drizzly",
    "November",
    "soul",
    "then",
    "account",
    "high",
    "time",
    "get",
    "sea",
    "as",
    "soon",
    "can",
    "This",
    "substitute",
    "for",
    "pistol",
    "ball",
    "With",
    "philosophical",
    "flourish",
    "Cato",
    "throws",
    "himself",
    "upon",
    "his",
    "sword",
    "quietly",
    "take",
    "ship",
    "There",
    "nothing",
    "surprising",
    "If",
    "they",
    "but",
    "knew",
    "almost",
    "all",
    "men",
    "their",
    "degree",
    "some",
    "time",
    "other",
    "cherish",
    "very",
    "nearly",
    "same",
    "feelings",
    "towards",
    "ocean",
    "with",
    "me",
    "1851",
    "42",
    "7.5",
    "Chapter",
]

PAGE_WIDTH, PAGE_HEIGHT = 612, 792
FONT_SIZE, LEADING, MARGIN = 11, 15, 72
LINES_PER_PAGE = 40


def page_lines(pages: int, seed: int = 7) -> list[list[str]]:
    """The text of each page, line by line (about 75 characters a line)."""
    rng = random.Random(seed)
    result = []
    for _ in range(pages):
        lines = []
        for _ in range(LINES_PER_PAGE):
            words: list[str] = []
            while sum(len(w) + 1 for w in words) < 70:
                words.append(rng.choice(_WORDS))
            lines.append(" ".join(words))
        result.append(lines)
    return result


def _escape(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages set ``pages``' lines in Helvetica (a standard font, WinAnsi encoded:
    pdfium maps every character to Unicode)."""
    objects: list[bytes] = []
    font_id = 3
    kids = []
    for index, lines in enumerate(pages):
        content = [b"BT", f"/F1 {FONT_SIZE} Tf {LEADING} TL".encode()]
        content.append(f"{MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode())
        for line in lines:
            content.append(b"(" + _escape(line) + b") Tj T*")
        content.append(b"ET")
        stream = b"\n".join(content)
        page_id = 4 + 2 * index
        kids.append(page_id)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> "
            f"/Contents {page_id + 1} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    header = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
        f"/Count {len(kids)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    body = io.BytesIO()
    body.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(header + objects, start=1):
        offsets.append(body.tell())
        body.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = body.tell()
    body.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        body.write(f"{offset:010d} 00000 n \n".encode())
    body.write(
        f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return body.getvalue()


def scanned_pdf(pdf: bytes, dpi: int = 300) -> bytes:
    """The same pages as a scan: each rendered to a grey image, the images made a PDF."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        images = [
            page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in document
        ]
    finally:
        document.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    import statistics
    import tempfile
    from contextlib import ExitStack
    from pathlib import Path

    from benchmarks.accuracy.metrics import cer
    from benchmarks.speed.cluster import start_embedded
    from benchmarks.speed.pages import read

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    lines = page_lines(args.pages)
    truth = "\n".join("\n".join(page) for page in lines)
    digital = text_pdf(lines)
    scan = scanned_pdf(digital)
    seconds: dict[str, list[float]] = {"scanned": [], "born-digital": []}
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        server = start_embedded(stack, Path(tmp) / "run", 2)
        for _ in range(args.rounds):  # interleaved: the machine's noise hits both alike
            for name, pdf in (("scanned", scan), ("born-digital", digital)):
                took, doc = read(server, pdf)
                seconds[name].append(took)
                print(f"{name:13s} {took:6.2f} s  CER {cer(truth, text_of(doc)):.4f}")
    scanned, born = (statistics.median(seconds[k]) for k in ("scanned", "born-digital"))
    print(
        f"{args.pages} pages, median of {args.rounds}: scanned {scanned:.2f} s, born-digital "
        f"{born:.2f} s: {born / scanned:.3f}× the time"
    )


def text_of(doc: dict[str, object]) -> str:
    import base64

    results = doc["results"]
    assert isinstance(results, list)
    return base64.b64decode(results[0]["data"]).decode()


if __name__ == "__main__":
    main()
