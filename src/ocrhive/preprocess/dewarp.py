"""Page dewarping: text lines bent by a curled page or a lens are straightened by a smooth
vertical displacement fitted to the lines themselves."""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from ocrhive.preprocess.rotate import paper_colour
from ocrhive.preprocess.textsize import ink_mask

#: Pages are measured at most this many pixels on the long side (the field is smooth).
MEASURE_SIDE = 1600
#: Degree of the displacement across the page (x); a sine of up to ~⅔ of a period over the
#: width, or a book page's curl, leaves residuals of a pixel or two at degree 4.
X_DEGREE = 4
#: Degree of how that curve changes down the page (y): a book page bends more near its edges.
Y_DEGREE = 2
#: A line piece must span at least this many character heights to tell its slope.
MIN_PIECE = 3.0
#: At least this many line pieces, or the page has too little text to model.
MIN_PIECES = 6
#: The fitted curve must explain this share of the lines' vertical wander, or it is noise.
MIN_EXPLAINED = 0.5
#: Displacements smaller than this (pixels) are not worth a resampling.
MIN_SHIFT = 1.5
#: Output rows remapped at a time, so the float maps stay small on large pages.
BAND = 512
#: The displacement field is evaluated on a grid this coarse, then interpolated.
GRID = 8

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class Warp:
    """A fitted vertical displacement ``d(x, y)``: the ink seen at ``y + d`` belongs at ``y``."""

    #: ``coefficients[p - 1, q]`` multiplies ``x**p * y**q`` (x, y scaled to [-1, 1])
    coefficients: Floats
    width: int
    height: int
    #: the largest displacement over the page, pixels
    largest: float
    #: share of the line pieces' vertical wander the fit explains (0..1)
    explained: float
    #: how many line pieces the fit used
    pieces: int

    def field(self, xs: Floats, ys: Floats) -> Floats:
        """The displacement in pixels at pixel coordinates ``xs``, ``ys`` (same shape)."""
        u = 2.0 * xs / max(1, self.width - 1) - 1.0
        v = 2.0 * ys / max(1, self.height - 1) - 1.0
        out = np.zeros(np.broadcast(u, v).shape)
        for p in range(1, self.coefficients.shape[0] + 1):
            # minus the mean over x of u**p: a shift that is the same all along a row moves
            # nothing relative to anything else, so none is applied
            across = u**p - (1.0 / (p + 1) if p % 2 == 0 else 0.0)
            for q in range(self.coefficients.shape[1]):
                out = out + self.coefficients[p - 1, q] * across * v**q
        return out * (self.height - 1) / 2.0


def _basis(u: Floats, v: Floats) -> Floats:
    columns = [u**p * v**q for p in range(1, X_DEGREE + 1) for q in range(Y_DEGREE + 1)]
    return np.stack(columns, axis=1)


def _line_samples(mask: npt.NDArray[np.bool_]) -> tuple[Floats, Floats, npt.NDArray[np.int64]]:
    """Points along the middle of the text lines: (x, y, piece) per short stretch of a line.

    Characters are smeared sideways into line pieces; each piece is cut into stretches about
    one character high wide, and a stretch's point is the mean position of its ink.
    """
    ink = mask.astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    areas = stats[1:, cv2.CC_STAT_AREA]
    glyphs = heights[(areas >= 4) & (heights >= 3)]
    if count < 2 or glyphs.size < 20:
        return np.empty(0), np.empty(0), np.empty(0, dtype=np.int64)
    char = float(np.median(glyphs))
    reach = max(3, round(1.2 * char))
    smeared = cv2.dilate(ink, np.ones((1, reach), np.uint8))
    _, labels, pstats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=4)
    wide = pstats[:, cv2.CC_STAT_WIDTH] >= MIN_PIECE * char
    # two lines smeared into one, or a picture, are no line's middle: a line piece is on
    # average about a character thick, however far it bends
    thickness = pstats[:, cv2.CC_STAT_AREA] / np.maximum(pstats[:, cv2.CC_STAT_WIDTH], 1)
    flat = thickness <= 2.0 * char
    good = wide & flat
    good[0] = False
    ys, xs = np.nonzero(mask)
    piece = labels[ys, xs]
    keep = good[piece]
    ys, xs, piece = ys[keep], xs[keep], piece[keep]
    if piece.size == 0:
        return np.empty(0), np.empty(0), np.empty(0, dtype=np.int64)
    stretch = np.maximum(1, round(char))
    key = piece.astype(np.int64) * (mask.shape[1] // stretch + 1) + xs // stretch
    keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    mean_x = np.bincount(inverse, weights=xs) / counts
    mean_y = np.bincount(inverse, weights=ys) / counts
    owner = keys // (mask.shape[1] // stretch + 1)
    # a stretch with a speck of ink says little about where the line runs
    solid = counts >= 0.5 * char
    return mean_x[solid], mean_y[solid], owner[solid]


def _centred(values: Floats, owner: npt.NDArray[np.int64], groups: int) -> Floats:
    """``values`` minus the mean of their piece (along axis 0)."""
    sums = np.zeros((groups, *values.shape[1:]))
    np.add.at(sums, owner, values)
    sizes = np.bincount(owner, minlength=groups).astype(np.float64)
    means = sums / np.maximum(sizes, 1.0).reshape(-1, *([1] * (values.ndim - 1)))
    centred: Floats = values - means[owner]
    return centred


def estimate_warp(image: Image.Image) -> Warp | None:
    """Fit the vertical displacement that makes the page's text lines straight.

    Each text line piece ``i`` is modelled as ``y = c_i + d(x, y)``, with a free offset ``c_i``
    per piece and one polynomial ``d`` (degree :data:`X_DEGREE` across, :data:`Y_DEGREE` down)
    for the whole page; the offsets are eliminated by centring each piece, ``d`` is found by
    least squares, twice, the second time without the stretches the first fit missed by far
    (descender-heavy words, touching lines).

    Returns:
        The warp, or None when the page has too few text lines to fit one.
    """
    scale = min(1.0, MEASURE_SIDE / max(image.size))
    small = image.convert("L")
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        small = small.resize(size, Image.Resampling.BOX)
    xs, ys, owner = _line_samples(ink_mask(small))
    if owner.size == 0:
        return None
    _, owner = np.unique(owner, return_inverse=True)
    groups = int(owner.max()) + 1
    if groups < MIN_PIECES:
        return None
    w, h = small.size
    u = 2.0 * xs / max(1, w - 1) - 1.0
    v = 2.0 * ys / max(1, h - 1) - 1.0
    target = _centred(v, owner, groups)
    design = _centred(_basis(u, v), owner, groups)
    keep = np.ones(target.size, dtype=np.bool_)
    coefficients: Floats = np.zeros(design.shape[1])
    for _ in range(2):
        solved, *_ = np.linalg.lstsq(design[keep], target[keep], rcond=None)
        coefficients = solved.astype(np.float64)
        residual = target - design @ coefficients
        spread = 1.4826 * float(np.median(np.abs(residual[keep]))) + 1e-9
        keep = np.abs(residual) <= 3.0 * spread
    before = float(np.sum(target[keep] ** 2))
    after = float(np.sum((target[keep] - design[keep] @ coefficients) ** 2))
    explained = 1.0 - after / before if before > 0 else 0.0
    warp = Warp(
        coefficients=coefficients.reshape(X_DEGREE, Y_DEGREE + 1),
        width=image.width,
        height=image.height,
        largest=0.0,
        explained=explained,
        pieces=groups,
    )
    gx, gy = np.meshgrid(np.linspace(0, image.width - 1, 64), np.linspace(0, image.height - 1, 64))
    return replace(warp, largest=float(np.max(np.abs(warp.field(gx, gy)))))


def unwarp(image: Image.Image, warp: Warp) -> Image.Image:
    """``image`` with ``warp`` undone; rows pulled in from beyond the edges take the paper colour.

    For each output pixel the source row solves ``y_src = y + d(x, y_src)`` (two fixed-point
    steps from ``y``: ``d`` changes slowly down the page).
    """
    source = np.asarray(image)
    fill = paper_colour(image)
    border = tuple(float(c) for c in fill) if isinstance(fill, tuple) else float(fill)
    out = np.empty_like(source)
    width, height = image.size
    cols = np.arange(0, width + GRID, GRID, dtype=np.float64)
    for top in range(0, height, BAND):
        bottom = min(height, top + BAND)
        rows = np.arange(top, bottom + GRID, GRID, dtype=np.float64)
        gx, gy = np.meshgrid(cols, rows)
        src = gy
        for _ in range(2):
            src = gy + warp.field(gx, src)
        # the coarse grid starts at (0, top) with spacing GRID: stretch it onto the band
        fine = cv2.resize(
            src.astype(np.float32),
            (len(cols) * GRID, len(rows) * GRID),
            interpolation=cv2.INTER_LINEAR,
        )
        shift = GRID / 2 - 0.5  # cv2.resize aligns pixel centres, not corners
        fine = cv2.warpAffine(
            fine,
            np.array([[1, 0, -shift], [0, 1, -shift]], dtype=np.float64),
            (width, bottom - top),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        map_x = np.broadcast_to(np.arange(width, dtype=np.float32), fine.shape)
        out[top:bottom] = cv2.remap(
            source,
            np.ascontiguousarray(map_x),
            fine,
            interpolation=cv2.INTER_CUBIC,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=border,
        )
    return Image.fromarray(out, mode=image.mode)


def dewarp(image: Image.Image) -> tuple[Image.Image, Warp | None]:
    """``image`` with its text lines straightened, when they are clearly and measurably bent.

    Returns:
        The image (the same object when nothing was done) and the warp undone (None when
        nothing was done).
    """
    warp = estimate_warp(image)
    if warp is None or warp.explained < MIN_EXPLAINED or warp.largest < MIN_SHIFT:
        return image, None
    return unwarp(image, warp), warp
