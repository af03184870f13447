"""Words regrouped into text lines by their boxes alone, whatever blocks the engine made."""

from __future__ import annotations

from collections.abc import Iterable

from ocrhive.domain.document import BBox, Word

#: A word joins a line when this share of the shorter height overlaps the line's band.
OVERLAP = 0.5


def group_lines(words: Iterable[Word]) -> list[list[Word]]:
    """Words in lines, top to bottom, each line left to right.

    A word joins the line whose vertical band overlaps it the most (at least OVERLAP of the
    shorter of the two heights); an engine that read columns as separate blocks still gives
    one line per table row.
    """
    lines: list[list[Word]] = []
    bands: list[tuple[int, int]] = []
    for word in sorted(words, key=lambda w: (w.bbox.top + w.bbox.bottom, w.bbox.left)):
        best, share = -1, 0.0
        for index, (top, bottom) in enumerate(bands):
            overlap = min(bottom, word.bbox.bottom) - max(top, word.bbox.top)
            shorter = max(1, min(bottom - top, word.bbox.height))
            if overlap / shorter > share:
                best, share = index, overlap / shorter
        if best >= 0 and share >= OVERLAP:
            lines[best].append(word)
            # the band is the line's median-ish extent: the first word's, widened little
            top, bottom = bands[best]
            bands[best] = (min(top, word.bbox.top), max(bottom, word.bbox.bottom))
        else:
            lines.append([word])
            bands.append((word.bbox.top, word.bbox.bottom))
    ordered = sorted(zip(bands, lines, strict=True), key=lambda pair: pair[0][0] + pair[0][1])
    return [sorted(line, key=lambda w: w.bbox.left) for _, line in ordered]


def line_box(line: list[Word]) -> BBox:
    """The box around a line's words."""
    return BBox.union([w.bbox for w in line])


def text_of(words: Iterable[Word]) -> str:
    """Words as text: lines joined by spaces, each read left to right."""
    return " ".join(w.text for line in group_lines(words) for w in line if w.text.strip())
