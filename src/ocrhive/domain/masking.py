"""Trial masking: which words of a result are hidden, chosen deterministically per image."""

from __future__ import annotations

import hashlib
import math

#: Share of words a trial result hides (Aspose documents 10 %).
DEFAULT_FRACTION = 0.10


def masked_count(word_count: int, fraction: float = DEFAULT_FRACTION) -> int:
    """How many of ``word_count`` words to hide: round half up, at least one if any word exists."""
    if word_count <= 0:
        return 0
    return max(1, min(word_count, math.floor(word_count * fraction + 0.5)))


def choose_masked(
    word_count: int, seed: bytes, fraction: float = DEFAULT_FRACTION
) -> frozenset[int]:
    """The reading-order indexes of the words to hide.

    Each index is ranked by SHA-256(seed ‖ index) and the lowest ranks win, so the choice depends
    only on the image bytes (the seed) and the word count: the same image always loses the same
    words, on every platform and Python version.
    """
    digest = hashlib.sha256(seed).digest()
    ranked = sorted(
        range(word_count),
        key=lambda i: hashlib.sha256(digest + i.to_bytes(8, "big")).digest(),
    )
    return frozenset(ranked[: masked_count(word_count, fraction)])


def mask_word(text: str) -> str:
    """``text`` with every character replaced by ``*`` (length-preserving)."""
    return "*" * len(text)
