"""RecognizeTable on generated tables: right row × column count, and cells read exactly right.

    python -m benchmarks.tables                    # the production path (operations.table.run)
    python -m benchmarks.tables --reading page     # the page read once, words put in cells
    python -m benchmarks.tables --per-kind 2 --settings '{"makeBinarization": false}'

Per kind (ruled, unruled, zebra, merged; 200 and 300 dpi each): tables whose shape is right
(%), cells whose text equals the truth after whitespace normalisation (% of the cells of all
tables; a table with the wrong shape counts all its cells wrong), wall and CPU seconds per
table (the whole task: decode, preprocess, find the tables, read them, write the CSV).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import time
from collections import defaultdict
from dataclasses import replace

from benchmarks.tables.generate import KINDS, TableSample, benchmark_set

from ocrhive.domain.recognition import (
    BOOLEAN_DEFAULTS,
    Family,
    RecognitionSettings,
    ResultTypeTable,
)
from ocrhive.engines.tesseract import TesseractEngine
from ocrhive.operations import table
from ocrhive.pipeline import PipelineOptions, Readers
from ocrhive.tables.extract import Reading
from ocrhive.tables.formats import render_csv


def _norm(text: str) -> str:
    return " ".join(text.split())


def score(sample: TableSample, csv_bytes: bytes) -> tuple[bool, int, list[tuple[str, str]]]:
    """(shape right, cells right, wrong cells as (truth, read)) of one CSV result."""
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8"))))
    shape_ok = len(rows) == len(sample.cells) and all(len(r) == len(sample.cells[0]) for r in rows)
    if not shape_ok:
        return False, 0, [("shape", f"{len(rows)}×{len(rows[0]) if rows else 0}")]
    wrong = [
        (truth, read)
        for truth_row, read_row in zip(sample.cells, rows, strict=True)
        for truth, read in zip(truth_row, read_row, strict=True)
        if _norm(truth) != _norm(read)
    ]
    return True, sample.shape[0] * sample.shape[1] - len(wrong), wrong


def _settings(extra: dict[str, bool]) -> RecognitionSettings:
    defaults = BOOLEAN_DEFAULTS[Family.RECOGNIZE_TABLE]
    settings = RecognitionSettings(
        skew_correct=defaults.skew_correct,
        binarization=defaults.binarization,
        result_type_table=ResultTypeTable.CSV,
    )
    names = {"makeBinarization": "binarization", "makeSkewCorrect": "skew_correct"}
    return replace(settings, **{names[k]: v for k, v in extra.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=4, help="tables per kind and dpi")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--reading", choices=[r.value for r in Reading], default=None)
    parser.add_argument("--settings", default="{}", help="makeBinarization / makeSkewCorrect")
    parser.add_argument("--show", action="store_true", help="print every wrong cell")
    args = parser.parse_args()
    settings = _settings(json.loads(args.settings))
    readers = Readers(engine=TesseractEngine())
    reading = Reading(args.reading) if args.reading else None
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0.0, 0.0])
    for sample in benchmark_set(args.seed, args.per_kind):
        started, cpu = time.perf_counter(), time.process_time()
        if reading is None:
            outcome = table.run(sample.png(), settings, readers, PipelineOptions())
            result = outcome.results[0].data
        else:
            found, _, _ = table.read_tables(sample.image, settings, readers, reading=reading)
            result = render_csv(found.tables)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu
        shape_ok, right, wrong = score(sample, result)
        for key in (f"{sample.kind} {sample.dpi}", sample.kind, "all"):
            row = totals[key]
            row[0] += 1
            row[1] += shape_ok
            row[2] += right
            row[3] += sample.shape[0] * sample.shape[1]
            row[4] += seconds
            row[5] += cpu_seconds
        if args.show and wrong:
            print(f"  {sample.name} skew {sample.skew:+.2f}: {wrong}")
    print(
        f"reading={args.reading or 'production'} settings={args.settings} "
        f"per kind and dpi={args.per_kind}"
    )
    print(
        f"{'kind':<12} {'tables':>6} {'shape right':>11} {'cells right':>11} "
        f"{'s/table':>8} {'CPU s':>6}"
    )
    keys = [f"{k} {d}" for k in KINDS for d in (200, 300)] + list(KINDS) + ["all"]
    for key in keys:
        n, shapes, right, cells, seconds, cpu_seconds = totals[key]
        print(
            f"{key:<12} {n:>6.0f} {100 * shapes / n:>10.1f}% {100 * right / cells:>10.1f}% "
            f"{seconds / n:>8.2f} {cpu_seconds / n:>6.2f}"
        )


if __name__ == "__main__":
    main()
