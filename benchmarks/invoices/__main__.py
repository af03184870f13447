"""Field accuracy of RecognizeAndParseInvoice on generated invoices, through the real OCR.

    python -m benchmarks.invoices --seeds 40          # tune half 0-19, held-out half 20-39

Each seed's page goes through the production handler (decode, Tesseract, the parser) with the
family's default settings. A field counts as right when it equals the printed truth: amounts
to the cent, dates exactly, strings after case-folding and dropping everything but letters and
digits. Keys the parser reports that the page does not print are counted as "extra".
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

from benchmarks.invoices.samples import sample

from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.operations import invoice
from ocrhive.pipeline import PipelineOptions, Readers

FIELDS = (
    "issue_date", "due_date", "supplier_name", "supplier_address", "supplier_email",
    "supplier_phone", "supplier_tax_id", "receiver_name", "receiver_address", "receiver_tax_id",
    "currency", "total_amount", "vat", "net_amount", "bank_name", "bic", "account",
)  # fmt: skip

#: RecognizeAndParseInvoice's SDK defaults: no deskew, no binarization
SETTINGS = RecognitionSettings(skew_correct=False, binarization=False)


def same(expected: str | float, found: object) -> bool:
    """Whether a reported value matches the printed truth (see the module docstring)."""
    if isinstance(expected, float):
        return isinstance(found, int | float) and abs(float(found) - expected) < 0.005
    if not isinstance(found, str):
        return False
    return _letters(expected) == _letters(found)


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def run(seeds: range, readers: Readers, *, show: bool) -> tuple[Counter[str], Counter[str], int]:
    """(right per field, expected per field, extras) over ``seeds``."""
    right: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    extra = 0
    for seed in seeds:
        page = sample(seed)
        start = time.perf_counter()
        outcome = invoice.run(page.png(), SETTINGS, readers, PipelineOptions())
        found = json.loads(outcome.results[0].data)
        seconds = time.perf_counter() - start
        wrong = []
        for key, value in page.truth.items():
            expected[key] += 1
            if same(value, found.get(key)):
                right[key] += 1
            else:
                wrong.append(f"{key}: {found.get(key)!r} ≠ {value!r}")
        extras = [k for k in found if k not in page.truth]
        extra += len(extras)
        if show:
            status = f"{len(page.truth) - len(wrong)}/{len(page.truth)}"
            print(
                f"seed {seed:3} {page.layout:8} {page.dpi} dpi{' damaged' if page.damaged else ''}"
                f" {status} {seconds:.1f} s  extra={extras}"
            )
            for line in wrong:
                print("     ", line)
    return right, expected, extra


def table(name: str, right: Counter[str], expected: Counter[str], extra: int) -> None:
    print(f"\n{name}")
    print("| field | right | accuracy |")
    print("|---|---|---|")
    for key in FIELDS:
        if expected[key]:
            print(f"| {key} | {right[key]}/{expected[key]} | {right[key] / expected[key]:.1%} |")
    total_right, total = sum(right.values()), sum(expected.values())
    print(f"| **all fields** | {total_right}/{total} | **{total_right / total:.1%}** |")
    print(f"extra keys reported (not printed on the page): {extra}")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--seeds", type=int, default=40, help="seeds 0..N-1, halved tune/held-out")
    args.add_argument("--only", choices=("tune", "held-out"), help="run one half only")
    args.add_argument("--show", action="store_true", help="print every page and its misses")
    opts = args.parse_args()
    readers = Readers(engine=TesseractEngine())
    half = opts.seeds // 2
    halves = {"tune": range(0, half), "held-out": range(half, opts.seeds)}
    for name, seeds in halves.items():
        if opts.only and opts.only != name:
            continue
        start = time.perf_counter()
        right, expected, extra = run(seeds, readers, show=opts.show)
        table(f"{name} seeds {seeds.start}-{seeds.stop - 1}", right, expected, extra)
        print(f"{(time.perf_counter() - start) / len(seeds):.1f} s per page")


if __name__ == "__main__":
    main()
