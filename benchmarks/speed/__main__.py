"""One command for issue 9's measures: the same images through the bare engine, the CLI peer and
the live service, printed as ratios side by side.

    python -m benchmarks.speed [--pages 40] [--receipts 30] [--rounds 3] [--quick]

* clean pages (generated A4 at 300 dpi) and receipts (``dev-receipts``, read in place) through
  bare tesserocr in 2 processes (the limit), the ``tesseract`` command per image 2 at a time,
  and ``ocrhive serve --workers 2`` with every flag off and with the SDK's defaults;
* a generated scanned PDF (RecognizePdf with the SDK's defaults) on ``--workers 1`` and ``2``;
* a born-digital PDF (its own text layer) against the same pages scanned, and their CER;
* uploads: the API process's resident memory during and after one large upload and 10 at once;
* polling: GET latency of a finished task with 10 000 tasks stored.

Rounds alternate their order (the machine is shared and noisy); ratios are per round, then the
median. CPU is user + system seconds of every process involved (the whole server tree).
``--quick`` runs tiny sizes end to end (the test suite checks that it works).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path

from benchmarks.accuracy.metrics import cer
from benchmarks.speed import borndigital, corpus, live, peers
from benchmarks.speed.cluster import Deployment, start_embedded
from benchmarks.speed.pages import read

from ocrhive.broker.memory import MemoryBroker
from ocrhive.logs import configure_logging
from ocrhive.service import LifecyclePolicy, OcrService
from ocrhive.store.sqlite import SqliteStore


@dataclass(frozen=True, kw_only=True)
class Sizes:
    pages: int
    receipts: int
    rounds: int
    pdf_pages: int
    upload_mb: float
    concurrent_uploads: int
    concurrent_mb: float
    stored_tasks: int
    gets: int


FULL = Sizes(
    pages=40,
    receipts=30,
    rounds=3,
    pdf_pages=40,
    upload_mb=16.5,
    concurrent_uploads=10,
    concurrent_mb=20.0,
    stored_tasks=10_000,
    gets=2000,
)
QUICK = Sizes(
    pages=2,
    receipts=2,
    rounds=1,
    pdf_pages=2,
    upload_mb=1.0,
    concurrent_uploads=2,
    concurrent_mb=1.0,
    stored_tasks=50,
    gets=50,
)


#: the command-line options that override a size
SIZE_OPTIONS = ("pages", "receipts", "rounds", "pdf_pages")


def start_server(
    stack: ExitStack, folder: Path, workers: int, prefill: int = 0
) -> tuple[Deployment, str | None]:
    """``ocrhive serve --workers N`` on a fresh data folder, logged in; with ``prefill``, that
    many Completed tasks stored before it starts (the id of one of them is returned)."""
    data = folder / "data"
    data.mkdir(parents=True)
    creds = live.register_client(data)
    stored = None
    if prefill:
        store = SqliteStore(data / "ocrhive.sqlite3")
        stored = live.store_finished_tasks(
            OcrService(store, MemoryBroker(), policy=LifecyclePolicy()), creds["client_id"], prefill
        )
        store.close()
    return start_embedded(stack, folder, workers, creds=creds), stored


Runner = Callable[[], tuple[float, float]]


def rounds(runners: dict[str, Runner], count: int) -> dict[str, list[tuple[float, float]]]:
    """(seconds, CPU seconds) of each runner per round; the order reverses every other round."""
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in runners}
    names = list(runners)
    for r in range(count):
        for name in names if r % 2 == 0 else names[::-1]:
            seconds, cpu = runners[name]()
            out[name].append((seconds, cpu))
            print(f"  round {r + 1} {name:34s} {seconds:8.2f} s  CPU {cpu:8.2f} s", flush=True)
    return out


def ratio_table(title: str, results: dict[str, list[tuple[float, float]]], base: str) -> None:
    """Throughput and CPU per image of each runner relative to ``base`` (per round, median)."""
    print(f"\n{title}  (ratios to {base}: throughput = its time / this time; CPU = its / this)")
    print(f"  {'':34s} {'throughput':>10s} {'per round':>22s} {'CPU':>6s} {'s (median)':>11s}")
    for name, runs in results.items():
        per_round = [b[0] / r[0] for r, b in zip(runs, results[base], strict=True)]
        cpu = [b[1] / r[1] if r[1] else 0.0 for r, b in zip(runs, results[base], strict=True)]
        print(
            f"  {name:34s} {statistics.median(per_round):10.2f} "
            f"{' '.join(f'{x:.2f}' for x in per_round):>22s} {statistics.median(cpu):6.2f} "
            f"{statistics.median(r[0] for r in runs):11.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round")
    parser.add_argument("--pages", type=int)
    parser.add_argument("--receipts", type=int)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--pdf-pages", type=int)
    parser.add_argument("--skip", default="", help="comma list of: images,pdf,uploads,polling")
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    sizes = Sizes(
        **{
            **base.__dict__,
            **{k: v for k, v in vars(args).items() if k in SIZE_OPTIONS and v},
        }
    )
    skip = set(filter(None, args.skip.split(",")))
    configure_logging("warning")  # the prefilled store's thousands of task events
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # a session of our own, as every server started here has: with the kernel's autogroup
    # scheduling each session shares the CPU as one group, so the bare engine and the CLI peer
    # must not share theirs with whatever else the calling shell runs
    with suppress(PermissionError):
        os.setsid()
    if not peers.cli_available():
        raise SystemExit("the tesseract command is missing: run scripts/bench-system-deps.sh")
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ocrhive-speed-")))
        two, _ = start_server(stack, tmp / "two", 2)
        if "images" not in skip:
            measure_images(stack, tmp, two, sizes)
        if "pdf" not in skip or "polling" not in skip:
            one, stored = start_server(stack, tmp / "one", 1, prefill=sizes.stored_tasks)
            if "pdf" not in skip:
                pdf = corpus.scanned_pdf(sizes.pdf_pages)
                runners: dict[str, Runner] = {
                    f"{sizes.pdf_pages}-page PDF, --workers 1": lambda: _batch(
                        one, "RecognizePdf", [pdf], live.PDF_DEFAULTS
                    ),
                    f"{sizes.pdf_pages}-page PDF, --workers 2": lambda: _batch(
                        two, "RecognizePdf", [pdf], live.PDF_DEFAULTS
                    ),
                }
                print(f"\nPDF ({sizes.pdf_pages} scanned pages, RecognizePdf defaults)")
                results = rounds(runners, sizes.rounds)
                ratio_table("PDF", results, next(iter(runners)))
                measure_born_digital(two, sizes)
            if "polling" not in skip and stored is not None:
                latencies = live.get_latencies(one, stored, sizes.gets)
                print(
                    f"\npolling: GET of a finished task, {sizes.stored_tasks} tasks stored: "
                    f"p50 {1e3 * statistics.median(latencies):.2f} ms, "
                    f"p99 {1e3 * live.p99(latencies):.2f} ms ({len(latencies)} GETs)"
                )
        if "uploads" not in skip:
            one_up = live.measure_uploads(two, corpus.large_upload(sizes.upload_mb), 1)
            many = live.measure_uploads(
                two, corpus.large_upload(sizes.concurrent_mb), sizes.concurrent_uploads
            )
            print("\nuploads: API process RSS over its idle baseline")
            for label, up in (("one upload", one_up), (f"{many.uploads} at once", many)):
                print(
                    f"  {label:14s} {up.uploads} × {up.file_mib:.1f} MiB file: "
                    f"peak +{up.peak:.0f} MiB ({up.peak_per_file:.2f}× the files), "
                    f"2 s after +{up.after:.0f} MiB"
                )
    return 0


def measure_born_digital(two: Deployment, sizes: Sizes) -> None:
    """A born-digital PDF (its own text layer) against the same pages scanned, 2 workers."""
    lines = borndigital.page_lines(sizes.pdf_pages)
    truth = "\n".join("\n".join(page) for page in lines)
    digital = borndigital.text_pdf(lines)
    scanned = borndigital.scanned_pdf(digital)
    found: dict[str, str] = {}

    def reader(name: str, pdf: bytes) -> Runner:
        def run() -> tuple[float, float]:
            seconds, doc = read(two, pdf)
            found[name] = borndigital.text_of(doc)
            return seconds, 0.0

        return run

    runners = {
        f"{sizes.pdf_pages} pages scanned": reader("scanned", scanned),
        f"{sizes.pdf_pages} pages born-digital": reader("born-digital", digital),
    }
    print(f"\nborn-digital PDF ({sizes.pdf_pages} pages of Helvetica text, RecognizePdf Text)")
    results = rounds(runners, sizes.rounds)
    ratio_table("born-digital PDF", results, next(iter(runners)))
    for name, text in found.items():
        print(f"  CER {name}: {cer(truth, text):.4f}")


def _batch(
    dep: Deployment, family: str, files: list[bytes], settings: dict[str, object]
) -> tuple[float, float]:
    batch = live.run_batch(dep, family, files, settings)
    return batch.seconds, batch.cpu


def measure_images(stack: ExitStack, tmp: Path, two: Deployment, sizes: Sizes) -> None:
    """Clean pages and receipts through the bare engine, the CLI and the service."""
    folder = tmp / "pages"
    folder.mkdir()
    pages = corpus.clean_pages(sizes.pages)
    page_paths = []
    for i, data in enumerate(pages):
        path = folder / f"page{i:03d}.png"
        path.write_bytes(data)
        page_paths.append(path)
    receipt_paths = corpus.receipts(sizes.receipts)
    receipts = [p.read_bytes() for p in receipt_paths]
    bare = peers.BarePool(2)
    stack.callback(bare.close)
    bare.run(pages[:2] + receipts[:2])  # warm: models loaded, page cache
    rapid = peers.BarePool(2, engine="rapidocr")
    stack.callback(rapid.close)
    rapid.run(receipts[:2])
    live.run_batch(two, "RecognizeImage", pages[:1] + receipts[:1], live.DEFAULTS)
    for name, files, paths in (
        (f"{sizes.pages} clean 300-dpi pages", pages, page_paths),
        (f"{sizes.receipts} receipts", receipts, receipt_paths),
    ):

        def bare_run(files: list[bytes] = files) -> tuple[float, float]:
            t = bare.run(files)
            return t.seconds, t.cpu

        def cli_run(paths: list[Path] = paths) -> tuple[float, float]:
            t = peers.run_cli(paths, 2)
            return t.seconds, t.cpu

        def rapid_run(files: list[bytes] = files) -> tuple[float, float]:
            t = rapid.run(files)
            return t.seconds, t.cpu

        runners: dict[str, Runner] = {
            "bare tesserocr, 2 processes": bare_run,
            **({"bare RapidOCR, 2 processes": rapid_run} if paths is receipt_paths else {}),
            "tesseract CLI per image, 2 at a time": cli_run,
            "ocrhive, every flag off": lambda files=files: _batch(
                two, "RecognizeImage", files, live.FLAGS_OFF
            ),
            "ocrhive, defaults": lambda files=files: _batch(
                two, "RecognizeImage", files, live.DEFAULTS
            ),
        }
        print(f"\n{name}")
        results = rounds(runners, sizes.rounds)
        ratio_table(name, results, "bare tesserocr, 2 processes")
        ratio_table(name, results, "tesseract CLI per image, 2 at a time")


if __name__ == "__main__":
    raise SystemExit(main())
