"""Pure image → image preprocessing, run by :func:`apply` in the documented order."""

from __future__ import annotations

from ocrhive.preprocess.chain import OrientationDetector, Preprocessed, apply

__all__ = ["OrientationDetector", "Preprocessed", "apply"]
