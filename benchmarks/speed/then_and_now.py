"""Issue 8's cost bar, through the live service: receipts and clean pages read by the code of
the day the issue was filed ("then", commit ec97d7d: every page read by Tesseract) and by the
code of this checkout ("now"), in the same run, as ratios.

    python -m benchmarks.speed.then_and_now [--baseline ec97d7d] [--receipts 60] [--pages 8]
                                            [--rounds 2] [--quick]

The baseline's ``src`` is extracted with ``git archive`` into a temporary folder; two embedded
servers (``ocrhive serve --workers 2`` on 127.0.0.1, each on a temporary data folder) run side
by side: "now" from the installed package, "then" with ``PYTHONPATH`` on the extracted code.
Each round sends every workload to both, one server at a time, the order reversed every other
round. A batch goes through HTTP with the official SDK's RecognizeImage defaults; its wall time
runs from the first submit to the last completion, its CPU is user + system seconds of the
whole server tree. The mean CER of the Text results against the ground truth shows what the
cost buys. Issue 8 asks receipts to cost at most 2× and clean pages no more than then.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from benchmarks.accuracy import synthetic
from benchmarks.accuracy.metrics import cer
from benchmarks.speed import corpus
from benchmarks.speed.borndigital import text_of
from benchmarks.speed.cluster import Deployment, RunResult, run, start_embedded
from benchmarks.speed.live import DEFAULTS

#: the checkout this file belongs to
ROOT = Path(__file__).resolve().parents[2]
#: the code of the day issue 8 was filed
BASELINE = "ec97d7d"
#: what ``error.warnings`` says on a page RapidOCR read (the baseline never says it)
RAPIDOCR = "RapidOCR"
#: issue 8's bar on now/then wall time, per workload
BARS = {"receipts": "≤ 2×", "clean pages": "≤ 1×"}


@dataclass(frozen=True)
class Item:
    """One image sent to the service and the text it shows."""

    name: str
    data: bytes
    truth: str


@dataclass(frozen=True, kw_only=True)
class Measure:
    """One batch of one workload through one server."""

    seconds: float
    cpu_per_task: float
    cer: float
    #: tasks whose ``error.warnings`` say RapidOCR read them
    rapidocr: int
    tasks: int


@dataclass(frozen=True, kw_only=True)
class Sizes:
    receipts: int
    pages: int
    rounds: int


FULL = Sizes(receipts=60, pages=8, rounds=2)
QUICK = Sizes(receipts=4, pages=2, rounds=1)


# -- the two codes -----------------------------------------------------------------------------


def has_commit(commit: str) -> bool:
    """Whether this checkout's git history holds ``commit`` (False without git)."""
    try:
        found = subprocess.run(
            ["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"],
            capture_output=True,
            check=False,
        )
    except OSError:
        return False
    return found.returncode == 0


def extract_baseline(commit: str, into: Path) -> Path:
    """``src`` of ``commit`` extracted into ``into``; the folder to put on ``PYTHONPATH``.
    Exits with a message when git, the repository or the commit is missing."""
    if not has_commit(commit):
        raise SystemExit(
            f"cannot extract the baseline: commit {commit!r} is not in the git history of "
            f"{ROOT}, or git is missing; a checkout with its history (not a tarball or a "
            "shallow clone) is needed"
        )
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.Popen(
        ["git", "-C", str(ROOT), "archive", commit, "src"], stdout=subprocess.PIPE
    )
    untar = subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout, check=False)
    if archive.stdout is not None:
        archive.stdout.close()
    if archive.wait() != 0 or untar.returncode != 0:
        raise SystemExit(f"git archive {commit} src | tar -x failed")
    return into / "src"


def imported_from(env: dict[str, str]) -> Path:
    """The ``ocrhive`` package this interpreter imports with ``env`` added (as the server's
    ``python -m ocrhive.cli`` does)."""
    out = subprocess.run(
        [sys.executable, "-c", "import ocrhive; print(ocrhive.__file__)"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return Path(out.stdout.strip()).parent


def now_label() -> str:
    """This checkout's commit, and whether ``src`` has changes not committed yet."""
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{head or 'HEAD'}{' + uncommitted changes in src' if dirty else ''}"


def baseline_env(src: Path) -> dict[str, str]:
    """The environment that makes ``python -m ocrhive.cli`` run the code in ``src``."""
    inherited = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(src), inherited]))}


def start_servers(stack: ExitStack, tmp: Path, commit: str) -> dict[str, Deployment]:
    """The "then" and "now" servers, each checked to import the code it is meant to run."""
    src = extract_baseline(commit, tmp / "baseline")
    envs = {"then": baseline_env(src), "now": {}}
    for name, env in envs.items():
        where = imported_from(env)
        if (name == "then") != where.is_relative_to(src):
            raise SystemExit(f"the {name!r} server would import ocrhive from {where}")
        print(f"{name}: ocrhive from {where}", flush=True)
    return {name: start_embedded(stack, tmp / name, 2, env=env) for name, env in envs.items()}


# -- workloads -------------------------------------------------------------------------------


def receipts(count: int) -> list[Item]:
    """The first ``count`` shared receipts and their ground truth."""
    return [
        Item(p.stem, p.read_bytes(), p.with_suffix(".gt.txt").read_text(encoding="utf-8"))
        for p in corpus.receipts(count)
    ]


def pages(count: int) -> list[Item]:
    """``count`` generated clean 300-dpi pages (the accuracy benchmark's) and their text."""
    out = []
    for name, image, truth in synthetic.clean_pages(count=count):
        image.info["dpi"] = (corpus.DPI, corpus.DPI)
        out.append(Item(name, corpus.png(image), truth))
    return out


def warnings_of(envelope: dict[str, object]) -> list[str]:
    """The task's ``error.warnings`` (none when the envelope has no error object)."""
    error = envelope.get("error")
    found = error.get("warnings") if isinstance(error, dict) else None
    return [str(w) for w in found or []]


def measure(dep: Deployment, items: list[Item]) -> Measure:
    """One batch of ``items`` through ``dep`` with the SDK's defaults."""
    result: RunResult = run(dep, [i.data for i in items], DEFAULTS)
    texts = [text_of(e) for e in result.envelopes]
    return Measure(
        seconds=result.seconds,
        cpu_per_task=sum(result.cpu_by_role.values()) / result.tasks,
        cer=statistics.fmean(cer(i.truth, t) for i, t in zip(items, texts, strict=True)),
        rapidocr=sum(any(RAPIDOCR in w for w in warnings_of(e)) for e in result.envelopes),
        tasks=result.tasks,
    )


def check_engines(name: str, m: Measure) -> None:
    """The baseline never reads with RapidOCR: a RapidOCR warning from "then" means the
    server ran other code than the baseline's."""
    if name == "then" and m.rapidocr:
        raise SystemExit(f"the 'then' server read {m.rapidocr} images with RapidOCR")


def schedule(rounds: int, names: list[str]) -> Iterator[tuple[int, str]]:
    """(round, server) in running order: the order reverses every other round."""
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            yield r, name


Results = dict[str, dict[str, list[Measure]]]


def measure_rounds(
    servers: dict[str, Deployment], workloads: dict[str, list[Item]], rounds: int
) -> Results:
    """Every workload through both servers per round; measures by workload, then server."""
    results: Results = {w: {name: [] for name in servers} for w in workloads}
    for r, name in schedule(rounds, list(servers)):
        for workload, items in workloads.items():
            m = measure(servers[name], items)
            check_engines(name, m)
            results[workload][name].append(m)
            print(
                f"round {r + 1} {name:4s} {workload:12s} {m.seconds:7.2f} s  "
                f"CPU {m.cpu_per_task:6.2f} s/task  CER {m.cer:.4f}  "
                f"RapidOCR {m.rapidocr}/{m.tasks}",
                flush=True,
            )
    return results


# -- the table -------------------------------------------------------------------------------


def spread(values: list[float], digits: int = 2) -> str:
    """``min / median`` of ``values``."""
    return f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f}"


def row(workload: str, then: list[Measure], now: list[Measure]) -> str:
    """One Markdown table row: both servers' cost and CER, and now/then per round."""
    cells = [f"{workload} ({then[0].tasks})"]
    for runs in (then, now):
        cells += [
            spread([m.seconds for m in runs]),
            spread([m.cpu_per_task for m in runs]),
            f"{statistics.median(m.cer for m in runs):.4f}",
        ]
    pairs = list(zip(then, now, strict=True))
    cells += [
        spread([n.seconds / t.seconds for t, n in pairs]),
        spread([n.cpu_per_task / t.cpu_per_task for t, n in pairs]),
        BARS[workload],
    ]
    return "| " + " | ".join(cells) + " |"


def table(results: Results) -> str:
    """The Markdown table of every workload, min / median over rounds."""
    head = (
        "| workload (images) | then wall s | then CPU s/task | then CER "
        "| now wall s | now CPU s/task | now CER | now/then wall | now/then CPU | issue 8 |"
    )
    lines = [head, "|" + "---|" * 10]
    lines += [row(w, by["then"], by["now"]) for w, by in results.items()]
    return "\n".join(lines)


def engine_note(results: Results) -> str:
    """How many images each server read with RapidOCR in its last round."""
    return "; ".join(
        f"{w}: RapidOCR read then {by['then'][-1].rapidocr}, now {by['now'][-1].rapidocr} "
        f"of {by['now'][-1].tasks}"
        for w, by in results.items()
    )


# -- main ------------------------------------------------------------------------------------


def sizes_from(args: argparse.Namespace) -> Sizes:
    """The sizes of ``--quick`` or the full run, each overridden by its own option."""
    base = QUICK if args.quick else FULL
    return Sizes(
        receipts=args.receipts or base.receipts,
        pages=args.pages or base.pages,
        rounds=args.rounds or base.rounds,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help="the commit of 'then'")
    parser.add_argument("--receipts", type=int, help="dev receipts (all 60)")
    parser.add_argument("--pages", type=int, help="generated clean pages (8)")
    parser.add_argument("--rounds", type=int, help="rounds (2)")
    parser.add_argument("--quick", action="store_true", help="4 receipts, 2 pages, 1 round")
    args = parser.parse_args(argv)
    sizes = sizes_from(args)
    workloads = {"receipts": receipts(sizes.receipts), "clean pages": pages(sizes.pages)}
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ocrhive-then-now-")))
        servers = start_servers(stack, tmp, args.baseline)
        # engines' first use (a worker loads RapidOCR on its first receipt), page cache
        warm = [i.data for items in workloads.values() for i in items[:2]]
        for dep in servers.values():
            run(dep, warm, DEFAULTS)
        results = measure_rounds(servers, workloads, sizes.rounds)
    print(
        f"\nthen = {args.baseline}, now = {now_label()}; RecognizeImage with the SDK's "
        f"defaults, 2 workers each; min / median of {sizes.rounds} round(s)\n"
    )
    print(table(results))
    print(f"\n{engine_note(results)}")
    return 0


if __name__ == "__main__":
    # SIGTERM runs the same clean-up (the servers stopped) as Ctrl-C and errors do
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    raise SystemExit(main())
