"""Text comparison for tests: the benchmark's character error rate, plus word recall."""

from __future__ import annotations

from benchmarks.accuracy import metrics

normalise = metrics.normalise


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate of ``hypothesis`` against ``reference`` (whitespace folded)."""
    return metrics.cer(reference, hypothesis)


def word_recall(hypothesis: str, reference: str) -> float:
    """Share of reference words found in the hypothesis (bag of words)."""
    pool = hypothesis.split()
    found = 0
    for word in reference.split():
        if word in pool:
            pool.remove(word)
            found += 1
    return found / max(1, len(reference.split()))
