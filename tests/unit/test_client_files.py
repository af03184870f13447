"""Which files a batch reads and where their results go: walking, naming, skip-if-done, and the
command-line values (result types, language, credentials)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ocrhive.client.batch import (
    UsageError,
    credentials_from,
    parse_language,
    parse_result_types,
    requests_for,
)
from ocrhive.client.files import count_pages, find_inputs, write_outputs
from ocrhive.domain.recognition import ArtifactKind, Language, ResultType

TEXT, PDF, HOCR, JSON = ArtifactKind.TEXT, ArtifactKind.PDF, ArtifactKind.HOCR, ArtifactKind.JSON


def png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (8, 8), 255).save(path, format="PNG")
    return path


def tiff(path: Path, frames: int) -> Path:
    images = [Image.new("L", (8, 8), 255) for _ in range(frames)]
    images[0].save(path, format="TIFF", save_all=True, append_images=images[1:])
    return path


def test_folders_are_walked_and_results_go_beside(tmp_path: Path) -> None:
    png(tmp_path / "a.png")
    png(tmp_path / "sub" / "b.jpg")
    (tmp_path / "notes.txt").write_text("not an input")
    png(tmp_path / ".cache" / "hidden.png")
    files, problems = find_inputs([tmp_path], (TEXT, PDF))
    assert problems == []
    assert [f.path for f in files] == [tmp_path / "a.png", tmp_path / "sub" / "b.jpg"]
    assert files[1].outputs == {TEXT: tmp_path / "sub" / "b.txt", PDF: tmp_path / "sub" / "b.pdf"}
    assert not any(f.document for f in files)


def test_out_keeps_relative_paths_and_is_not_walked(tmp_path: Path) -> None:
    png(tmp_path / "in" / "x" / "scan.png")
    out = tmp_path / "in" / "results"
    png(out / "old.png")  # inside the input folder, yet results, not inputs
    files, _ = find_inputs([tmp_path / "in"], (TEXT,), out)
    assert [f.outputs[TEXT] for f in files] == [out / "x" / "scan.txt"]
    assert files[0].shown == str(tmp_path / "in" / "x" / "scan.png")


def test_documents_are_pdfs_and_multipage_tiffs(tmp_path: Path) -> None:
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.4\n")
    tiff(tmp_path / "two.tif", 2)
    tiff(tmp_path / "one.tif", 1)
    files, _ = find_inputs([tmp_path], (TEXT,))
    assert {f.path.name: f.document for f in files} == {
        "doc.pdf": True,
        "one.tif": False,
        "two.tif": True,
    }


def test_a_pdf_result_never_overwrites_its_pdf_input(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n")
    (file,), _ = find_inputs([tmp_path], (TEXT, PDF))
    assert file.outputs == {TEXT: tmp_path / "scan.txt", PDF: tmp_path / "scan.ocr.pdf"}


def test_our_pdf_results_are_not_read_again(tmp_path: Path) -> None:
    png(tmp_path / "scan.png")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Producer (ocrhive) >>")
    (tmp_path / "scan.txt").write_text("done")
    files, _ = find_inputs([tmp_path], (TEXT, PDF))
    assert [f.path.name for f in files] == ["scan.png"]
    assert files[0].done


def test_a_scanned_pdf_beside_an_image_of_the_same_name_is_read(tmp_path: Path) -> None:
    png(tmp_path / "scan.png")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n(a scanner wrote this)")
    files, _ = find_inputs([tmp_path], (TEXT, PDF))
    assert {f.path.name: f.outputs[TEXT].name for f in files} == {
        "scan.pdf": "scan.pdf.txt",
        "scan.png": "scan.png.txt",
    }
    assert {f.path.name: f.outputs[PDF].name for f in files}["scan.pdf"] == "scan.pdf.pdf"


def test_missing_paths_are_reported(tmp_path: Path) -> None:
    files, problems = find_inputs([tmp_path / "nope.png"], (TEXT,))
    assert files == []
    assert problems == [(str(tmp_path / "nope.png"), "no such file or folder")]


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    image = png(tmp_path / "a.png")
    files, _ = find_inputs([tmp_path, image], (TEXT,))
    assert len(files) == 1


def test_done_needs_every_output(tmp_path: Path) -> None:
    (file,), _ = find_inputs([png(tmp_path / "a.png")], (TEXT, HOCR))
    assert not file.done
    write_outputs(file, {TEXT: b"t", HOCR: b"h"})
    assert file.done
    assert (tmp_path / "a.hocr").read_bytes() == b"h"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.hocr", "a.png", "a.txt"]
    (tmp_path / "a.hocr").unlink()
    assert not file.done


def test_count_pages() -> None:
    assert count_pages({TEXT: b"one\fTwo\fthree"}) == 3
    assert count_pages({HOCR: b"<div class='ocr_page'></div><div class='ocr_page'>"}) == 2
    pdf = b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>"
    assert count_pages({PDF: pdf}) == 2
    assert count_pages({JSON: b"{}"}) == 1


def test_result_types() -> None:
    assert parse_result_types("Text,Pdf") == (TEXT, PDF)
    assert parse_result_types("hocr, textandpdf") == (TEXT, PDF, HOCR)
    assert parse_result_types("Json,Text") == (TEXT, JSON)
    assert requests_for((TEXT, PDF)) == [ResultType.TEXT_AND_PDF]
    assert requests_for((TEXT, PDF, HOCR, JSON)) == [
        ResultType.TEXT_AND_PDF_AND_HOCR,
        ResultType.JSON,
    ]
    with pytest.raises(UsageError, match="unknown result type 'Docx'"):
        parse_result_types("Text,Docx")


def test_language_and_credentials() -> None:
    assert parse_language("german") is Language.GERMAN
    with pytest.raises(UsageError):
        parse_language("Klingon")
    assert credentials_from(None, None, {}) is None
    env = {"OCRHIVE_CLIENT_ID": "env-id", "OCRHIVE_CLIENT_SECRET": "env-secret"}
    creds = credentials_from(None, None, env)
    assert creds is not None and creds.client_id == "env-id"
    flag = credentials_from("flag-id", "flag-secret", env)
    assert flag is not None and flag.client_secret == "flag-secret"
    with pytest.raises(UsageError, match="both"):
        credentials_from("only-id", None, {})
    assert "flag-secret" not in repr(flag)


def test_a_corrupt_tiff_is_left_to_the_server(tmp_path: Path) -> None:
    (tmp_path / "bad.tif").write_bytes(b"II*\0" + bytes(20))
    (file,), _ = find_inputs([tmp_path], (TEXT,))
    assert not file.document
