"""Which files a batch reads, where each one's results go, and which are done already."""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ocrhive.domain.recognition import ArtifactKind

#: Suffixes a folder walk picks up; a file named on the command line is read whatever its name.
IMAGE_SUFFIXES = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".jpe",
        ".bmp",
        ".tif",
        ".tiff",
        ".gif",
        ".webp",
        ".ppm",
        ".pgm",
        ".pbm",
        ".pnm",
        ".jp2",
        ".j2k",
    }
)
DOCUMENT_SUFFIXES = frozenset({".pdf"})

#: Where each artefact goes: ``scan.png`` → ``scan.txt``, ``scan.pdf``, ``scan.hocr``, …
OUTPUT_SUFFIXES: Mapping[ArtifactKind, str] = {
    ArtifactKind.TEXT: ".txt",
    ArtifactKind.PDF: ".pdf",
    ArtifactKind.HOCR: ".hocr",
    ArtifactKind.JSON: ".json",
    ArtifactKind.IMAGE_PNG: ".png",
}

#: Written into every PDF the server renders; tells our own output apart from a scanned PDF.
_OUR_PDF_MARK = b"/Producer (ocrhive)"


@dataclass(frozen=True, kw_only=True)
class InputFile:
    """One file of the batch.

    Attributes:
        path: the file to read.
        shown: how the file is named to the user (as given, or folder/relative path).
        document: a PDF or multi-page TIFF, read by RecognizePdf (needs credentials).
        outputs: where each artefact is written.
    """

    path: Path
    shown: str
    document: bool
    outputs: Mapping[ArtifactKind, Path]

    @property
    def done(self) -> bool:
        """Every output exists, so a second run skips the file."""
        return all(p.exists() for p in self.outputs.values())


@dataclass(frozen=True, kw_only=True)
class _Candidate:
    path: Path
    shown: str
    relative: Path  # below the folder it was found in (its name when given as a file)


def _walk(root: Path, skip: Path | None) -> Iterable[Path]:
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        # hidden folders hold tool state, and --out inside the input folder holds our results
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (skip is None or here / d != skip)
        )
        for name in sorted(names):
            suffix = Path(name).suffix.lower()
            if not name.startswith(".") and suffix in IMAGE_SUFFIXES | DOCUMENT_SUFFIXES:
                yield here / name


def _candidates(paths: Iterable[Path], out_dir: Path | None) -> tuple[list[_Candidate], list[str]]:
    found: list[_Candidate] = []
    missing: list[str] = []
    skip = out_dir.resolve() if out_dir is not None else None
    for given in paths:
        if given.is_dir():
            root = given.resolve()
            for path in _walk(root, skip):
                relative = path.relative_to(root)
                found.append(_Candidate(path=path, shown=str(given / relative), relative=relative))
        elif given.is_file():
            found.append(_Candidate(path=given, shown=str(given), relative=Path(given.name)))
        else:
            missing.append(str(given))
    return found, missing


def is_document(path: Path) -> bool:
    """A PDF or a TIFF of more than one page: RecognizePdf reads every page of those."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return False
    if head.startswith(b"%PDF"):
        return True
    if head in (b"II*\0", b"MM\0*"):
        from PIL import Image  # only TIFFs need it, and it costs a fraction of a second

        try:
            with Image.open(path) as image:
                return int(getattr(image, "n_frames", 1)) > 1
        except Exception:  # unreadable: let the server say why, as for any broken image
            return False
    return False


def _target(candidate: _Candidate, out_dir: Path | None) -> Path:
    """The output path stem (no suffix) of a candidate before any name clash is resolved."""
    if out_dir is None:
        return candidate.path.with_suffix("")
    return out_dir / candidate.relative.with_suffix("")


def _outputs(
    candidate: _Candidate, stem: Path, kinds: Iterable[ArtifactKind]
) -> dict[ArtifactKind, Path]:
    outputs = {}
    for kind in kinds:
        path = stem.with_name(stem.name + OUTPUT_SUFFIXES[kind])
        if path.resolve() == candidate.path.resolve():
            # scan.pdf asked for a Pdf result: never write over the input
            path = stem.with_name(stem.name + ".ocr" + OUTPUT_SUFFIXES[kind])
        outputs[kind] = path
    return outputs


def _ours(path: Path) -> bool:
    """A PDF the server rendered (a result of an earlier run), not a scan to read."""
    try:
        return _OUR_PDF_MARK in path.read_bytes()
    except OSError:
        return False


def find_inputs(
    paths: Iterable[Path], kinds: Iterable[ArtifactKind], out_dir: Path | None = None
) -> tuple[list[InputFile], list[tuple[str, str]]]:
    """The files to read and where their results go, plus a problem for each unusable path.

    Folders are walked (hidden entries and ``out_dir`` left out). Results are written beside
    each input, or under ``out_dir`` at the input's path relative to the folder it was found
    in. A PDF result beside its image (``scan.png`` → ``scan.pdf``) is found again by the next
    walk; it is recognised as our output and not read. Two inputs that would share an output
    name (``scan.png`` and ``scan.jpg``) keep their suffix in it (``scan.png.txt``).

    Args:
        paths: files and folders as given on the command line.
        kinds: the artefacts wanted for every file.
        out_dir: where results go, or None for beside the inputs.

    Returns:
        The input files in walk order, and (path, reason) for each path that cannot be used.
    """
    kinds = tuple(kinds)
    candidates, missing = _candidates(paths, out_dir)
    problems = [(p, "no such file or folder") for p in missing]
    # the same file named twice (a folder and a file in it) is read once
    unique: dict[Path, _Candidate] = {}
    for c in candidates:
        unique.setdefault(c.path.resolve(), c)
    candidates = list(unique.values())

    planned: dict[Path, Path] = {}  # an output path → the input that writes it
    for c in candidates:
        for path in _outputs(c, _target(c, out_dir), kinds).values():
            planned.setdefault(path.resolve(), c.path.resolve())
    candidates = [
        c
        for c in candidates
        if not (
            planned.get(c.path.resolve(), c.path.resolve()) != c.path.resolve()
            and c.path.suffix.lower() == ".pdf"
            and _ours(c.path)
        )
    ]

    stems = Counter(_target(c, out_dir).resolve() for c in candidates)
    files: list[InputFile] = []
    claimed: dict[Path, str] = {}
    for c in candidates:
        stem = _target(c, out_dir)
        if stems[stem.resolve()] > 1:
            stem = stem.with_name(c.relative.name)
        outputs = _outputs(c, stem, kinds)
        clash = next(
            (claimed[p.resolve()] for p in outputs.values() if p.resolve() in claimed), None
        )
        if clash is not None:
            problems.append((c.shown, f"its results would overwrite those of {clash}"))
            continue
        claimed.update((p.resolve(), c.shown) for p in outputs.values())
        files.append(
            InputFile(path=c.path, shown=c.shown, document=is_document(c.path), outputs=outputs)
        )
    return files, problems


def write_outputs(file: InputFile, artefacts: Mapping[ArtifactKind, bytes]) -> None:
    """Write a file's results, each atomically: a run stopped half-way leaves no partial
    output that the next run would take as done."""
    for kind, path in file.outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(artefacts[kind])
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


_PDF_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)")
_HOCR_PAGE = re.compile(rb"class=[\"']ocr_page[\"']")


def count_pages(artefacts: Mapping[ArtifactKind, bytes]) -> int:
    """How many pages the results cover (for the pages-per-second rate); at least one."""
    if ArtifactKind.TEXT in artefacts:
        # the server separates pages of the text result by a form feed
        return artefacts[ArtifactKind.TEXT].count(b"\f") + 1
    if ArtifactKind.HOCR in artefacts:
        return max(1, len(_HOCR_PAGE.findall(artefacts[ArtifactKind.HOCR])))
    if ArtifactKind.PDF in artefacts:
        match = _PDF_COUNT.search(artefacts[ArtifactKind.PDF])
        return max(1, int(match.group(1))) if match else 1
    return 1
