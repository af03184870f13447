"""hOCR renderer: well-formed XHTML, escaping, hOCR properties and page ordering."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ocrhive.domain.document import Page
from ocrhive.render import hocr
from tests.unit.test_render_pages import TRICKY, make_page, sample_page

NS = {"x": "http://www.w3.org/1999/xhtml"}


def parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def by_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == cls]


def props(element: ET.Element) -> dict[str, list[str]]:
    """hOCR's ``title`` as property → values."""
    out = {}
    for part in (element.get("title") or "").split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_document_is_xhtml_with_hocr_metadata() -> None:
    data = hocr.render([sample_page()])
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = parse(data)
    assert root.tag == "{http://www.w3.org/1999/xhtml}html"
    metas = {m.get("name"): m.get("content") for m in root.iterfind(".//x:meta", NS)}
    assert metas["ocr-system"] == "ocrhive"
    capabilities = (metas["ocr-capabilities"] or "").split()
    for cls in ("ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word"):
        assert cls in capabilities
        assert by_class(root, cls), cls


def test_tricky_words_are_escaped_and_round_trip() -> None:
    root = parse(hocr.render([sample_page()]))
    words = [w.text for w in by_class(root, "ocrx_word")]
    assert words == ["Hello", "world", *TRICKY, "Total", "12.50"]


def test_xml_forbidden_characters_are_dropped() -> None:
    page = make_page([[["bell\x07", "ok"]]])
    root = parse(hocr.render([page]))
    assert [w.text for w in by_class(root, "ocrx_word")] == ["bell", "ok"]


def test_page_line_and_word_properties() -> None:
    page = sample_page()
    root = parse(hocr.render([page]))
    (ocr_page,) = by_class(root, "ocr_page")
    assert props(ocr_page)["bbox"] == ["0", "0", str(page.width), str(page.height)]
    assert props(ocr_page)["ppageno"] == ["0"]
    assert props(ocr_page)["scan_res"] == ["300", "300"]
    assert ocr_page.get("lang") == "eng"
    first_line = by_class(root, "ocr_line")[0]
    assert props(first_line)["baseline"] == ["0", "-8"]
    line = next(page.lines())
    box = line.bbox
    assert props(first_line)["bbox"] == [str(v) for v in (box.left, box.top, box.right, box.bottom)]
    word = by_class(root, "ocrx_word")[0]
    assert props(word)["x_wconf"] == ["92"]  # 91.5 rounds to an integer
    assert re.fullmatch(r"bbox \d+ \d+ \d+ \d+; x_wconf \d+", word.get("title") or "")


def test_children_boxes_lie_inside_their_parents_and_ids_are_unique() -> None:
    root = parse(hocr.render([sample_page(), sample_page()]))
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))

    def box(e: ET.Element) -> list[int]:
        return [int(v) for v in props(e)["bbox"]]

    def walk(parent: ET.Element, parent_box: list[int]) -> None:
        for child in parent:
            if child.get("title", "").startswith("bbox"):
                inner = box(child)
                assert parent_box[0] <= inner[0] <= inner[2] <= parent_box[2]
                assert parent_box[1] <= inner[1] <= inner[3] <= parent_box[3]
                walk(child, inner)
            else:
                walk(child, parent_box)

    for ocr_page in by_class(root, "ocr_page"):
        walk(ocr_page, box(ocr_page))


def test_multi_page_documents_keep_page_order() -> None:
    pages = [make_page([[[f"page{n}"]]]) for n in range(1, 4)]
    root = parse(hocr.render(pages))
    ocr_pages = by_class(root, "ocr_page")
    assert [props(p)["ppageno"] for p in ocr_pages] == [["0"], ["1"], ["2"]]
    assert [[w.text for w in by_class(p, "ocrx_word")] for p in ocr_pages] == [
        ["page1"],
        ["page2"],
        ["page3"],
    ]


def test_empty_page_and_empty_document_are_valid() -> None:
    root = parse(hocr.render([Page(width=10, height=20)]))
    (ocr_page,) = by_class(root, "ocr_page")
    assert props(ocr_page)["bbox"] == ["0", "0", "10", "20"]
    assert list(ocr_page) == []
    assert by_class(parse(hocr.render([])), "ocr_page") == []


def test_language_tags() -> None:
    assert hocr.language_tag("eng") == "eng"
    assert hocr.language_tag("chi_sim+eng") == "chi-sim"
    assert hocr.language_tag("") == "und"
    root = parse(hocr.render([make_page([[["x"]]], language="deu+eng")]))
    assert by_class(root, "ocr_par")[0].get("lang") == "deu"
