"""hOCR 1.2: the page tree as XHTML, one ``ocr_page`` per page, parseable as plain XML."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ocrhive.domain.document import BBox, Line, Page

#: the hOCR classes and properties this renderer writes, as ``ocr-capabilities`` lists them
CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf ocrp_lang"

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="{lang}" lang="{lang}">
 <head>
  <title></title>
  <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
  <meta name="ocr-system" content="{system}"/>
  <meta name="ocr-capabilities" content="{capabilities}"/>
  <meta name="ocr-number-of-pages" content="{pages}"/>
 </head>
 <body>
"""
_TAIL = """ </body>
</html>
"""

# characters XML 1.0 cannot carry even escaped; an OCR engine can emit them on noise
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LANG_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def _text(value: str) -> str:
    return html.escape(_NOT_XML.sub("", value), quote=True)


def _bbox(box: BBox) -> str:
    return f"bbox {box.left} {box.top} {box.right} {box.bottom}"


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def language_tag(language: str) -> str:
    """A BCP 47-shaped tag for a model name: ``eng`` stays, ``chi_sim+eng`` becomes ``chi-sim``.

    Args:
        language: The page's language as the engine reported it.

    Returns:
        A value valid in ``lang``/``xml:lang`` attributes (``und`` when nothing fits).
    """
    first = language.split("+", 1)[0].replace("_", "-")
    return first if _LANG_TAG.fullmatch(first) else "und"


def _line(line: Line, page_no: int, line_no: int, word_no: int) -> list[str]:
    slope, offset = line.baseline
    title = f"{_bbox(line.bbox)}; baseline {_num(slope)} {_num(offset)}"
    out = [f"     <span class='ocr_line' id='line_{page_no}_{line_no}' title='{title}'>"]
    for index, word in enumerate(line.words, start=word_no):
        conf = round(max(0.0, min(100.0, word.confidence)))
        out.append(
            f"      <span class='ocrx_word' id='word_{page_no}_{index}'"
            f" title='{_bbox(word.bbox)}; x_wconf {conf}'>{_text(word.text)}</span>"
        )
    out.append("     </span>")
    return out


def page_hocr(page: Page, index: int) -> str:
    """The ``ocr_page`` element of one page.

    Args:
        page: The recognised page.
        index: Its 0-based position in the document (hOCR's ``ppageno``); element ids use
            ``index + 1`` so they stay unique across pages.

    Returns:
        The XHTML fragment, indented to sit in ``<body>``.
    """
    page_no = index + 1
    lang = language_tag(page.language)
    dpi = round(page.dpi)
    out = [
        f"  <div class='ocr_page' id='page_{page_no}' lang='{lang}'"
        f" title='{_bbox(BBox(left=0, top=0, right=page.width, bottom=page.height))};"
        f" ppageno {index}; scan_res {dpi} {dpi}'>"
    ]
    par_no = line_no = word_no = 0
    for block_no, block in enumerate(page.blocks, start=1):
        out.append(
            f"   <div class='ocr_carea' id='block_{page_no}_{block_no}'"
            f" title='{_bbox(block.bbox)}'>"
        )
        for par in block.paragraphs:
            par_no += 1
            out.append(
                f"    <p class='ocr_par' id='par_{page_no}_{par_no}' lang='{lang}'"
                f" title='{_bbox(par.bbox)}'>"
            )
            for line in par.lines:
                line_no += 1
                out += _line(line, page_no, line_no, word_no + 1)
                word_no += len(line.words)
            out.append("    </p>")
        out.append("   </div>")
    out.append("  </div>")
    return "\n".join(out) + "\n"


def render(pages: Sequence[Page], *, system: str = "ocrhive") -> bytes:
    """An hOCR document with one ``ocr_page`` per page, in order, as UTF-8 XHTML.

    Args:
        pages: The recognised pages.
        system: The ``ocr-system`` meta value.

    Returns:
        The document bytes.
    """
    lang = language_tag(pages[0].language) if pages else "und"
    head = _HEAD.format(
        lang=lang, system=_text(system), capabilities=CAPABILITIES, pages=len(pages)
    )
    body = "".join(page_hocr(page, index) for index, page in enumerate(pages))
    return (head + body + _TAIL).encode("utf-8")
