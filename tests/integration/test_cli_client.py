"""``ocrhive recognize`` and ``ocrhive languages`` as a person runs them: the real CLI against a
live embedded server and a 1 + 1 cluster on its own redis-server, and real apt installs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cluster, LiveServer, RedisServer, png_bytes, text_page

pytestmark = pytest.mark.slow

LINES = ["The quick brown fox jumps over the lazy dog.", "Invoice 2024-117 total 318.40 EUR."]
#: ASCII only: Pillow's bundled font (all text_page has) draws no umlauts
GERMAN = [
    "Die Rechnung wurde am Montag bezahlt.",
    "Bitte senden Sie uns die Unterlagen bis Freitag.",
]


def run_cli(
    *args: str, env: dict[str, str] | None = None, **kw: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocrhive.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=240,
        **kw,
    )


def as_env(creds: dict[str, str]) -> dict[str, str]:
    return {
        "OCRHIVE_CLIENT_ID": creds["client_id"],
        "OCRHIVE_CLIENT_SECRET": creds["client_secret"],
    }


def page(i: int, lines: list[str] = LINES) -> bytes:
    # small pages: the batch, not the engine, is under test
    return png_bytes(text_page([f"Page number {i}", *lines], size=24, width=720))


def two_page_pdf(path: Path) -> None:
    pages = [text_page(["First page of the report"]), text_page(["Second page of the report"])]
    pages[0].save(path, format="PDF", save_all=True, append_images=pages[1:], resolution=200.0)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(data_dir=tmp_path_factory.mktemp("cli-embedded") / "data", workers=2)
    server.start()
    yield server
    server.stop()


def test_a_folder_of_ten_images_then_a_corrupt_one(embedded: LiveServer, tmp_path: Path) -> None:
    """The issue's acceptance: 10 images → 10 text files and exit 0; one corrupt file → exit
    non-zero naming it, and the 10 done ones are skipped and counted."""
    folder = tmp_path / "scans"
    (folder / "more").mkdir(parents=True)
    for i in range(10):
        (folder / ("more" if i >= 7 else "") / f"scan{i}.png").write_bytes(page(i))
    env = as_env(embedded.add_client("batch"))

    started = time.monotonic()
    first = run_cli("recognize", str(folder), "--url", embedded.url, env=env)
    elapsed = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    texts = sorted(folder.rglob("*.txt"))
    assert len(texts) == 10
    for i in range(10):
        text = (folder / ("more" if i >= 7 else "") / f"scan{i}.txt").read_text()
        assert f"Page number {i}" in text and "quick brown fox" in text
    assert "10/10" in first.stderr and "10 done" in first.stderr and "pages/s" in first.stderr
    assert "failed" not in first.stderr.split("pages/s")[-1]
    print(f"10 images through the embedded server: {elapsed:.1f} s")

    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(300))
    before = {p: p.stat().st_mtime_ns for p in texts}
    second = run_cli("recognize", str(folder), "--url", embedded.url, env=env)
    assert second.returncode == 1
    assert "skipping 10 file(s) whose results already exist" in second.stderr
    failed = [line for line in second.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 1 and failed[0].startswith(f"failed: {folder / 'broken.png'}: ")
    assert "image" in failed[0].lower()  # the task's error.messages, e.g. "not a readable image"
    assert {p: p.stat().st_mtime_ns for p in texts} == before
    assert not (folder / "broken.txt").exists()


def test_documents_several_results_and_out(embedded: LiveServer, tmp_path: Path) -> None:
    """A PDF and a multi-page TIFF go to RecognizePdf (every page read); Text,Pdf,Hocr come
    from one task; --out keeps relative paths; a PDF result never overwrites a PDF input."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    two_page_pdf(folder / "report.pdf")
    frames = [text_page(["Fax sheet one"]), text_page(["Fax sheet two"])]
    frames[0].save(folder / "sub" / "fax.tif", save_all=True, append_images=frames[1:])
    (folder / "sub" / "photo.png").write_bytes(page(1))
    out = tmp_path / "out"
    env = as_env(embedded.add_client("docs"))

    result = run_cli(
        "recognize", str(folder), "--url", embedded.url, "--out", str(out),
        "--result-type", "Text,Pdf,Hocr", "--jobs", "3", env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = (out / "report.txt").read_text()
    assert "First page" in report and "Second page" in report and report.count("\f") == 1
    fax = (out / "sub" / "fax.txt").read_text()
    assert "sheet one" in fax and "sheet two" in fax
    assert (out / "sub" / "photo.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "sub" / "photo.hocr").read_text().count("ocr_page") >= 1
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in folder.rglob("*")) == [
        "fax.tif",
        "photo.png",
        "report.pdf",
        "sub",
    ]
    # 2 + 2 + 1 pages
    assert "5 in" in result.stdout

    beside = run_cli(
        "recognize", str(folder / "report.pdf"), "--url", embedded.url, "--result-type", "Pdf",
        env=env,
    )  # fmt: skip
    assert beside.returncode == 0, beside.stderr
    assert (folder / "report.ocr.pdf").read_bytes().startswith(b"%PDF")
    again = run_cli(
        "recognize", str(folder), "--url", embedded.url, "--result-type", "Pdf", env=env
    )
    # report.ocr.pdf is our output, not an input; report.pdf is done; fax and photo are new
    assert again.returncode == 0, again.stderr
    assert "skipping 1 file(s)" in again.stderr and "2 done" in again.stderr


def test_bad_credentials_stop_before_any_file(embedded: LiveServer, tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(page(1))
    result = run_cli(
        "recognize", str(tmp_path), "--url", embedded.url,
        "--client-id", "nobody", "--client-secret", "wrong",
    )  # fmt: skip
    assert result.returncode == 2
    assert "ocrhive: no token: HTTP 400 invalid_client" in result.stderr
    assert not (tmp_path / "a.txt").exists()


def test_trial_reads_images_waits_out_429s_and_refuses_pdfs(
    server_factory: Any, tmp_path: Path
) -> None:
    """Without credentials: images through the trial; its quota of one unfinished task per
    address answers 429 + Retry-After, which the client waits out; a PDF fails with a reason."""
    server = server_factory(env={"OCRHIVE_TRIAL_MAX_PENDING_PER_ADDRESS": "1"}, workers=1)
    server.start()
    for i in range(3):
        (tmp_path / f"img{i}.png").write_bytes(page(i))
    two_page_pdf(tmp_path / "doc.pdf")
    env = {"OCRHIVE_CLIENT_ID": "", "OCRHIVE_CLIENT_SECRET": ""}
    result = run_cli("recognize", str(tmp_path), "--url", server.url, "--jobs", "3", env=env)
    assert result.returncode == 1
    expected = {w for line in [f"Page number {i}" for i in range(3)] + LINES for w in line.split()}
    for i in range(3):
        words = (tmp_path / f"img{i}.txt").read_text().split()
        masked = [w for w in words if set(w) == {"*"}]
        assert masked and len(words) == len(" ".join(["Page number 0", *LINES]).split())
        assert set(words) - {*masked} <= expected
    assert (
        f"failed: {tmp_path / 'doc.pdf'}: a PDF or multi-page TIFF is read by RecognizePdf, "
        "which needs credentials" in result.stderr
    )
    assert "the server asked to wait" in result.stdout  # 429s happened and were waited out
    assert not (tmp_path / "doc.txt").exists()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    redis = RedisServer(folder=tmp_path_factory.mktemp("cli-redis"))
    redis.start()
    nodes = Cluster(
        folder=tmp_path_factory.mktemp("cli-cluster"), redis=redis, api_count=1, worker_count=1
    )
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.stop()
        redis.stop()


def test_distributed_deployment(cluster: Cluster, tmp_path: Path) -> None:
    """The same client against 1 API node + 1 worker node on Redis."""
    for i in range(4):
        (tmp_path / f"scan{i}.png").write_bytes(page(i))
    two_page_pdf(tmp_path / "report.pdf")
    (tmp_path / "empty.png").write_bytes(b"")
    env = as_env(cluster.add_client("cluster-batch"))
    result = run_cli("recognize", str(tmp_path), "--url", cluster.url, env=env)
    assert result.returncode == 1
    for i in range(4):
        assert f"Page number {i}" in (tmp_path / f"scan{i}.txt").read_text()
    assert "Second page" in (tmp_path / "report.txt").read_text()
    (failed,) = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert failed.startswith(f"failed: {tmp_path / 'empty.png'}: ")
    assert "5 done" in result.stderr


@pytest.fixture(scope="module")
def german_installed() -> subprocess.CompletedProcess[str]:
    """``ocrhive languages install German`` for real: apt-get fetches tesseract-ocr-deu."""
    result = run_cli("languages", "install", "German")
    if result.returncode != 0:
        pytest.fail(
            "could not install tesseract-ocr-deu with apt-get (is a Debian mirror reachable?):\n"
            + result.stdout
            + result.stderr
        )
    return result


def test_languages_install_then_a_german_page(
    embedded: LiveServer, german_installed: subprocess.CompletedProcess[str], tmp_path: Path
) -> None:
    assert "tesseract-ocr-deu" in german_installed.stdout
    assert "deu: installed in /usr/share/tesseract-ocr/5/tessdata" in german_installed.stdout
    listing = run_cli("languages", "list")
    assert listing.returncode == 0
    (deu,) = [line for line in listing.stdout.splitlines() if line.startswith("deu ")]
    assert "installed" in deu and "German" in deu

    # the embedded server started before this install, so this also shows its workers find a
    # model installed later
    (tmp_path / "brief.png").write_bytes(png_bytes(text_page(GERMAN, size=32, width=1000)))
    env = as_env(embedded.add_client("german"))
    result = run_cli(
        "recognize", str(tmp_path), "--url", embedded.url, "--language", "German",
        "--result-type", "Text,Hocr", env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "brief.txt").read_text().split() == " ".join(GERMAN).split()
    # the page was read by the German model (a missing model would have failed the task)
    assert "lang='deu'" in (tmp_path / "brief.hocr").read_text()


def test_languages_install_refuses_unknown_names() -> None:
    result = run_cli("languages", "install", "Klingon")
    assert result.returncode == 2
    assert "unknown language 'Klingon'" in result.stderr
