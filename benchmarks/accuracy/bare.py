"""The two engines as shipped, with nothing of ocrhive's around them: the issue's "bare
Tesseract" and "RapidOCR alone" columns.

* :class:`BareTesseract` — tesserocr (the language's model, LSTM, automatic page segmentation)
  on the image as decoded, its text as Tesseract writes it;
* :class:`BareRapidOcr` — ``rapidocr.RapidOCR`` with the library's own defaults (its detector
  size rule, the angle classifier on, the models in the wheel), one onnxruntime thread, its lines
  joined top to bottom as the library orders them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tesserocr
from PIL import Image
from tesserocr import OEM, PSM

from ocrhive.domain.recognition import Language
from ocrhive.engines.languages import TESSERACT_MODELS
from ocrhive.engines.tesseract import TesseractEngine


class BareTesseract:
    """tesserocr with one resident API per language, no preprocessing (:class:`LookupError`
    for a language whose model is not installed)."""

    name = "bare tesseract"

    def __init__(self) -> None:
        self._apis: dict[Language, tesserocr.PyTessBaseAPI] = {}

    def load(self, language: Language = Language.ENGLISH) -> tesserocr.PyTessBaseAPI:
        """The language's resident API, started on first use."""
        if language not in self._apis:
            model = TESSERACT_MODELS[language]
            folder = TesseractEngine()._find(model)
            if folder is None:
                raise LookupError(f"{model}.traineddata is not installed")
            self._apis[language] = tesserocr.PyTessBaseAPI(
                path=str(folder), lang=model, oem=OEM.LSTM_ONLY, psm=PSM.AUTO
            )
        return self._apis[language]

    def read(self, image: Image.Image, language: Language = Language.ENGLISH) -> str:
        api = self.load(language)
        dpi = image.info.get("dpi")
        api.SetImage(image)
        if dpi and 70 <= dpi[0] <= 2400:
            api.SetSourceResolution(round(dpi[0]))
        text: str = api.GetUTF8Text()
        api.Clear()
        return text


class BareRapidOcr:
    """RapidOCR with the library's defaults (its recogniser reads the wheel's one
    model whatever the language)."""

    name = "bare rapidocr"

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        self._ocr: Any = RapidOCR(
            params={
                "Global.log_level": "error",
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )

    def read(self, image: Image.Image, language: Language = Language.ENGLISH) -> str:
        out = self._ocr(np.asarray(image.convert("RGB"))[:, :, ::-1])
        return "\n".join(str(text) for text in out.txts or ())
