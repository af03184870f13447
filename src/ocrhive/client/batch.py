"""A batch: every input file read through the server, a few at a time, results written."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console

from ocrhive.client.files import InputFile, count_pages, find_inputs, write_outputs
from ocrhive.client.progress import BatchProgress, Tally, print_summary
from ocrhive.client.session import ApiProblem, Credentials, RetryPolicy, Session
from ocrhive.domain.recognition import ArtifactKind, Language, ResultType

#: Result kinds that one task can produce together (``TextAndPdfAndHocr``); JSON and ImagePNG
#: are result types of their own, so asking for them as well costs a second task per file.
_COMBINABLE = (ArtifactKind.TEXT, ArtifactKind.PDF, ArtifactKind.HOCR)

_KIND_NAMES = {kind.value.casefold(): kind for kind in (*_COMBINABLE, ArtifactKind.JSON)}
_KIND_NAMES["imagepng"] = ArtifactKind.IMAGE_PNG

#: The trial family reads images only; its wire name.
_TRIAL, _IMAGE, _DOCUMENT = "RecognizeImageTrial", "RecognizeImage", "RecognizePdf"


class UsageError(Exception):
    """The command line cannot be carried out (exit code 2)."""


def parse_result_types(text: str) -> tuple[ArtifactKind, ...]:
    """``"Text,Pdf"`` (or ``"TextAndPdf"``, any case) → the artefact kinds, in wire order.

    Raises:
        UsageError: a name that is not a result type.
    """
    kinds: set[ArtifactKind] = set()
    for part in re.split(r",|and", text, flags=re.IGNORECASE):
        name = part.strip().casefold()
        if not name:
            continue
        if name not in _KIND_NAMES:
            allowed = ", ".join(k.value for k in _KIND_NAMES.values())
            raise UsageError(f"unknown result type {part.strip()!r}; choose from {allowed}")
        kinds.add(_KIND_NAMES[name])
    if not kinds:
        raise UsageError("no result type given")
    order = [*_COMBINABLE, ArtifactKind.JSON, ArtifactKind.IMAGE_PNG]
    return tuple(k for k in order if k in kinds)


def requests_for(kinds: Sequence[ArtifactKind]) -> list[ResultType]:
    """The fewest tasks per file that produce ``kinds``: one for Text/Pdf/Hocr together, one
    for JSON, one for ImagePNG."""
    together = frozenset(k for k in kinds if k in _COMBINABLE)
    out = [rt for rt in ResultType if together and frozenset(rt.artifacts) == together]
    out += [ResultType.JSON] if ArtifactKind.JSON in kinds else []
    out += [ResultType.IMAGE_PNG] if ArtifactKind.IMAGE_PNG in kinds else []
    return out


def parse_language(text: str) -> Language:
    """An Aspose language name in any case (``german`` → German).

    Raises:
        UsageError: not a language the API knows.
    """
    for language in Language:
        if language.value.casefold() == text.strip().casefold():
            return language
    raise UsageError(f"unknown language {text!r} (use the Aspose names: English, German, …)")


def credentials_from(
    client_id: str | None, client_secret: str | None, env: Mapping[str, str]
) -> Credentials | None:
    """The API client from the flags, else from OCRHIVE_CLIENT_ID/OCRHIVE_CLIENT_SECRET; None
    (the trial) when neither gives any.

    Raises:
        UsageError: an id without a secret or the reverse.
    """
    client_id = client_id or env.get("OCRHIVE_CLIENT_ID") or None
    client_secret = client_secret or env.get("OCRHIVE_CLIENT_SECRET") or None
    if client_id is None and client_secret is None:
        return None
    if client_id is None or client_secret is None:
        raise UsageError(
            "give both a client id and a client secret (--client-id/--client-secret or "
            "OCRHIVE_CLIENT_ID/OCRHIVE_CLIENT_SECRET), or neither to use the trial"
        )
    return Credentials(client_id=client_id, client_secret=client_secret)


@dataclass(frozen=True, kw_only=True)
class BatchOptions:
    """What ``ocrhive recognize`` was asked to do.

    Attributes:
        url: the server (``http://host:port``).
        paths: files and folders to read.
        kinds: the results wanted for every file.
        language: the language of the documents.
        out_dir: where results go; None writes them beside the inputs.
        jobs: files in flight at once.
        credentials: the API client, or None for the trial (images only).
        retry: waiting on 429/503/507 and unreachable servers.
    """

    url: str
    paths: Sequence[Path]
    kinds: tuple[ArtifactKind, ...] = (ArtifactKind.TEXT,)
    language: Language = Language.ENGLISH
    out_dir: Path | None = None
    jobs: int = 4
    credentials: Credentials | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)


async def _read_one(
    session: Session, file: InputFile, options: BatchOptions
) -> tuple[dict[ArtifactKind, bytes], int]:
    """One file's artefacts and page count; ApiProblem says why it could not be read."""
    if file.document and session.trial:
        raise ApiProblem(
            "a PDF or multi-page TIFF is read by RecognizePdf, which needs credentials "
            "(--client-id/--client-secret or OCRHIVE_CLIENT_ID/OCRHIVE_CLIENT_SECRET); "
            "the trial reads images only"
        )
    family = _DOCUMENT if file.document else _TRIAL if session.trial else _IMAGE
    try:
        data = await asyncio.to_thread(file.path.read_bytes)
    except OSError as exc:
        raise ApiProblem(f"cannot read the file: {exc.strerror or exc}") from exc
    artefacts: dict[ArtifactKind, bytes] = {}
    pages = 0
    for result_type in requests_for(options.kinds):
        settings = {"language": options.language.value, "resultType": result_type.value}
        outcome = await session.recognize(family, data, settings)
        missing = [k.value for k in result_type.artifacts if k not in outcome.artefacts]
        if missing:
            raise ApiProblem(f"the server returned no {', '.join(missing)} result")
        artefacts.update(outcome.artefacts)
        pages = pages or count_pages(outcome.artefacts)
    return artefacts, pages


async def _run(files: list[InputFile], options: BatchOptions, progress: BatchProgress) -> None:
    queue: asyncio.Queue[InputFile] = asyncio.Queue()
    for file in files:
        queue.put_nowait(file)
    limits = httpx.Limits(max_connections=options.jobs * 2)
    # uploads of large PDFs and the server's long-poll both need more than httpx's 5 s
    timeout = httpx.Timeout(120.0, connect=10.0)
    async with httpx.AsyncClient(base_url=options.url, limits=limits, timeout=timeout) as client:
        session = Session(client, options.credentials, retry=options.retry)
        if not session.trial and files:
            await session.token()  # bad credentials: one clear error, not one per file

        async def worker() -> None:
            while not queue.empty():
                file = queue.get_nowait()
                try:
                    artefacts, pages = await _read_one(session, file, options)
                    await asyncio.to_thread(write_outputs, file, artefacts)
                except ApiProblem as exc:
                    progress.file_failed(file.shown, exc.reason)
                except OSError as exc:
                    progress.file_failed(file.shown, f"cannot write results: {exc}")
                else:
                    progress.file_done(pages)

        try:
            await asyncio.gather(*(worker() for _ in range(max(1, options.jobs))))
        finally:
            progress.tally.waits = session.waits


def recognize(
    options: BatchOptions, *, console: Console | None = None, errors: Console | None = None
) -> int:
    """Run a batch; the exit code (0 all read, 1 some failed, 2 nothing could start).

    Args:
        options: what to read and how.
        console: where the summary goes (standard output by default).
        errors: where progress, failures and fatal errors go (standard error by default).
    """
    console = console or Console()
    errors = errors or Console(stderr=True)
    files, problems = find_inputs(options.paths, options.kinds, options.out_dir)
    todo = [f for f in files if not f.done]
    tally = Tally(total=len(todo) + len(problems), skipped=len(files) - len(todo))
    if tally.skipped:
        errors.print(f"skipping {tally.skipped} file(s) whose results already exist")
    if not files and not problems:
        errors.print("ocrhive: no images or PDFs found in the given paths", markup=False)
        return 2
    with BatchProgress(tally, errors) as progress:
        for shown, reason in problems:
            progress.file_failed(shown, reason)
        try:
            asyncio.run(_run(todo, options, progress))
        except ApiProblem as exc:
            errors.print(f"ocrhive: {exc.reason}", markup=False, highlight=False, soft_wrap=True)
            return 2
    print_summary(tally, console, errors)
    return 1 if tally.failed else 0
