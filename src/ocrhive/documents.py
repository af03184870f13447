"""A multi-page document read by every idle worker: its pages are page jobs that its own worker
(the owner) and any helper claim one at a time; each page's result parts go to the task store,
and the owner assembles them in page order. No I/O ports here: the service hands in the task's
page-job verbs (:class:`PageJobs`), as the pipeline's callers hand in its page-count hook.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

import structlog
from PIL import Image

from ocrhive.domain.recognition import ArtifactKind, Family, RecognitionSettings
from ocrhive.domain.task import Artifact, Outcome, PageJob, PageState
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.errors import TaskFailed, TimeLimitExceeded
from ocrhive.ingest.decode import image_dpi
from ocrhive.ingest.pages import PageSource
from ocrhive.ingest.textlayer import TREE_DPI, TextLayer
from ocrhive.pipeline import (
    PageCountHook,
    PipelineOptions,
    Readers,
    for_reading,
    read_page,
    shows_image,
)
from ocrhive.render import DocumentRenderer
from ocrhive.render.parts import PagePart, decode_part, encode_part, make_part

log = structlog.get_logger("ocrhive.documents")

#: the families whose pages are spread over the workers (RecognizePdf: PDFs and TIFFs)
FAMILIES = frozenset({Family.RECOGNIZE_PDF})
#: how often the owner looks whether the other workers' pages are in, seconds
WAIT_STEP = 0.05


class PageJobs(Protocol):
    """The page-job verbs of one running document task, for one worker."""

    def open(self, count: int) -> None:
        """Make the document's ``count`` pages page jobs and invite idle workers to help."""
        ...

    def claim(self) -> int | None:
        """The next open page for this worker (0-based), or None."""
        ...

    def done(self, index: int, part: bytes) -> bool:
        """Store page ``index``'s result part; False when the page or task is not ours any
        more (cancelled, ended, given to another)."""
        ...

    def failed(self, index: int, message: str) -> bool:
        """Record that page ``index`` cannot be read (the task fails with ``message``)."""
        ...

    def progress(self) -> list[PageJob]:
        """Every page job of the task; empty once the task is gone or final."""
        ...

    def load(self, index: int) -> bytes | None:
        """Page ``index``'s stored result part."""
        ...


class _Gone(TaskFailed):
    """The task was cancelled or ended elsewhere while its pages were read."""


def page_message(index: int, message: str) -> str:
    """``message`` about page ``index`` (0-based), naming the page once."""
    number = f"Page {index + 1}"
    return message if message.startswith(number) else f"{number}: {message}"


def read_part(
    source: PageSource, index: int, settings: RecognitionSettings, readers: Readers
) -> bytes:
    """Page ``index`` of ``source`` decoded, read and encoded as its result part.

    Raises:
        TaskFailed: the page cannot be read (the message names the page).
    """
    try:
        layer = source.text_layer(index)
        if layer is not None:
            return encode_part(own_text_part(source, index, layer, settings))
        image = for_reading(source.page(index), keep_colour=shows_image(settings))
        read = read_page(image, settings, readers, segmentation_for(settings.dsr_mode))
        del image
        part = make_part(
            read.page,
            read.image,
            settings.result_type.artifacts,
            first=index == 0,
            warnings=read.warnings,
        )
    except TaskFailed as exc:
        raise type(exc)(page_message(index, exc.message)) from None
    return encode_part(part)


#: what a page read from its text layer says in ``error.warnings``
OWN_TEXT_NOTE = "Read from the PDF's own text layer (born-digital page), not OCRed."


def own_text_part(
    source: PageSource, index: int, layer: TextLayer, settings: RecognitionSettings
) -> PagePart:
    """A born-digital page's part: its own text, exact; the PDF result keeps the original
    page (put back by :func:`keep_own_pages`), so only ImagePNG needs its pixels."""
    kinds = settings.result_type.artifacts
    image = _BLANK
    if index == 0 and ArtifactKind.IMAGE_PNG in kinds:
        image = for_reading(source.page(index), keep_colour=True)
    # boxes in the rendered image's pixels when there is one (it is rendered at 300 dpi)
    page = layer.page(dpi=image_dpi(image) or TREE_DPI) if image is not _BLANK else layer.page()
    part = make_part(page, image, kinds, first=index == 0, warnings=(OWN_TEXT_NOTE,))
    return replace(part, own_page=True)


#: the stand-in image of a born-digital page in the PDF before its own page is put back
_BLANK = Image.new("L", (1, 1), 255)


def keep_own_pages(
    outcome: Outcome, data: bytes, options: PipelineOptions, own: list[bool]
) -> Outcome:
    """``outcome`` with its searchable PDF's born-digital pages replaced by the originals."""
    if not any(own) or not any(a.kind is ArtifactKind.PDF for a in outcome.results):
        return outcome
    source = PageSource(data, options.limits, all_pages=True)
    try:
        results = tuple(
            Artifact(kind=a.kind, data=source.with_own_pages(a.data, own))
            if a.kind is ArtifactKind.PDF
            else a
            for a in outcome.results
        )
    finally:
        source.close()
    return replace(outcome, results=results)


def _read_own(
    source: PageSource, index: int, settings: RecognitionSettings, readers: Readers, jobs: PageJobs
) -> None:
    """Read a claimed page and store it; a failure is recorded before it ends the task."""
    try:
        part = read_part(source, index, settings, readers)
    except TaskFailed as exc:
        jobs.failed(index, exc.message)
        raise
    except MemoryError:
        message = page_message(index, "The worker ran out of memory reading this page.")
        jobs.failed(index, message)
        raise TaskFailed(message) from None
    except Exception as exc:  # a bug or an engine fault: the page fails, the worker lives on
        log.exception("page_crashed", page=index + 1)
        message = page_message(
            index, f"Internal error while reading this page ({type(exc).__name__})."
        )
        jobs.failed(index, message)
        raise TaskFailed(message) from None
    if not jobs.done(index, part):
        raise _Gone("The task ended while its pages were being read.")


def run(
    data: bytes,
    settings: RecognitionSettings,
    readers: Readers,
    options: PipelineOptions,
    jobs: PageJobs,
    *,
    on_page_count: PageCountHook,
    pause: Callable[[float], object] = time.sleep,
) -> Outcome:
    """Read a document as its owner: open its pages as page jobs, read pages until none is
    left open, wait for the helpers' pages (taking back any reopened one), then assemble
    every page's part in page order.

    Raises:
        TaskFailed: the document or one of its pages cannot be read (the message names the
            page), the time limit passed, or the task ended elsewhere.
    """
    source = PageSource(data, options.limits, all_pages=True)
    try:
        count = source.count
        limit = on_page_count(count)
        deadline = time.monotonic() + limit
        if count == 1:  # nothing to share: read it here, nothing stored
            part = read_part(source, 0, settings, readers)
            single = assemble(1, settings, lambda _: part)
            return keep_own_pages(single, data, options, single_own(part))
        jobs.open(count)
        while True:
            index = jobs.claim()
            if index is not None:
                _read_own(source, index, settings, readers, jobs)
                continue
            pages = jobs.progress()
            if not pages:
                raise _Gone("The task ended while its pages were being read.")
            failed = next((p for p in pages if p.state is PageState.FAILED), None)
            if failed is not None:
                raise TaskFailed(page_message(failed.index, failed.message))
            done = sum(1 for p in pages if p.state is PageState.DONE)
            if done == count:
                break
            if time.monotonic() > deadline:
                raise TimeLimitExceeded(
                    f"Stopped after {done} of {count} pages: the task exceeded this server's "
                    f"time limit of {limit:g} s for a {count}-page document."
                )
            pause(WAIT_STEP)
    finally:
        source.close()
    own: list[bool] = []
    outcome = assemble(count, settings, jobs.load, own=own)
    return keep_own_pages(outcome, data, options, own)


def single_own(part: bytes) -> list[bool]:
    return [decode_part(part).own_page]


def assemble(
    count: int,
    settings: RecognitionSettings,
    load: Callable[[int], bytes | None],
    *,
    own: list[bool] | None = None,
) -> Outcome:
    """Every page's part, loaded one at a time and in order, through the renderers;
    ``own`` hears, page by page, whether it was read from its own text layer."""
    renderer = DocumentRenderer(settings.result_type.artifacts)
    warnings: list[str] = []
    for index in range(count):
        data = load(index)
        if data is None:
            raise _Gone("The task ended while its pages were being assembled.")
        part = decode_part(data)
        del data
        renderer.add_part(part)
        if own is not None:
            own.append(part.own_page)
        warnings += [f"Page {index + 1}: {n}" if count > 1 else n for n in part.warnings]
    return Outcome(results=renderer.finish(), warnings=tuple(warnings))


def help_read(
    data: bytes,
    settings: RecognitionSettings,
    readers: Readers,
    options: PipelineOptions,
    jobs: PageJobs,
    *,
    yield_to: Callable[[], bool] | None = None,
) -> int:
    """Read open pages of another worker's document until none is left (or ``yield_to``
    says other work waits); returns how many pages this worker read. A page that cannot be
    read is recorded as failed, which fails the task: the owner reports it."""
    source: PageSource | None = None
    read = 0
    try:
        while yield_to is None or not yield_to():
            index = jobs.claim()
            if index is None:
                break
            if source is None:
                # opened only once there is a page to read: a PDF costs a renderer process
                try:
                    source = PageSource(data, options.limits, all_pages=True)
                except TaskFailed as exc:
                    jobs.failed(index, page_message(index, exc.message))
                    break
            try:
                _read_own(source, index, settings, readers, jobs)
            except TaskFailed:
                break
            read += 1
    finally:
        if source is not None:
            source.close()
    return read
