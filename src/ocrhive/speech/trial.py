"""The trial's spoken notice: where in the client's text it goes (the same place for the same
text), and how long a trial text may be."""

from __future__ import annotations

import hashlib
import re

from ocrhive.domain.recognition import TRIAL_SPEECH_CHARACTERS

#: what the trial says, once, somewhere in the text (spec §8.6)
NOTICE = "Please authenticate to the API to remove this message."
#: the longest text the trial speaks, spaces and punctuation included (spec §9)
MAX_CHARACTERS = TRIAL_SPEECH_CHARACTERS

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_WORD_GAP = re.compile(r"\s+")


def boundaries(text: str) -> list[int]:
    """Where the notice may go: the start, the end, and between sentences — or between words
    when the text is one sentence."""
    inner = [m.end() for m in _SENTENCE_END.finditer(text)]
    if not inner:
        inner = [m.end() for m in _WORD_GAP.finditer(text)]
    return [0, *inner, len(text)]


def with_notice(text: str) -> str:
    """``text`` with :data:`NOTICE` at a boundary chosen from a hash of the text.

    Args:
        text: The client's text, already stripped of surrounding whitespace.
    """
    places = boundaries(text)
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    at = places[int.from_bytes(digest[:8], "big") % len(places)]
    before, after = text[:at].rstrip(), text[at:].lstrip()
    if before and not before.endswith((".", "!", "?", "…")):
        before += "."  # a pause before the notice, even in mid-sentence
    return " ".join(part for part in (before, NOTICE, after) if part)
