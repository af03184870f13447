"""The engine port: what every OCR engine is asked and what it must give back."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from PIL import Image

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import Language


class Segmentation(enum.Enum):
    """How the engine should split the page before reading it."""

    AUTO = "auto"  #: full layout analysis (columns, blocks, paragraphs)
    SINGLE_BLOCK = "single_block"  #: one uniform block of text
    SPARSE = "sparse"  #: as much text as possible, in no particular order (photos, IDs)
    SINGLE_COLUMN = "single_column"  #: one column of lines of various sizes
    SINGLE_LINE = "single_line"  #: exactly one line (a region crop)
    #: one uniform block for small images (a few lines), full layout analysis for large ones
    BY_SIZE = "by_size"
    #: full layout analysis, plus a sparse pass that adds the words the layout pass missed
    AUTO_PLUS_SPARSE = "auto_plus_sparse"


@dataclass(frozen=True, kw_only=True)
class EngineRequest:
    """What to read and how."""

    language: Language = Language.ENGLISH
    segmentation: Segmentation = Segmentation.AUTO
    #: the image's resolution when known; engines estimate it otherwise
    dpi: float | None = None


class Engine(Protocol):
    """An OCR engine kept loaded for the life of a worker process."""

    name: str

    def recognize(self, image: Image.Image, request: EngineRequest) -> Page:
        """Read ``image`` and return the page tree (boxes in ``image`` pixels)."""
        ...

    def installed_languages(self) -> frozenset[Language]:
        """The languages this engine has a model for on this machine."""
        ...
