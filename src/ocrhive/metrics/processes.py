"""The multiprocess folder: where every process of one server (or one worker node) writes its
metric values, so that a scrape sums the API process and all worker processes, dead or alive.

prometheus_client reads ``PROMETHEUS_MULTIPROC_DIR`` once, when it is first imported; this
module therefore imports it only inside functions, and :func:`use_folder` refuses to run late.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

#: the variable prometheus_client (and every child process, which inherits it) reads
ENV = "PROMETHEUS_MULTIPROC_DIR"

#: a live gauge's file names the process that wrote it: gauge_livesum_1234.db
_LIVE_FILE = re.compile(r"^gauge_live[a-z]*_(\d+)\.db$")
#: a temporary folder names the server or node that made it: ocrhive-metrics-1234-k2j4x9
_PREFIX = "ocrhive-metrics-"
_TEMP_FOLDER = re.compile(rf"^{_PREFIX}(\d+)-")


def use_folder(folder: Path | None = None) -> Path:
    """Empty ``folder`` (or make a private temporary one) and point this process and every
    process it starts from now on at it. Returns the folder.

    A folder left by an earlier run is emptied: its counters belong to processes that no longer
    exist, and a recycled pid would otherwise add to them. An inherited ``ENV`` is ignored on
    purpose: a worker node started by a server must not write into that server's folder.

    Raises:
        RuntimeError: prometheus_client is already imported, so this process would keep its
            values in memory where no scrape of the folder sees them.
    """
    if "prometheus_client" in sys.modules:
        raise RuntimeError("the metrics folder must be chosen before prometheus_client is imported")
    if folder is None:
        parent = scratch_parent()
        _remove_orphans(parent)
        # a random suffix, made 0700 in one step: a shared /tmp must not offer a name to squat
        folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=parent))
    else:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(mode=0o700, parents=True)
    os.environ[ENV] = str(folder)
    return folder


def scratch_parent() -> Path:
    """Where metrics folders go: memory (``/dev/shm``) when the machine has it, else the
    temporary folder. Never the data folder: prometheus_client writes through memory-mapped
    files, and a write into a mapped file on a full disk kills the process with SIGBUS — a
    full data disk must answer 507, not take the server down."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return Path(tempfile.gettempdir())


def _remove_orphans(parent: Path) -> None:
    """Delete the temporary folders of our servers and nodes that died without tidying up
    (SIGKILL, a machine reset): nobody else would, and each holds a file per process."""
    for entry in os.scandir(parent):
        match = _TEMP_FOLDER.match(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        if entry.stat(follow_symlinks=False).st_uid == os.getuid() and not _alive(
            int(match.group(1))
        ):
            shutil.rmtree(entry.path, ignore_errors=True)


def current_folder() -> Path | None:
    """The multiprocess folder this process writes into, if any."""
    value = os.environ.get(ENV)
    return Path(value) if value else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else (a recycled pid)
        return True
    try:
        # an exited child its parent has not reaped yet is a zombie: dead for our purposes
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def drop_dead_processes(folder: Path) -> list[int]:
    """``mark_process_dead`` every process whose live gauges are in ``folder`` but which has
    exited (killed, crashed, replaced by its pool); returns their pids.

    Done at scrape time rather than where each process model notices a death, so embedded
    workers, Celery pool processes and the sweeper are covered alike. Counters and histograms
    of dead processes stay: what they did still counts.
    """
    from prometheus_client import multiprocess

    dead = []
    for entry in os.scandir(folder):
        match = _LIVE_FILE.match(entry.name)
        if match is None:
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and not _alive(pid):
            # unannotated in prometheus_client
            multiprocess.mark_process_dead(pid, str(folder))  # type: ignore[no-untyped-call]
            dead.append(pid)
    return dead


def remove_folder(folder: Path) -> None:
    """Delete a temporary metrics folder when its server or node stops."""
    shutil.rmtree(folder, ignore_errors=True)
