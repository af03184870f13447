"""Text comparison for tests: character error rate and word recall after whitespace folding."""

from __future__ import annotations


def normalise(text: str) -> str:
    return " ".join(text.split())


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate of ``hypothesis`` against ``reference`` (whitespace folded)."""
    ref = normalise(reference)
    return levenshtein(normalise(hypothesis), ref) / max(1, len(ref))


def word_recall(hypothesis: str, reference: str) -> float:
    """Share of reference words found in the hypothesis (bag of words)."""
    ref = reference.split()
    pool = hypothesis.split()
    found = 0
    for word in ref:
        if word in pool:
            pool.remove(word)
            found += 1
    return found / max(1, len(ref))
