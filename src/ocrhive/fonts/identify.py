"""Which reference faces a page's words look most like: families ranked, the dominant style.

The engine has read the page already; for a sample of its surest words each reference face sets
the same word, and the rendering is compared with the word's ink (:mod:`ocrhive.fonts.shapes`).
A face's score is its mean difference over the sample; a family's is its best face's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

from ocrhive.domain.document import Page, Word
from ocrhive.fonts.faces import Face, Style
from ocrhive.fonts.shapes import Difference, Shape, crop_shape, difference, rendered_shape

#: how many families the answer names (Aspose's sample names three)
ANSWER_LENGTH = 3
#: the sample: at most this many words, the surest and longest first
MAX_WORDS = 24
#: words the engine is less sure of may be misread, and a misread word renders differently
MIN_CONFIDENCE = 60.0
#: shorter words carry too little shape to tell families apart
MIN_LETTERS = 3
#: a word box lower than this (pixels) is too coarse to show serifs or stroke weight
MIN_HEIGHT = 10
#: weights of the width and stroke-weight differences against the outline difference
WIDTH_WEIGHT = 0.5
WEIGHT_WEIGHT = 0.2


@dataclass(frozen=True, kw_only=True)
class FontGuess:
    """The answer: the dominant style and families ranked best first."""

    style: Style
    families: tuple[str, ...]
    #: how many words the guess rests on
    words: int = 0

    def literal(self) -> str:
        """The answer as Aspose writes it: a Python literal with single quotes."""
        names = ", ".join(f"'{name}'" for name in self.families)
        return f"{{'style': '{self.style.value}', 'font': [{names}]}}"


def sample(page: Page) -> list[Word]:
    """The words worth comparing: sure, long enough, mostly letters; surest and longest first."""
    chosen = [
        w
        for w in page.words()
        if w.confidence >= MIN_CONFIDENCE
        and sum(c.isalpha() for c in w.text) >= MIN_LETTERS
        and w.bbox.height >= MIN_HEIGHT
    ]
    chosen.sort(key=lambda w: (-w.confidence * len(w.text), w.bbox.top, w.bbox.left))
    return chosen[:MAX_WORDS]


def _score(diff: Difference) -> float:
    return diff.outline + WIDTH_WEIGHT * diff.width + WEIGHT_WEIGHT * diff.weight


def _word_shape(grey: npt.NDArray[np.uint8], word: Word) -> Shape | None:
    box = word.bbox
    crop = grey[box.top : box.bottom, box.left : box.right]
    if crop.size == 0:
        return None
    return crop_shape(crop.astype(np.float32))


def face_scores(page: Page, image: Image.Image, faces: Sequence[Face]) -> tuple[list[float], int]:
    """Each face's mean score over the sampled words (lower is closer), and the sample size."""
    grey = np.asarray(image.convert("L"))
    totals = [0.0] * len(faces)
    used = 0
    for word in sample(page):
        shape = _word_shape(grey, word)
        if shape is None:
            continue
        scores: list[float] = []
        for face in faces:
            reference = rendered_shape(face.path, word.text)
            scores.append(_score(difference(shape, reference)) if reference else 10.0)
        used += 1
        totals = [t + s for t, s in zip(totals, scores, strict=True)]
    if used:
        totals = [t / used for t in totals]
    return totals, used


def identify(page: Page, image: Image.Image, faces: Sequence[Face]) -> FontGuess | None:
    """The families and style of the text on ``page`` (boxes in ``image`` pixels).

    Returns None when no word is fit to compare (no text, or only tiny or unsure words).
    """
    scores, used = face_scores(page, image, faces)
    if not used:
        return None
    best_of_family: dict[str, float] = {}
    for face, score in zip(faces, scores, strict=True):
        best_of_family[face.family] = min(score, best_of_family.get(face.family, score))
    ranked = sorted(best_of_family, key=lambda family: (best_of_family[family], family))
    best_face = min(range(len(faces)), key=lambda i: scores[i])
    return FontGuess(
        style=faces[best_face].style, families=tuple(ranked[:ANSWER_LENGTH]), words=used
    )
