"""Installing Tesseract models from Debian's ``tesseract-ocr-*`` packages, and listing them.

``ocrhive languages install`` and ``ocrhive languages list`` are built on this module. Debian
puts the models in ``/usr/share/tesseract-ocr/5/tessdata``, one of the folders
:func:`~ocrhive.engines.tesseract.default_model_dirs` searches, so a worker started (or a model
first loaded) after the install reads the new languages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ocrhive.domain.recognition import Language
from ocrhive.engines.languages import TESSERACT_MODELS, debian_package
from ocrhive.engines.tesseract import default_model_dirs

#: ``apt-get install`` as the command prints it and runs it. The lock timeout lets an install
#: wait for another apt run (unattended upgrades, a second shell) instead of failing at once.
APT_INSTALL = (
    "apt-get",
    "install",
    "-y",
    "--no-install-recommends",
    "-o",
    "DPkg::Lock::Timeout=300",
)


class UnknownLanguage(ValueError):
    """A name that is neither an Aspose language nor a Tesseract model of the table."""


@dataclass(frozen=True, kw_only=True)
class ModelStatus:
    """One Tesseract model: the package that ships it and where it is installed, if it is.

    Attributes:
        model: the model name (``deu``, ``chi_sim``, ``script/Latin``).
        package: the Debian package (``tesseract-ocr-deu``).
        languages: the Aspose languages it reads.
        folder: where ``<model>.traineddata`` was found, or None when not installed.
    """

    model: str
    package: str
    languages: tuple[str, ...]
    folder: Path | None


def resolve(names: Iterable[str]) -> list[str]:
    """Tesseract models for ``names``: Aspose language names (``German``, any case) or model
    names (``deu``, ``chi_sim``). Duplicates are dropped, order kept.

    Raises:
        UnknownLanguage: a name that is neither, or a language no model reads.
    """
    by_language = {lang.value.casefold(): lang for lang in Language}
    models = set(TESSERACT_MODELS.values())
    out: list[str] = []
    for name in names:
        key = name.strip()
        language = by_language.get(key.casefold())
        if language is not None:
            model = TESSERACT_MODELS.get(language)
            if model is None:
                raise UnknownLanguage(f"no Tesseract model reads {language.value}")
        elif key in models:
            model = key
        else:
            raise UnknownLanguage(
                f"unknown language {name!r}: give an Aspose name (German) or a Tesseract "
                "model (deu); 'ocrhive languages list' shows them all"
            )
        if model not in out:
            out.append(model)
    return out


def model_status(model_dirs: Sequence[Path] | None = None) -> list[ModelStatus]:
    """Every model of the language table, installed or not, sorted by model name.

    Args:
        model_dirs: extra model folders (OCRHIVE_MODELS_DIR), searched first as the engine does.
    """
    folders = default_model_dirs(list(model_dirs or []))
    readers: dict[str, list[str]] = {}
    for language, model in TESSERACT_MODELS.items():
        readers.setdefault(model, []).append(language.value)
    return [
        ModelStatus(
            model=model,
            package=debian_package(model),
            languages=tuple(sorted(languages)),
            folder=next((f for f in folders if (f / f"{model}.traineddata").is_file()), None),
        )
        for model, languages in sorted(readers.items())
    ]


def install_command(models: Sequence[str]) -> list[str]:
    """The ``apt-get install`` command line that installs ``models``."""
    return [*APT_INSTALL, *(debian_package(m) for m in models)]


def print_status(out: TextIO, model_dirs: Sequence[Path] | None = None) -> None:
    """``ocrhive languages list``: one line per model, installed ones first."""
    rows = model_status(model_dirs)
    rows.sort(key=lambda r: (r.folder is None, r.model))
    width = max(len(r.model) for r in rows)
    for r in rows:
        state = f"installed  {r.folder}" if r.folder else f"available  {r.package}"
        out.write(f"{r.model:<{width}}  {state}  ({', '.join(r.languages)})\n")
    installed = sum(1 for r in rows if r.folder)
    out.write(f"{installed} of {len(rows)} models installed\n")


def _known_to_apt(packages: Sequence[str]) -> bool:
    """Whether apt's package lists know every package (a fresh machine has no lists yet)."""
    result = subprocess.run(
        ["apt-cache", "show", "--no-all-versions", *packages],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _run(command: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Run an apt command, its output going to ``out`` and ``err`` as it comes when they are
    real files (a person watches apt work), collected and copied otherwise."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        out_fd, err_fd = out.fileno(), err.fileno()
    except (AttributeError, OSError, ValueError):
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        out.write(result.stdout)
        err.write(result.stderr)
        return result.returncode
    out.flush()
    return subprocess.run(command, stdout=out_fd, stderr=err_fd, env=env, check=False).returncode


def install(
    names: Sequence[str],
    out: TextIO,
    err: TextIO,
    *,
    model_dirs: Sequence[Path] | None = None,
    is_root: bool | None = None,
) -> int:
    """``ocrhive languages install``: install the models for ``names`` with apt-get.

    As root it runs ``apt-get install`` (after ``apt-get update`` when the package lists do
    not know the packages yet), then checks each model can now be found. Otherwise it prints
    the command to run and fails: installing system packages is the operator's decision.

    Args:
        names: Aspose language names or Tesseract model names.
        out: where progress and results are written.
        err: where problems are written.
        model_dirs: extra model folders to look in afterwards.
        is_root: whether this process may install packages (default: its effective uid is 0).

    Returns:
        The exit code: 0 installed, 1 not installed (not root, apt failed), 2 unknown names.
    """
    try:
        models = resolve(names)
    except UnknownLanguage as exc:
        err.write(f"ocrhive: {exc}\n")
        return 2
    if not models:
        err.write("ocrhive: name at least one language (German, deu, …)\n")
        return 2
    command = install_command(models)
    if shutil.which("apt-get") is None:
        err.write(
            "ocrhive: apt-get is not available on this machine; install "
            + ", ".join(f"{m}.traineddata" for m in models)
            + " into the models folder (OCRHIVE_MODELS_DIR) instead\n"
        )
        return 1
    if not (os.geteuid() == 0 if is_root is None else is_root):
        err.write(f"ocrhive: installing packages needs root; run:\n  sudo {' '.join(command)}\n")
        return 1
    packages = command[len(APT_INSTALL) :]
    if not _known_to_apt(packages):
        out.write("updating the package lists (apt-get update)\n")
        out.flush()
        _run(["apt-get", "update"], out, err)
    out.write(" ".join(command) + "\n")
    out.flush()
    returncode = _run(command, out, err)
    if returncode != 0:
        err.write(
            f"ocrhive: apt-get could not install {', '.join(packages)} (exit code "
            f"{returncode}); is a Debian package mirror reachable from this machine?\n"
        )
        return 1
    found = {s.model: s for s in model_status(model_dirs)}
    missing = [m for m in models if found[m].folder is None]
    for model in models:
        if found[model].folder is not None:
            out.write(f"{model}: installed in {found[model].folder}\n")
    if missing:
        err.write(
            f"ocrhive: installed, yet no {', '.join(missing)}.traineddata is in any folder the "
            "engine searches: " + ", ".join(str(d) for d in default_model_dirs(None)) + "\n"
        )
        return 1
    # a worker loads a model on the first task in its language, so running servers need no
    # restart (the engine searches Debian's folder even if it did not exist when they started)
    out.write("servers read the new languages from their next task in them\n")
    return 0
