"""Text accuracy measures: character and word error rates, and bag-of-words F1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np


def normalise(text: str) -> str:
    """``text`` with all runs of whitespace (line breaks included) turned into single spaces."""
    return " ".join(text.split())


def edit_distance(truth: Sequence[int], found: Sequence[int]) -> int:
    """Levenshtein distance, one numpy row at a time (insertions via a running minimum)."""
    if not truth:
        return len(found)
    if not found:
        return len(truth)
    target = np.asarray(found, dtype=np.int64)
    columns = np.arange(len(target) + 1, dtype=np.int64)
    previous = columns.copy()
    for row, symbol in enumerate(truth, start=1):
        current = np.empty_like(previous)
        current[0] = row
        substitute = previous[:-1] + (target != symbol)
        current[1:] = np.minimum(previous[1:] + 1, substitute)
        # a cell may also come from its left neighbour plus one insertion
        current = np.minimum.accumulate(current - columns) + columns
        previous = current
    return int(previous[-1])


def cer(truth: str, found: str) -> float:
    """Character error rate of ``found`` against ``truth`` after whitespace normalisation."""
    a, b = normalise(truth), normalise(found)
    return edit_distance([ord(c) for c in a], [ord(c) for c in b]) / max(1, len(a))


def wer(truth: str, found: str) -> float:
    """Word error rate of ``found`` against ``truth``."""
    a, b = truth.split(), found.split()
    vocabulary = {w: i for i, w in enumerate(dict.fromkeys(a + b))}
    return edit_distance([vocabulary[w] for w in a], [vocabulary[w] for w in b]) / max(1, len(a))


def bag_f1(truth: str, found: str) -> float:
    """F1 of the multisets of words, blind to reading order (receipts' line grouping is rough)."""
    a, b = Counter(truth.split()), Counter(found.split())
    common = sum((a & b).values())
    if not common:
        return 0.0 if (a or b) else 1.0
    precision, recall = common / sum(b.values()), common / sum(a.values())
    return 2 * precision * recall / (precision + recall)
