"""RapidOCR's boxes grouped into rows (engines/rows.py) and the engine choice's pure rules."""

from __future__ import annotations

from dataclasses import replace

from benchmarks.accuracy import synthetic
from PIL import Image

from ocrhive import postprocess
from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import DsrConfidence, DsrMode, Language, RecognitionSettings
from ocrhive.engines.base import EngineRequest, Segmentation
from ocrhive.engines.choice import (
    EngineChoice,
    PageKind,
    is_document,
    page_kind,
    prose_columns,
    shape_kind,
    unclear,
)
from ocrhive.engines.rows import as_rows, group_rows
from ocrhive.engines.segmentation import segmentation_for
from ocrhive.preprocess.contrast import Glance
from ocrhive.render.text import page_text


def _line(text: str, left: int, top: int, height: int = 20, confidence: float = 95.0) -> Line:
    box = BBox(left=left, top=top, right=left + 12 * len(text), bottom=top + height)
    return Line(bbox=box, words=(Word(text=text, bbox=box, confidence=confidence),))


def _page(*lines: Line) -> Page:
    blocks = tuple(
        Block(bbox=line.bbox, paragraphs=(Paragraph(bbox=line.bbox, lines=(line,)),))
        for line in lines
    )
    return Page(width=600, height=2000, blocks=blocks)


def test_an_item_and_its_price_share_a_row_read_left_to_right() -> None:
    # the detector gives prices first (a column), then items, slightly offset vertically
    page = _page(
        _line("11.00", 400, 102),
        _line("5.60", 400, 131),
        _line("CHICMCMUFFIN", 20, 100),
        _line("PORRIDGE", 20, 129),
    )
    assert page_text(as_rows(page)) == "CHICMCMUFFIN 11.00\nPORRIDGE 5.60"


def test_rows_that_barely_touch_stay_apart() -> None:
    rows = group_rows([_line("TOTAL", 20, 100), _line("CASH", 20, 115)])  # 5 of 20 px shared
    assert [[ln.text for ln in row] for row in rows] == [["TOTAL"], ["CASH"]]


def test_a_wide_gap_starts_a_new_block() -> None:
    page = as_rows(_page(_line("SHOP", 20, 100), _line("ROAD", 20, 125), _line("THANKS", 20, 400)))
    assert [[ln.text for ln in b.lines] for b in page.blocks] == [["SHOP", "ROAD"], ["THANKS"]]


def test_dsr_confidence_drops_unsure_rapidocr_rows() -> None:
    page = as_rows(_page(_line("TOTAL", 20, 100), _line("~~..", 20, 500, confidence=55.0)))
    settings = RecognitionSettings(
        dsr_mode=DsrMode.DSR_NO_FILTER, dsr_confidence=DsrConfidence.HIGH
    )
    kept, _notes = postprocess.apply(page, settings)
    assert page_text(kept) == "TOTAL"
    everything, _notes = postprocess.apply(
        page, RecognitionSettings(dsr_mode=DsrMode.DSR_NO_FILTER)
    )
    assert page_text(everything) == "TOTAL\n\n~~.."


def test_the_shape_of_a_page_picks_the_first_engine() -> None:
    assert shape_kind(Image.new("L", (300, 80))) is PageKind.LABEL
    assert shape_kind(Image.new("L", (900, 2000))) is PageKind.RECEIPT
    assert shape_kind(Image.new("L", (2480, 3508))) is PageKind.DOCUMENT  # A4 at 300 dpi


def test_a_page_is_unclear_when_unevenly_lit_faint_or_grainy() -> None:
    clear = Glance(light_spread=0.0, light_fit=1.0, contrast=200.0, noise=0.0)
    assert not unclear(clear)
    assert unclear(replace(clear, light_spread=120.0))
    assert not unclear(replace(clear, light_spread=120.0, light_fit=0.45))  # a photograph
    assert unclear(replace(clear, contrast=30.0))
    assert unclear(replace(clear, noise=0.1))
    page, _truth = synthetic.render_page(synthetic.PROSE[:2], font_name="DejaVuSerif", size_px=36)
    assert page_kind(page) is PageKind.DOCUMENT
    assert page_kind(synthetic.uneven_light(page, darkest=0.2)) is PageKind.UNCLEAR
    assert page_kind(synthetic.with_picture(page, seed=1)) is PageKind.DOCUMENT
    faded = synthetic.noise(synthetic.low_contrast(page, ink=170, paper=200), sigma=6, seed=1)
    assert page_kind(faded) is PageKind.UNCLEAR
    grainy = synthetic.noise(synthetic.low_contrast(page, ink=60, paper=220), sigma=35, seed=1)
    assert page_kind(grainy) is PageKind.UNCLEAR
    # the glance only decides between engines for document-shaped pages
    assert page_kind(synthetic.uneven_light(page.resize((600, 1400)))) is PageKind.RECEIPT


def test_a_document_has_lines_of_several_words() -> None:
    prose = Line(
        bbox=BBox(left=0, top=0, right=900, bottom=20),
        words=tuple(
            Word(text=w, bbox=BBox(left=0, top=0, right=9, bottom=20), confidence=90.0)
            for w in ["the", "harbour", "was", "quiet", "before", "dawn", "today"]
        ),
    )
    assert is_document(_page(prose, prose, _line("TITLE", 0, 40)))
    assert not is_document(_page(_line("TOTAL", 0, 0), _line("26.60", 300, 0)))
    assert not is_document(Page(width=10, height=10))


def _column(left: int, words_a_line: int, lines: int = 5) -> Block:
    rows = tuple(
        Line(
            bbox=BBox(left=left, top=30 * n, right=left + 400, bottom=30 * n + 20),
            words=tuple(
                Word(
                    text="word",
                    bbox=BBox(left=left, top=30 * n, right=left + 40, bottom=20),
                    confidence=90.0,
                )
                for _ in range(words_a_line)
            ),
        )
        for n in range(lines)
    )
    box = BBox(left=left, top=0, right=left + 400, bottom=30 * lines)
    return Block(bbox=box, paragraphs=(Paragraph(bbox=box, lines=rows),))


def test_columns_of_prose_side_by_side_are_told_from_items_and_prices() -> None:
    assert prose_columns(Page(width=1400, height=200, blocks=(_column(0, 5), _column(450, 4))))
    # a receipt's items beside their prices, a form's fields: one or two words a line
    assert not prose_columns(Page(width=900, height=200, blocks=(_column(0, 4), _column(450, 1))))
    assert not prose_columns(Page(width=900, height=200, blocks=(_column(0, 2), _column(450, 2))))
    # prose above prose is one column
    above = replace(_column(0, 5), bbox=BBox(left=0, top=300, right=400, bottom=450))
    assert not prose_columns(Page(width=500, height=500, blocks=(_column(0, 5), above)))
    assert not prose_columns(
        Page(width=900, height=200, blocks=(_column(0, 5, lines=2), _column(450, 5, lines=2)))
    )


class _Rapid:
    """An engine that claims English and is never asked to read."""

    name = "rapidocr"

    def recognize(self, image: Image.Image, request: EngineRequest) -> Page:
        raise AssertionError("not read in these tests")

    def installed_languages(self) -> frozenset[Language]:
        return frozenset({Language.ENGLISH})


def test_the_plan_follows_family_language_layout_and_size() -> None:
    choice = EngineChoice(rapid=_Rapid())
    receipt = Image.new("L", (900, 2000))
    auto, english = Segmentation.AUTO, RecognitionSettings()
    assert choice.plan(receipt, english, None, auto) == (PageKind.RECEIPT, True)
    assert choice.plan(receipt, english, PageKind.LABEL, auto) == (PageKind.LABEL, False)
    german = replace(english, language=Language.GERMAN)
    assert choice.plan(receipt, german, PageKind.RECEIPT, auto) == (PageKind.DOCUMENT, False)
    layout = replace(english, dsr_mode=DsrMode.DSR_NO_FILTER)  # blocks and columns asked for
    assert choice.plan(receipt, layout, None, auto) == (PageKind.DOCUMENT, False)
    for mode in (DsrMode.REGIONS, DsrMode.NO_DSR_NO_FILTER, DsrMode.LINE_DETECTOR):
        given = replace(english, dsr_mode=mode)
        assert choice.plan(receipt, given, None, segmentation_for(mode)) == (PageKind.RECEIPT, True)
    block = Segmentation.SINGLE_BLOCK  # a region
    assert choice.plan(receipt, english, None, block) == (PageKind.DOCUMENT, False)
    huge = Image.new("L", (3000, 6000))  # 18 MP: Tesseract's raw rows, not RapidOCR's arrays
    assert choice.plan(huge, english, PageKind.RECEIPT, auto) == (PageKind.DOCUMENT, False)
