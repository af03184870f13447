"""Compare Tesseract and RapidOCR per language on generated pages and the shared receipts.

Usage (from the repository root, with the virtualenv active)::

    python -m benchmarks.engines.compare            # every set
    python -m benchmarks.engines.compare zh ja      # only the named sets

Needs the Tesseract models of the sets it runs (chi_sim, jpn from Debian's tesseract-ocr-*
packages) and a CJK font (fonts-wqy-zenhei) for the Chinese and Japanese pages.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.accuracy import metrics, synthetic
from benchmarks.engines import pages
from PIL import Image

from ocrhive.domain.recognition import Language
from ocrhive.engines.base import Engine, EngineRequest
from ocrhive.engines.rapidocr import RapidOcrEngine
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.render.text import page_text

Sample = tuple[str, Image.Image, str]


def _cjk(lines: tuple[str, ...], size: int) -> list[Sample]:
    out = []
    for start in range(0, len(lines), 3):
        image, truth = pages.cjk_page(lines[start : start + 3], size_px=size)
        out.append((f"{start}-{size}", image, truth))
    return out


SETS: dict[str, tuple[Language, Callable[[], list[Sample]]]] = {
    "en-clean": (Language.ENGLISH, lambda: list(synthetic.clean_pages(count=4))),
    "en-2col": (Language.ENGLISH, lambda: [(f"c{i}", *pages.two_columns(i)) for i in range(3)]),
    "en-receipts": (Language.ENGLISH, pages.receipts),
    "zh": (Language.CHINESE, lambda: _cjk(pages.CHINESE, 40) + _cjk(pages.CHINESE, 24)),
    "ja": (Language.JAPANESE, lambda: _cjk(pages.JAPANESE, 40) + _cjk(pages.JAPANESE, 24)),
}


def _cer(truth: str, found: str, language: Language) -> float:
    if language in (Language.CHINESE, Language.JAPANESE):
        # CJK has no spaces between words; engines disagree on inserting them
        return metrics.cer("".join(truth.split()), "".join(found.split()))
    return metrics.cer(truth, found)


def main(names: list[str]) -> None:
    engines: dict[str, Engine] = {"tesseract": TesseractEngine(), "rapidocr": RapidOcrEngine()}
    print("| set | engine | CER % | bag-F1 % | s/page |")
    print("|---|---|---:|---:|---:|")
    for set_name in names or list(SETS):
        language, make = SETS[set_name]
        samples = make()
        for engine_name, engine in engines.items():
            engine.recognize(samples[0][1], EngineRequest(language=language))  # load models
            cers, f1s, times = [], [], []
            for _name, image, truth in samples:
                start = time.perf_counter()
                page = engine.recognize(image, EngineRequest(language=language))
                times.append(time.perf_counter() - start)
                found = page_text(page)
                cers.append(_cer(truth, found, language))
                f1s.append(metrics.bag_f1(truth, found))
            print(
                f"| {set_name} | {engine_name} | {100 * statistics.mean(cers):.1f} "
                f"| {100 * statistics.mean(f1s):.1f} | {statistics.mean(times):.2f} |",
                flush=True,
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the process (both engines loaded): {peak:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
