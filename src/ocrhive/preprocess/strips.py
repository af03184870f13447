"""Page-sized float arithmetic done a band of rows at a time, and page statistics from a sample.

A 100 MP page is 400 MB as one float32 array; contrast correction and binarization used to keep
six or seven of them. Here every intermediate (the lighting-corrected page, box means, Sauvola
thresholds) is a :class:`Rows`: bands of :data:`STRIP_ROWS` rows computed when a consumer asks
for them and dropped once the consumer has moved past, so only a few bands of each exist at
once. Bands are always cut at the same rows, so each one is computed with exactly the same
floating-point operations as the whole-page arrays they replace.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

Gray = npt.NDArray[np.float32]
#: Computes rows ``top`` to ``bottom`` (exclusive) of a page-sized array.
BandFn = Callable[[int, int], Gray]

#: Rows per band: the float64 scratch of a box mean over a band then costs a few tens of MB
#: however large the page. Changing it changes box means in their last bits (the integral
#: images restart at every band), so results would no longer match earlier releases exactly.
STRIP_ROWS = 256
#: Pages up to this many pixels take their medians and percentiles over every pixel, so the
#: tuned results on benchmark- and receipt-sized pages are exactly what they were …
EXACT_PIXELS = 4_000_000
#: … larger pages over a regular grid of at most about this many: quantiles of a million
#: pixels differ from the page's by a fraction of a grey level, while each sample of the
#: exact size would have cost 16 MB and a copy or two more in np.median (over 1 byte per pixel
#: of a 36 MP page for the few samples the steps take).
SAMPLE_PIXELS = 1_000_000


class Rows:
    """A page-sized float32 array that exists only a few rows at a time.

    Two kinds: a *row-wise* array (:meth:`rowwise`: each row depends only on the same row of
    its sources, like a pixelwise function or the background's rebuild) is computed for exactly
    the rows asked for and never kept; a *banded* one (:meth:`banded`: box means, whose bands
    must be cut at multiples of :data:`STRIP_ROWS` to stay bit-identical) keeps the bands a
    consumer walking down the page may still ask for, and forgets those above its request.
    """

    def __init__(
        self, shape: tuple[int, int], *, rows: BandFn | None = None, band: BandFn | None = None
    ) -> None:
        self.shape = shape
        self._rows = rows
        self._band = band
        self._cache: dict[int, Gray] = {}

    @classmethod
    def rowwise(cls, shape: tuple[int, int], rows: BandFn) -> Rows:
        """An array whose rows ``top`` to ``bottom`` ``rows(top, bottom)`` computes directly."""
        return cls(shape, rows=rows)

    @classmethod
    def banded(cls, shape: tuple[int, int], band: BandFn) -> Rows:
        """An array computed band by band, ``band(top, bottom)`` giving one aligned band."""
        return cls(shape, band=band)

    @classmethod
    def of(cls, arr: npt.NDArray[np.generic]) -> Rows:
        """An existing 2-D array (any real dtype) seen as float32 rows."""
        height, width = arr.shape
        return cls.rowwise((height, width), lambda top, bottom: arr[top:bottom].astype(np.float32))

    def map(self, fn: Callable[[Gray], Gray]) -> Rows:
        """The pixelwise function ``fn`` of this array (row-wise: nothing is kept)."""
        return Rows.rowwise(self.shape, lambda top, bottom: fn(self.rows(top, bottom)))

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1]

    def bands(self) -> Iterator[tuple[int, Gray]]:
        """Each band of :data:`STRIP_ROWS` rows from the top, with its first row."""
        height = self.shape[0]
        for top in range(0, height, STRIP_ROWS):
            yield top, self.rows(top, min(height, top + STRIP_ROWS))

    def rows(self, top: int, bottom: int) -> Gray:
        """Rows ``top`` to ``bottom`` (exclusive), which must lie within the page."""
        if self._rows is not None:
            return self._rows(top, bottom)
        self._forget_above(top // STRIP_ROWS)
        first, last = top // STRIP_ROWS, (bottom - 1) // STRIP_ROWS
        if first == last:
            start = first * STRIP_ROWS
            return self._cached(first)[top - start : bottom - start]
        joined = np.concatenate([self._cached(i) for i in range(first, last + 1)])
        start = first * STRIP_ROWS
        return joined[top - start : bottom - start]

    def take(self, first: int, stop: int) -> Gray:
        """Rows ``first`` to ``stop`` (exclusive), rows beyond the page edge repeating the edge."""
        last = self.shape[0] - 1
        lo, hi = min(max(first, 0), last), min(max(stop - 1, 0), last) + 1
        inside = self.rows(lo, hi)
        if first >= 0 and stop - 1 <= last:
            return inside
        picked: Gray = inside[np.clip(np.arange(first, stop), 0, last) - lo]
        return picked

    def _cached(self, index: int) -> Gray:
        assert self._band is not None
        found = self._cache.get(index)
        if found is None:
            top = index * STRIP_ROWS
            found = self._band(top, min(self.shape[0], top + STRIP_ROWS))
            self._cache[index] = found
        return found

    def _forget_above(self, index: int) -> None:
        for old in [i for i in self._cache if i < index]:
            del self._cache[old]

    def collect(self) -> Gray:
        """The whole array at once (for small pages and tests)."""
        out: Gray = np.empty(self.shape, dtype=np.float32)
        for top, band in self.bands():
            out[top : top + band.shape[0]] = band
        return out


def window_mean(window: Gray, radius: int, width: int) -> Gray:
    """The (2·radius+1)² box mean of the middle rows of ``window``, via one integral image.

    ``window`` holds the output rows plus ``radius + 1`` rows above and ``radius`` below (edge
    rows repeated); columns are padded here. Float64 sums: float32 ones lost the ink contrast of
    pale print in the rounding of large totals.
    """
    size = 2 * radius + 1
    block = np.pad(window.astype(np.float64), ((0, 0), (radius + 1, radius)), mode="edge")
    np.cumsum(block, axis=0, out=block)
    np.cumsum(block, axis=1, out=block)
    # in place, in the same order as before: one float64 band of scratch instead of three
    total = block[size:, size:] - block[:-size, size:]
    total -= block[size:, :-size]
    total += block[:-size, :-size]
    total /= size * size
    mean: Gray = total[:, :width].astype(np.float32)
    return mean


def boxed(source: Rows, radius: int) -> Rows:
    """The mean of each pixel's (2·radius+1)² neighbourhood of ``source``, edges repeated."""
    if radius <= 0:
        return source
    width = source.shape[1]

    def band(top: int, bottom: int) -> Gray:
        return window_mean(source.take(top - radius - 1, bottom + radius), radius, width)

    return Rows.banded(source.shape, band)


class Sampler:
    """Picks the pixels page-wide statistics are taken over: all of them on pages up to
    :data:`EXACT_PIXELS`, else every n-th row and column (a regular grid: a document's text is
    spread over the page, and a deterministic grid keeps results repeatable)."""

    def __init__(self, shape: tuple[int, int]) -> None:
        pixels = shape[0] * shape[1]
        self.step = 1 if pixels <= EXACT_PIXELS else math.ceil(math.sqrt(pixels / SAMPLE_PIXELS))

    def pick(self, top: int, band: Gray) -> Gray:
        """The sampled pixels of ``band`` (whose first row is ``top``), flattened."""
        if self.step == 1:
            return band.ravel()
        picked: Gray = band[(-top) % self.step :: self.step, :: self.step].ravel()
        return picked


def sample(source: Rows) -> Gray:
    """:class:`Sampler`'s pixels of ``source`` in one flat array."""
    sampler = Sampler(source.shape)
    parts = [sampler.pick(top, band) for top, band in source.bands()]
    if not parts:
        return np.empty(0, dtype=np.float32)
    return np.concatenate(parts)
