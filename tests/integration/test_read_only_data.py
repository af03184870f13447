"""A read-only data folder stops ``ocrhive serve`` and ``ocrhive clients add`` with one line
naming the problem and exit status 2, never a traceback (real read-only tmpfs mounts: root
ignores file modes, so chmod would prove nothing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mounts import remount, tmpfs


def ocrhive(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocrhive.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "OCRHIVE_WORKERS": "1"},
    )


def assert_refused(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ocrhive: "), result.stderr
    assert "Read-only file system" in lines[0]


@pytest.mark.parametrize("where", ["existing", "to-create"])
def test_a_read_only_folder_is_refused_in_one_line(tmp_path: Path, where: str) -> None:
    with tmpfs(tmp_path / "data", size_mb=8) as mount:
        if where == "existing":
            # a folder a server used before, then mounted read-only
            made = ocrhive("clients", "add", "alice", "--data-dir", str(mount))
            assert made.returncode == 0, made.stderr
            data_dir = mount
        else:
            data_dir = mount / "sub"
        remount(mount, read_only=True)
        assert_refused(ocrhive("serve", "--port", "0", "--data-dir", str(data_dir)))
        assert_refused(ocrhive("clients", "add", "bob", "--data-dir", str(data_dir)))
