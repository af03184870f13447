"""What a person sees while a batch runs and after: a live progress bar, then a summary."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


@dataclass
class Tally:
    """Counts of a batch, kept as files finish.

    Attributes:
        total: files to read in this run (skipped ones not included).
        skipped: files whose outputs existed already.
        done: files read and written.
        failed: each failed file with its reason, in the order they failed.
        pages: pages read so far.
        waits: answers 429/503/507 that were waited out (Retry-After).
    """

    total: int
    skipped: int = 0
    done: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    waits: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def pending(self) -> int:
        """Files not finished yet (queued or in flight)."""
        return self.total - self.done - len(self.failed)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed if self.elapsed > 0 else 0.0


class BatchProgress:
    """A rich progress bar of files done, failed and pending, and pages per second.

    On a terminal the bar is redrawn in place; elsewhere (a pipe, a log file) rich draws it
    once at the end, so logs still show where the batch ended.

    Args:
        tally: the counts to show (updated by the caller through :meth:`file_done` and
            :meth:`file_failed`).
        console: where to draw (standard error by default, keeping standard output for the
            summary).
    """

    def __init__(self, tally: Tally, console: Console | None = None) -> None:
        self.tally = tally
        self.console = console or Console(stderr=True)
        self._progress = Progress(
            TextColumn("[bold]recognize"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "[green]{task.fields[done]} done[/] · [red]{task.fields[failed]} failed[/] · "
                "[yellow]{task.fields[pending]} pending[/] · {task.fields[rate]} pages/s"
            ),
            TimeElapsedColumn(),
            console=self.console,
        )
        self._task = self._progress.add_task("files", total=tally.total, **self._fields())

    def _fields(self) -> dict[str, Any]:
        t = self.tally
        return {
            "done": t.done,
            "failed": len(t.failed),
            "pending": t.pending,
            "rate": f"{t.pages_per_second:.2f}",
        }

    def _update(self) -> None:
        finished = self.tally.done + len(self.tally.failed)
        self._progress.update(self._task, completed=finished, **self._fields())

    def file_done(self, pages: int) -> None:
        """A file was read and its results written."""
        self.tally.done += 1
        self.tally.pages += pages
        self._update()

    def file_failed(self, shown: str, reason: str) -> None:
        """A file could not be read; ``reason`` goes into the summary."""
        self.tally.failed.append((shown, reason))
        self._update()

    def __enter__(self) -> BatchProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._update()
        self._progress.stop()


def print_summary(tally: Tally, console: Console, errors: Console) -> None:
    """The end of a run: counts and rate on ``console``, then one line per failed file on
    ``errors`` (``failed: PATH: REASON``, never wrapped, so scripts can read it)."""
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(justify="right")
    table.add_column()
    table.add_row("[green]done", str(tally.done))
    table.add_row("[red]failed", str(len(tally.failed)))
    table.add_row("skipped", f"{tally.skipped} (results already there)")
    table.add_row(
        "pages", f"{tally.pages} in {tally.elapsed:.1f} s ({tally.pages_per_second:.2f}/s)"
    )
    if tally.waits:
        table.add_row("[yellow]busy", f"the server asked to wait {tally.waits} time(s)")
    console.print(table)
    for shown, reason in tally.failed:
        errors.print(f"failed: {shown}: {reason}", markup=False, highlight=False, soft_wrap=True)
