"""Page-orientation detectors on real receipts and generated pages turned 0/90/180/270°.

Usage (from the repository root, with the virtualenv active)::

    python -m benchmarks.orientation.run                    # detectors × sets: turns and ms
    python -m benchmarks.orientation.run --cer              # plus end-to-end CER on receipts
    python -m benchmarks.orientation.run --sets receipts -v # one line per case

A detector's answer on a page turned ``t`` clockwise is *correct* when it is ``(360 - t) % 360``
(for an upright page: 0), *wrong* when it is any other number, an *abstention* when None. A
wrong turn of an upright page is the worst outcome and is counted on its own.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.accuracy import synthetic
from PIL import Image
from tests.conftest import text_page
from tests.textmetrics import cer

from ocrhive import preprocess
from ocrhive.domain.recognition import RecognitionSettings
from ocrhive.engines.base import EngineRequest
from ocrhive.engines.orientation import PageOrientation
from ocrhive.engines.osd import OsdOrientation
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.preprocess.rotate import rotate
from ocrhive.render.text import page_text

RECEIPTS = Path("/work/shared/datasets/dev-receipts")
TURNS = (0, 90, 180, 270)
Detector = Callable[[Image.Image], tuple[int, float] | None]


def receipts() -> Iterator[tuple[str, Image.Image]]:
    """The dev receipts, upright, read in place."""
    for path in sorted(RECEIPTS.glob("*.jpg")):
        with Image.open(path) as image:
            yield path.stem, image.convert("RGB")


def generated() -> Iterator[tuple[str, Image.Image]]:
    """Generated upright pages: every damage of the accuracy set (not its turned pages), and
    the tests' pangram page at two sizes."""
    for sample in synthetic.degraded_set(seed=7, count=6):
        if sample.category != "rotated":
            yield sample.name, sample.image
    yield "pangrams-36", text_page()
    yield "pangrams-20", text_page(size=20, width=800)


SETS: dict[str, Callable[[], Iterator[tuple[str, Image.Image]]]] = {
    "receipts": receipts,
    "generated": generated,
}


@dataclass
class Tally:
    correct: int = 0
    wrong: int = 0
    abstain: int = 0
    wrong_upright: int = 0
    ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, case: str, turn: int, answer: tuple[int, float] | None, ms: float) -> str:
        self.ms.append(ms)
        want = (360 - turn) % 360
        if answer is None:
            self.abstain += 1
            if turn:
                self.misses.append(f"{case}@{turn}:none")
            return "abstain"
        if answer[0] % 360 == want:
            self.correct += 1
            return "correct"
        self.wrong += 1
        self.wrong_upright += turn == 0
        self.misses.append(f"{case}@{turn}:{answer[0]}")
        return "WRONG"

    def row(self, detector: str, name: str) -> str:
        ms = sorted(self.ms)
        p90 = ms[int(0.9 * (len(ms) - 1))]
        return (
            f"| {name} | {detector} | {len(ms)} | {self.correct} | {self.wrong} "
            f"({self.wrong_upright} upright) | {self.abstain} | "
            f"{statistics.mean(ms):.0f} / {statistics.median(ms):.0f} / {p90:.0f} |"
        )


def detectors(names: list[str]) -> dict[str, Detector]:
    made: dict[str, Detector] = {}
    for name in names:
        if name == "osd":
            made[name] = OsdOrientation()
        elif name == "page":
            made[name] = PageOrientation()
        elif name == "page-osd-first":
            made[name] = PageOrientation(osd_first=True)
        else:
            raise SystemExit(f"unknown detector {name}")
    return made


def turns_table(sets: list[str], names: list[str], verbose: bool) -> None:
    found = detectors(names)
    print("| set | detector | cases | correct | wrong | abstain | ms mean / median / p90 |")
    print("|---|---|---|---|---|---|---|")
    for set_name in sets:
        pages = list(SETS[set_name]())
        for det_name, detector in found.items():
            tally = Tally()
            for case, page in pages:
                for turn in TURNS:
                    image = synthetic.turn(page, turn)
                    start = time.perf_counter()
                    answer = detector(image)
                    ms = 1000 * (time.perf_counter() - start)
                    verdict = tally.add(case, turn, answer, ms)
                    if verbose:
                        print(f"  {det_name} {case} @{turn}: {answer} {verdict} {ms:.0f} ms")
            print(tally.row(det_name, set_name), flush=True)
            if tally.misses:
                print(f"    missed: {' '.join(tally.misses)}", flush=True)


def cer_table(names: list[str], no_veto: bool) -> None:
    """Receipts through ``preprocess.apply`` (defaults: makeSkewCorrect) and the engine.

    With ``no_veto`` the detector's turn is applied before the chain (which then only deskews),
    as the chain would do without its line-sharpness veto on quarter turns.
    """
    engine = TesseractEngine()
    found = detectors(names)

    def read(image: Image.Image, detector: Detector | None) -> tuple[str, int]:
        turn = 0
        if no_veto and detector is not None:
            answer = detector(image)
            turn = answer[0] % 360 if answer else 0
            image, detector = rotate(image, turn), None
        prepared = preprocess.apply(image, RecognitionSettings(), detector)
        text = page_text(engine.recognize(prepared.image, EngineRequest()))
        return text, (prepared.rotation + turn) % 360

    print(
        "| receipt | truth CER upright | "
        + " | ".join(f"{d} ratio @{t}" for d in found for t in TURNS[1:])
        + " |"
    )
    print("|---" * (2 + 3 * len(found)) + "|")
    worst: dict[str, float] = {}
    for case, page in receipts():
        truth = (RECEIPTS / f"{case}.gt.txt").read_text(encoding="utf-8")
        upright, _ = read(page, None)
        base = cer(upright, truth)
        cells = []
        for det_name, detector in found.items():
            for turn in TURNS[1:]:
                text, rotation = read(synthetic.turn(page, turn), detector)
                # the acceptance bar: CER of the turned page ≤ 1.2 × the upright page's
                ratio = cer(text, truth) / max(base, 1e-3)
                fixed = (turn + rotation) % 360 == 0
                cells.append(f"{ratio:.2f}{'' if fixed else ' (not turned)'}")
                worst[det_name] = max(worst.get(det_name, 0.0), ratio)
            # an upright page must come back untouched
            _, rotation = read(page, detector)
            if rotation:
                cells[-1] += f" UPRIGHT TURNED {rotation}"
        print(f"| {case} | {base:.3f} | " + " | ".join(cells) + " |", flush=True)
    for det_name, ratio in worst.items():
        print(f"worst ratio, {det_name}: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="receipts,generated")
    parser.add_argument("--detectors", default="osd,page")
    parser.add_argument("--cer", action="store_true", help="end-to-end CER on the receipts")
    parser.add_argument(
        "--no-veto", action="store_true", help="apply turns without the chain's 90/270 veto"
    )
    parser.add_argument("--no-turns", action="store_true", help="skip the turns table")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    names = args.detectors.split(",")
    if not args.no_turns:
        turns_table(args.sets.split(","), names, args.verbose)
    if args.cer:
        cer_table(names, args.no_veto)


if __name__ == "__main__":
    main()
