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
#: Weights of the width and stroke-weight differences against the outline difference. Chosen
#: on the generated benchmark (198 samples, six conditions): top-3 stayed at 100 % and style at
#: 99–100 % for width weights 0.25–0.5 with stroke weights 0.05–0.2; without the stroke term
#: style fell to 96 %, with a width weight of 1 top-1 fell from 97.5 % to 96 %.
WIDTH_WEIGHT = 0.5
WEIGHT_WEIGHT = 0.1


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


def _word_shape(grey: npt.NDArray[np.uint8], word: Word) -> Shape | None:
    box = word.bbox
    crop = grey[box.top : box.bottom, box.left : box.right]
    if crop.size == 0:
        return None
    return crop_shape(crop.astype(np.float32))


#: the difference charged for a word a face cannot set (no ink: a glyph the font lacks)
UNSET = Difference(outline=1.0, width=1.0, weight=1.0)


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """Per face (in the order given), the mean of each difference over the sampled words."""

    outline: npt.NDArray[np.float64]
    width: npt.NDArray[np.float64]
    weight: npt.NDArray[np.float64]
    words: int

    def scores(self) -> npt.NDArray[np.float64]:
        """One score per face, lower is closer."""
        return self.outline + WIDTH_WEIGHT * self.width + WEIGHT_WEIGHT * self.weight


def compare(page: Page, image: Image.Image, faces: Sequence[Face]) -> Comparison:
    """How the sampled words of ``page`` differ from their renderings in each face."""
    grey = np.asarray(image.convert("L"))
    totals = np.zeros((3, len(faces)))
    used = 0
    for word in sample(page):
        shape = _word_shape(grey, word)
        if shape is None:
            continue
        for index, face in enumerate(faces):
            reference = rendered_shape(face.path, word.text)
            diff = difference(shape, reference) if reference else UNSET
            totals[:, index] += (diff.outline, diff.width, diff.weight)
        used += 1
    means = totals / max(used, 1)
    return Comparison(outline=means[0], width=means[1], weight=means[2], words=used)


def identify(page: Page, image: Image.Image, faces: Sequence[Face]) -> FontGuess | None:
    """The families and style of the text on ``page`` (boxes in ``image`` pixels).

    Returns None when no word is fit to compare (no text, or only tiny or unsure words).
    """
    comparison = compare(page, image, faces)
    if not comparison.words:
        return None
    scores = [float(score) for score in comparison.scores()]
    best_of_family: dict[str, float] = {}
    for face, score in zip(faces, scores, strict=True):
        best_of_family[face.family] = min(score, best_of_family.get(face.family, score))
    ranked = sorted(best_of_family, key=lambda family: (best_of_family[family], family))
    best_face = min(range(len(faces)), key=lambda i: scores[i])
    return FontGuess(
        style=faces[best_face].style,
        families=tuple(ranked[:ANSWER_LENGTH]),
        words=comparison.words,
    )
