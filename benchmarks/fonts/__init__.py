"""IdentifyFont on generated samples: top-1 and top-3 family accuracy, style accuracy.

Usage (from the repository root, with the virtualenv active)::

    python -m benchmarks.fonts              # every sample (231 images), one table
    python -m benchmarks.fonts -v           # plus one line per sample
    python -m benchmarks.fonts --families times courier
    python -m benchmarks.fonts --seed 7     # other texts and noise: a set not tuned on

The samples come from :mod:`benchmarks.fonts.samples` (seeded, nothing stored on disk).
"""
