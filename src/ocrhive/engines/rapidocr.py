"""RapidOCR (PP-OCR models on onnxruntime, shipped inside the wheel) as a second engine."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ocrhive.domain.document import BBox, Block, Line, Page, Paragraph, Word
from ocrhive.domain.recognition import Language
from ocrhive.engines.base import EngineRequest, Segmentation
from ocrhive.engines.languages import RAPIDOCR_LANGUAGES
from ocrhive.errors import EngineFailure, ModelNotInstalled

#: The detector and recogniser the ``rapidocr`` wheel carries; anything else would be downloaded
#: at run time, which this server never does.
DETECTOR = "PP-OCRv6_det_small.onnx"
RECOGNISER = "PP-OCRv6_rec_small.onnx"

#: Lines closer than this many line heights, and overlapping horizontally, share a block.
_BLOCK_GAP = 0.8

#: The detector's input for Latin pages (receipts, labels): long side scaled down to this.
#: The library's default (short side scaled *up* to 736) ran the detector on full-size receipts:
#: 2.5-3 CPU-s each against 0.6 at 960, for the same CER (benchmarks/accuracy/README.md).
#: Chinese and Japanese keep the library's default, as measured in benchmarks/engines.
LATIN_DETECTOR = (960, "max")
#: A crop at most this tall, at least as wide, in which the detector finds nothing is read as
#: one line: the detector missed a word crop 24 px tall ("Studio 21", 85x24) that the
#: recogniser read at 0.9995; on blank and noisy crops the recogniser returns nothing.
ONE_LINE_HEIGHT = 64
#: The recogniser's score a whole-crop read needs (the library's own floor for detected lines).
ONE_LINE_SCORE = 0.5
CJK_DETECTOR = (736, "min")


def models_dir() -> Path | None:
    """The folder of the installed ``rapidocr`` package's bundled models (None if absent)."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    if (folder / DETECTOR).is_file() and (folder / RECOGNISER).is_file():
        return folder
    return None


class RapidOcrEngine:
    """Reads images with RapidOCR; the ONNX sessions load on first use and stay loaded.

    It has no layout analysis of its own: lines come back top to bottom and are grouped into
    blocks of vertically adjacent, horizontally overlapping lines, which keeps simple columns
    apart but not complex layouts.
    """

    name = "rapidocr"

    def __init__(self, *, threads: int = 1) -> None:
        self._threads = threads
        self._ocr: Any = None

    def installed_languages(self) -> frozenset[Language]:
        return RAPIDOCR_LANGUAGES if models_dir() is not None else frozenset()

    def warm_up(self, language: Language = Language.CHINESE) -> None:
        """Load the ONNX models now rather than on the first task."""
        self._load()

    def _load(self) -> Any:
        if self._ocr is not None:
            return self._ocr
        folder = models_dir()
        if folder is None:
            raise ModelNotInstalled(
                "RapidOCR's models are not installed on this server; install the 'rapidocr' "
                "package, then restart the workers."
            )
        from rapidocr import RapidOCR  # heavy (onnxruntime, OpenCV): only when first needed

        self._ocr = RapidOCR(
            params={
                # the angle classifier flipped correct lines and cost ~4.5 % CER on clean text
                "Global.use_cls": False,
                "Global.return_word_box": True,
                "Global.log_level": "error",
                "Det.model_path": str(folder / DETECTOR),
                "Rec.model_path": str(folder / RECOGNISER),
                # one task per worker process: more threads only fight the other workers
                "EngineConfig.onnxruntime.intra_op_num_threads": self._threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        return self._ocr

    def recognize(self, image: Image.Image, request: EngineRequest) -> Page:
        if request.language not in RAPIDOCR_LANGUAGES:
            raise ModelNotInstalled(f"RapidOCR cannot read {request.language.value}.")
        ocr = self._load()
        cjk = request.language is not Language.ENGLISH
        _limit_detector(ocr, *(CJK_DETECTOR if cjk else LATIN_DETECTOR))
        pixels = np.asarray(image.convert("RGB"))[:, :, ::-1]  # OpenCV order: BGR
        single_line = request.segmentation is Segmentation.SINGLE_LINE
        out = _run(ocr, pixels, detect=not single_line)
        if not single_line and not out.txts and _one_line_crop(image):
            whole = _run(ocr, pixels, detect=False)
            if whole.scores and float(whole.scores[0]) >= ONE_LINE_SCORE:
                out = whole
        lines = _lines(out, image.width, image.height)
        return Page(
            width=image.width,
            height=image.height,
            blocks=_group(lines),
            dpi=float(request.dpi or 300.0),
            language=_LANGUAGE_CODES.get(request.language, "eng"),
        )


def _run(ocr: Any, pixels: Any, *, detect: bool) -> Any:
    try:
        return ocr(pixels, use_det=detect, use_cls=False, use_rec=True)
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise EngineFailure(f"RapidOCR failed on this image: {exc}") from exc


def _one_line_crop(image: Image.Image) -> bool:
    """Whether ``image`` is shaped like a crop of one line of text (:data:`ONE_LINE_HEIGHT`)."""
    return image.height <= ONE_LINE_HEIGHT and image.width >= image.height


def _limit_detector(ocr: Any, side: int, kind: str) -> None:
    """Set the detector's input size rule; it is read on every call, so one loaded model
    serves both rules."""
    detector = ocr._load_det_model()  # the library builds it lazily; it stays loaded
    detector.limit_side_len = side
    detector.limit_type = kind


#: hOCR/JSON language codes for the page (ISO 639-2, as Tesseract's model names).
_LANGUAGE_CODES = {
    Language.CHINESE: "chi_sim",
    Language.CANTONESE: "chi_tra",
    Language.JAPANESE: "jpn",
    Language.ENGLISH: "eng",
}


def _quad_box(quad: Any, width: int, height: int) -> BBox:
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return BBox(
        left=max(0, int(min(xs))),
        top=max(0, int(min(ys))),
        right=min(width, round(max(xs))),
        bottom=min(height, round(max(ys))),
    )


def split_words(text: str, box: BBox, confidence: float) -> tuple[Word, ...]:
    """Words of a line the engine boxed as a whole, each given a share of the line's box in
    proportion to its length (spaces count as one character)."""
    tokens = text.split()
    total = max(1, len(" ".join(tokens)))
    words = []
    offset = 0
    for token in tokens:
        left = box.left + round(box.width * offset / total)
        right = box.left + round(box.width * (offset + len(token)) / total)
        words.append(
            Word(
                text=token,
                bbox=BBox(left=left, top=box.top, right=max(right, left + 1), bottom=box.bottom),
                confidence=confidence,
            )
        )
        offset += len(token) + 1
    return tuple(words)


def _confidence(score: Any) -> float:
    return round(max(0.0, min(100.0, 100.0 * float(score))), 2)


def _line_words(
    text: str, box: BBox, score: Any, found: Any, size: tuple[int, int]
) -> tuple[Word, ...]:
    """The line's words, with the engine's own word boxes when they match the spaced text."""
    tokens = text.split()
    if (
        found
        and len(found) == len(tokens)
        and all(f[0] == t for f, t in zip(found, tokens, strict=True))
    ):
        return tuple(
            Word(text=t, bbox=_quad_box(f[2], *size), confidence=_confidence(f[1]))
            for f, t in zip(found, tokens, strict=True)
        )
    return split_words(text, box, _confidence(score))


def _lines(out: Any, width: int, height: int) -> list[Line]:
    texts = list(out.txts or ())
    if not texts:
        return []
    scores = list(out.scores or ())
    boxes = getattr(out, "boxes", None)  # recognition-only output has no boxes at all
    if boxes is None:  # recognition only (one line): the line is the whole image
        quads: list[Any] = [[(0, 0), (width, 0), (width, height), (0, height)]] * len(texts)
    else:
        quads = list(boxes)
    found = list(getattr(out, "word_results", None) or ()) if boxes is not None else []
    lines = []
    for index, (text, quad, score) in enumerate(zip(texts, quads, scores, strict=False)):
        box = _quad_box(quad, width, height)
        words = _line_words(
            str(text), box, score, found[index] if index < len(found) else None, (width, height)
        )
        if words:
            lines.append(Line(bbox=box, words=words))
    lines.sort(key=lambda line: (line.bbox.top, line.bbox.left))
    return lines


def _joins(block: list[Line], line: Line) -> bool:
    last = block[-1]
    gap = line.bbox.top - last.bbox.bottom
    overlap = min(last.bbox.right, line.bbox.right) - max(last.bbox.left, line.bbox.left)
    return gap <= _BLOCK_GAP * max(1, last.bbox.height) and overlap > 0


def _group(lines: list[Line]) -> tuple[Block, ...]:
    """Blocks of vertically adjacent, horizontally overlapping lines, in reading order."""
    groups: list[list[Line]] = []
    for line in lines:
        # the newest group the line continues: side-by-side columns grow as separate blocks
        target = next((g for g in reversed(groups) if _joins(g, line)), None)
        if target is None:
            groups.append([line])
        else:
            target.append(line)
    blocks = []
    for group in _column_order(groups):
        box = BBox.union([line.bbox for line in group])
        words = [w for line in group for w in line.words]
        blocks.append(
            Block(
                bbox=box,
                paragraphs=(Paragraph(bbox=box, lines=tuple(group)),),
                confidence=round(sum(w.confidence for w in words) / len(words), 2),
            )
        )
    return tuple(blocks)


def _column_order(groups: list[list[Line]]) -> list[list[Line]]:
    """Groups read column by column: groups whose horizontal spans overlap form a column,
    columns go left to right, groups within one top to bottom."""
    spans = [(min(ln.bbox.left for ln in g), max(ln.bbox.right for ln in g)) for g in groups]
    column = list(range(len(groups)))

    def root(i: int) -> int:
        while column[i] != i:
            i = column[i]
        return i

    for i, (left_i, right_i) in enumerate(spans):
        for j in range(i):
            if min(right_i, spans[j][1]) > max(left_i, spans[j][0]):
                column[root(i)] = root(j)
    lefts: dict[int, int] = {}
    for i, (left, _right) in enumerate(spans):
        lefts[root(i)] = min(left, lefts.get(root(i), left))
    order = sorted(range(len(groups)), key=lambda i: (lefts[root(i)], groups[i][0].bbox.top))
    return [groups[i] for i in order]
