"""Local contrast normalisation: divide out the paper's lighting, then stretch what is left."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

# Gray is re-exported: the other steps annotate their arrays with it
from ocrhive.preprocess.strips import Gray as Gray
from ocrhive.preprocess.strips import Rows, Sampler, boxed, sample

Grey8 = npt.NDArray[np.uint8]
#: A page's grey levels as decoded: 8-bit for most pages, float for "F" and wider modes.
Levels = Grey8 | Gray

#: Below this grey level the page is taken to be light text on a dark ground, which the
#: division by a brightest-neighbourhood background would destroy.
DARK_PAGE = 90.0
#: The stretch never multiplies the remaining contrast by more than this: stronger gains
#: turned scanner noise on blank paper into speckles that Tesseract read as punctuation.
MAX_GAIN = 4.0
#: Relative noise (see :func:`relative_noise`) above which the page is smoothed before the stretch.
NOISY = 0.08
#: A page whose paper brightness varies less than this (5th–95th percentile, grey levels) …
EVEN_LIGHT = 24.0
#: … whose ink and paper (:func:`ink_and_paper`) lie at least this far apart, and which is not
#: grainy, is clear already: contrast correction leaves it alone and binarization only stretches
#: it (paper white, ink black). Thresholding it only removed the grey edges of small and
#: JPEG-blurred glyphs that the engine reads (measured CER ×1.3–1.4 on small fonts, ×2.3–3.7 on
#: JPEG pages, "India" read "Indla" on clean scans); correcting the dev receipts that pass this
#: test moved their CER by −0.06 … +0.23 per receipt at random, × 1.04 on average.
STRONG_CONTRAST = 100.0


def grey(image: Image.Image) -> Gray:
    """``image`` as a float32 luminance array (0 black … 255 white)."""
    return np.asarray(levels(image), dtype=np.float32)


def levels(image: Image.Image) -> Levels:
    """``image``'s luminance (0 black … 255 white) without a float copy of 8-bit pages.

    "F" pages come back as float32; every other mode as uint8 (1 byte per pixel instead of 4),
    whose rows are turned to float32 a band at a time (:meth:`Rows.of`).
    """
    if image.mode == "L":
        return np.asarray(image)
    if image.mode == "F":
        return np.asarray(image, dtype=np.float32)
    return np.asarray(image.convert("L"))


def box_mean(arr: Gray, radius: int) -> Gray:
    """The mean of each pixel's (2·radius+1)² neighbourhood, edges repeated, via integral images.

    Computed in bands (:data:`ocrhive.preprocess.strips.STRIP_ROWS`), each from its own
    integral image.
    """
    return boxed(Rows.of(arr), radius).collect()


def _block_size(shape: tuple[int, ...]) -> int:
    # ~200 blocks along the long side: coarse enough that a block is wider than a stroke,
    # fine enough to follow a shadow's edge.
    return max(4, round(max(shape) / 200))


def _bilinear_taps(
    in_size: int, out_size: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """First source row and the three weights of each output row of Pillow's bilinear resize.

    The same double-precision steps as Pillow's ``precompute_coeffs`` (support 1, upscaling),
    so rebuilding the background a band at a time gives exactly the rows of one whole-page
    ``Image.resize`` — which would cost 8 bytes per pixel while it copies its result out.
    """
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = 1.0 * filterscale
    center = (np.arange(out_size, dtype=np.float64) + 0.5) * scale
    first = np.maximum(np.trunc(center - support + 0.5).astype(np.int64), 0)
    stop = np.minimum(np.trunc(center + support + 0.5).astype(np.int64), in_size)
    weights = np.zeros((out_size, 3), dtype=np.float64)
    total = np.zeros(out_size, dtype=np.float64)
    for tap in range(3):
        x = np.abs(((tap + first).astype(np.float64) - center + 0.5) * (1.0 / filterscale))
        w = np.where(x < 1.0, 1.0 - x, 0.0)
        w[tap >= stop - first] = 0.0
        weights[:, tap] = w
        total += w
    safe = np.where(total != 0.0, total, 1.0)
    weights /= safe[:, None]
    return first, weights


@dataclass(frozen=True)
class Background:
    """The paper's brightness at every pixel, kept as a coarse grid and rebuilt band by band.

    Attributes:
        across: the smoothed block grid, already resized to the page's width (one row per row of
            blocks: a few MB even for a 100 MP page).
        first: for each page row, the first grid row it interpolates from.
        weights: for each page row, its weights of three consecutive grid rows.
    """

    across: Gray
    first: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]

    @property
    def shape(self) -> tuple[int, int]:
        return self.first.shape[0], self.across.shape[1]

    def rows(self) -> Rows:
        """The full-resolution background as :class:`Rows`."""
        last = self.across.shape[0] - 1

        def rows(top: int, bottom: int) -> Gray:
            first, weights = self.first[top:bottom], self.weights[top:bottom]
            # accumulated in float64 tap by tap from zero, as Pillow's vertical pass does
            total = np.zeros((bottom - top, self.across.shape[1]), dtype=np.float64)
            for tap in range(3):
                source = self.across[np.minimum(first + tap, last)].astype(np.float64)
                total += source * weights[:, tap : tap + 1]
            out: Gray = total.astype(np.float32)
            return out

        # each row is interpolated on its own, so any rows can be rebuilt and none kept
        return Rows.rowwise(self.shape, rows)


def estimate_background(arr: Levels) -> Background:
    """The paper's brightness at every pixel, as if the ink had been lifted off.

    Each block's 90th percentile (robust to bright speckles) is grown by a 5-block maximum, so a
    block that sits inside a bold glyph takes its neighbours' paper, then smoothed and scaled back
    (bilinear) when its rows are asked for.
    """
    height, width = arr.shape
    block = _block_size(arr.shape)
    rows, cols = -(-height // block), -(-width // block)
    coarse = np.empty((rows, cols), dtype=np.float32)
    # one row of blocks at a time: tiling the whole page at once copied it twice more
    for row in range(rows):
        lines = np.clip(np.arange(row * block, (row + 1) * block), 0, height - 1)
        band = np.pad(arr[lines], ((0, 0), (0, cols * block - width)), mode="edge")
        tiles = band.astype(np.float32).reshape(block, cols, block).transpose(1, 0, 2)
        coarse[row] = np.percentile(tiles.reshape(cols, -1), 90, axis=1)
    grown = np.asarray(Image.fromarray(coarse, "F").filter(ImageFilter.MaxFilter(5)))
    smooth = box_mean(box_mean(grown.astype(np.float32), 1), 1)
    # the horizontal pass of Pillow's two-pass resize on the small grid; the vertical one is
    # replayed per band by Background.rows
    wide = Image.fromarray(smooth, "F").resize((cols * block, rows), Image.Resampling.BILINEAR)
    across = np.asarray(wide, dtype=np.float32)[:, :width]
    first, weights = _bilinear_taps(rows, rows * block)
    return Background(
        across=np.ascontiguousarray(across), first=first[:height], weights=weights[:height]
    )


@dataclass(frozen=True)
class Survey:
    """Page-wide figures measured in one pass: what the decisions below compare.

    Attributes:
        histogram: counts of the page's grey levels 0–255.
        page: the page's pixels (a regular sample on large pages, see :class:`Sampler`).
        paper: the background at the same pixels.
    """

    histogram: npt.NDArray[np.int64]
    page: Gray
    paper: Gray

    def ink_and_paper(self) -> tuple[float, float]:
        """:func:`ink_and_paper` of the page."""
        return _ink_and_paper(self.histogram, self.page)

    @property
    def dark(self) -> bool:
        """Whether the page is light print on a dark ground (no background division then)."""
        return float(np.median(self.paper)) < DARK_PAGE


def survey(page: Rows, background: Background) -> Survey:
    """The :class:`Survey` of ``page`` (grey levels) under ``background``."""
    histogram = np.zeros(256, dtype=np.int64)
    sampler = Sampler(page.shape)
    paper = background.rows()
    levels_, papers = [], []
    for top, band in page.bands():
        histogram += _histogram(band)
        levels_.append(sampler.pick(top, band))
        papers.append(sampler.pick(top, paper.rows(top, top + band.shape[0])))
    return Survey(histogram=histogram, page=np.concatenate(levels_), paper=np.concatenate(papers))


def divided(page: Rows, background: Background | None) -> Rows:
    """``page`` over its background, clipped to 0..1 (paper ≈ 1); over 255 without one."""
    if background is None:
        return page.map(lambda band: np.clip(band / np.float32(255.0), 0.0, 1.0))
    paper = background.rows()

    def band(top: int, bottom: int) -> Gray:
        out: Gray = np.clip(
            page.rows(top, bottom) / np.maximum(paper.rows(top, bottom), 1.0), 0.0, 1.0
        )
        return out

    return Rows.rowwise(page.shape, band)


def normalise(arr: Levels, background: Background | None = None) -> Gray:
    """``arr`` divided by its background, in 0..1 (paper ≈ 1); unchanged scale for dark pages.

    ``background`` is :func:`estimate_background` of ``arr`` when the caller already has it.
    """
    page = Rows.of(arr)
    if background is None:
        background = estimate_background(arr)
    facts = survey(page, background)
    return divided(page, None if facts.dark else background).collect()


def noise_of(norm: Rows) -> float:
    """:func:`relative_noise` of a page given as :class:`Rows`."""
    smooth = boxed(norm, 1)
    sampler = Sampler(norm.shape)
    residuals, means = [], []
    for top, band in smooth.bands():
        residuals.append(sampler.pick(top, norm.rows(top, top + band.shape[0]) - band))
        means.append(sampler.pick(top, band))
    residual, mean = np.concatenate(residuals), np.concatenate(means)
    spread = float(1.4826 * np.median(np.abs(residual - np.median(residual))))
    ink = float(np.percentile(mean, 0.5))
    return spread / max(1.0 - ink, 0.02)


def relative_noise(norm: Gray) -> float:
    """Pixel noise of a normalised page as a fraction of its ink contrast (0 for clean scans).

    The noise is the robust spread (MAD) of what a 3×3 mean removes; the contrast is paper (1.0)
    minus the ink level of the smoothed page, so faded print with mild grain scores as high as
    strong print under heavy grain.
    """
    return noise_of(Rows.of(norm))


def otsu_of_histogram(hist: npt.NDArray[np.int64]) -> tuple[float, float, float]:
    """Otsu's threshold of grey levels counted in ``hist`` (256 bins), and the class means."""
    levels_ = np.arange(256, dtype=np.float64)
    weight = hist.cumsum().astype(np.float64)
    total = weight[-1]
    mass = (hist * levels_).cumsum()
    dark = weight
    light = total - weight
    with np.errstate(divide="ignore", invalid="ignore"):
        dark_mean = mass / dark
        light_mean = (mass[-1] - mass) / light
        between = dark * light * (dark_mean - light_mean) ** 2
    between = np.nan_to_num(between)
    t = int(np.argmax(between))
    if dark[t] == 0 or light[t] == 0:
        return float(t), float(t), float(t)
    return float(t) + 0.5, float(dark_mean[t]), float(light_mean[t])


def _histogram(arr: Gray) -> npt.NDArray[np.int64]:
    counts: npt.NDArray[np.int64] = np.bincount(
        np.clip(arr, 0, 255).astype(np.uint8).ravel(), minlength=256
    )
    return counts


def otsu(arr: Gray) -> tuple[float, float, float]:
    """Otsu's global threshold of ``arr`` and the mean grey of the dark and light classes."""
    return otsu_of_histogram(_histogram(arr))


def ink_and_paper(arr: Gray) -> tuple[float, float]:
    """The grey level of solid ink and of paper: Otsu's light class mean for the paper; for the
    ink its dark class mean or the darkest 1 %, whichever is darker.

    Small or blurred glyphs are mostly grey edge, which lifts the dark class mean far above the
    ink (140–155 on the smoothed JPEG pages, whose glyph cores are near 60): judged by the mean,
    such clear pages looked faded and were thresholded, which tripled their CER.
    """
    return _ink_and_paper(_histogram(arr), arr)


def _ink_and_paper(histogram: npt.NDArray[np.int64], pixels: Gray) -> tuple[float, float]:
    _, dark, light = otsu_of_histogram(histogram)
    return min(dark, float(np.percentile(pixels, 1))), light


class Lighting:
    """One page's lighting and the page-wide figures the steps decide on, each measured once.

    Holds the page's grey levels (8-bit pages stay 8-bit), the background as a coarse grid and
    a :class:`Survey`; everything page-sized is computed band by band from them.
    """

    def __init__(self, arr: Levels, background: Background | None = None) -> None:
        self.page = Rows.of(arr)
        self.background = background if background is not None else estimate_background(arr)
        self.facts = survey(self.page, self.background)
        self._noise: float | None = None

    def noise(self) -> float:
        """:func:`relative_noise` of the page divided by its background."""
        if self._noise is None:
            self._noise = noise_of(divided(self.page, self.background))
        return self._noise

    def light_spread(self) -> float:
        """How far the paper's brightness varies over the page: its 5th to 95th percentile."""
        return float(np.percentile(self.facts.paper, 95) - np.percentile(self.facts.paper, 5))

    def evenly_lit_and_clear(self) -> bool:
        """See :func:`evenly_lit_and_clear`."""
        if self.light_spread() >= EVEN_LIGHT:
            return False
        dark, light = self.facts.ink_and_paper()
        if light - dark < STRONG_CONTRAST:
            return False
        return self.noise() <= NOISY

    def flattened(self) -> Rows:
        """Lighting divided out, grain smoothed when heavy, ink stretched towards 0; in 0..1."""
        dark = self.facts.dark
        norm = divided(self.page, None if dark else self.background)
        if (noise_of(norm) if dark else self.noise()) > NOISY:
            norm = boxed(boxed(norm, 1), 1)
        # the darkest 0.5 % stands for the ink; a blank page has no ink to stretch towards
        ink = min(float(np.percentile(sample(norm), 0.5)), 1.0 - 1.0 / MAX_GAIN)
        return norm.map(lambda band: np.clip((band - ink) / (1.0 - ink), 0.0, 1.0))


def evenly_lit_and_clear(arr: Levels, background: Background | None = None) -> bool:
    """Whether a single global threshold separates ink from paper everywhere on the page."""
    return Lighting(arr, background).evenly_lit_and_clear()


#: The long side of the copy :func:`glance` measures: light falls off over hundreds of pixels,
#: so a small copy shows it as well as the page does (20-40 ms for a 1600-px page, 60-80 ms
#: for an A4 page at 300 dpi).
GLANCE_SIDE = 400


@dataclass(frozen=True)
class Glance:
    """A page's lighting at a glance (:func:`glance`), measured on a small copy of it.

    Attributes:
        light_spread: how far the paper's brightness varies (5th to 95th percentile, grey
            levels): 0 on flat scans, 0-17 on most receipts (56 crumpled, 147 lit from the
            side), 111-126 under a corner lamp falling to 15-30 %, 117-135 on a page with a
            grey photograph above its text.
        light_fit: how much of that variation a smooth surface explains (R² of a quadratic in
            x and y fitted to the paper's brightness): 0.999 under a lamp, 0.41-0.46 with a
            photograph (its edges are steps, not a fall of light).
        contrast: paper minus ink (:func:`ink_and_paper`): 27-29 on faded print, 60-224 on
            receipts and clean pages (smaller than on the page itself: the copy blurs thin ink).
        noise: the grain of the page over its background (:func:`relative_noise`): 0.09-0.12
            on grainy and faded prints, at most 0.04 on receipts and clean pages.
    """

    light_spread: float
    light_fit: float
    contrast: float
    noise: float


def smooth_fit(paper: Rows) -> float:
    """R² of the least-squares quadratic surface in x and y through ``paper`` (1.0 for a flat
    one): how much of its variation is a smooth fall of light."""
    # every 4th pixel each way: the surface is smooth already, and the fit 16 times cheaper
    values = np.concatenate([band for _top, band in paper.bands()])[::4, ::4].astype(np.float64)
    height, width = values.shape
    yy, xx = np.mgrid[0:height, 0:width]
    x, y, z = (xx / width).ravel(), (yy / height).ravel(), values.ravel()
    terms = np.stack([np.ones_like(x), x, y, x * x, y * y, x * y], axis=1)
    coefficients, *_ = np.linalg.lstsq(terms, z, rcond=None)
    variance = float(z.var())
    if variance < 1e-6:
        return 1.0
    return 1.0 - float((z - terms @ coefficients).var()) / variance


def glance(image: Image.Image) -> Glance:
    """``image``'s lighting (:class:`Glance`), measured on a copy whose long side is at most
    :data:`GLANCE_SIDE` (a whole number of pixels averaged into each)."""
    if image.mode not in ("L", "RGB", "F"):
        image = image.convert("L")
    factor = max(image.size) // GLANCE_SIDE
    lighting = Lighting(levels(image.reduce(factor) if factor > 1 else image))
    dark, light = lighting.facts.ink_and_paper()
    return Glance(
        light_spread=lighting.light_spread(),
        light_fit=smooth_fit(lighting.background.rows()),
        contrast=light - dark,
        noise=lighting.noise(),
    )


def to_image(rows: Rows, fn: Callable[[Gray], Gray] | None = None) -> Image.Image:
    """An "L" image of ``rows`` (or of ``fn`` of each of its bands), clipped to 0..255 and
    rounded: the only page-sized array of the result is its own 8-bit one."""
    out = np.empty(rows.shape, dtype=np.uint8)
    for top, band in rows.bands():
        values = fn(band) if fn is not None else band
        out[top : top + band.shape[0]] = np.clip(values, 0, 255).round().astype(np.uint8)
    return Image.fromarray(out, "L")


def correct_contrast(image: Image.Image) -> Image.Image:
    """Even out lighting and restore faded print, on pages that need it.

    A page that is evenly lit with clear, dark ink (:func:`evenly_lit_and_clear`) is returned
    untouched: there is nothing to correct, and Tesseract's layout analysis of real receipts
    swung by up to ±0.2 CER on changes of a few grey levels.

    The page is divided by its estimated paper brightness (shadows, gradients, tinted or
    yellowed paper become flat white). Grainy pages (see :func:`relative_noise`) are smoothed
    lightly, because Tesseract's own global threshold turned the grain into thousands of specks
    and read nothing at all. Then the darkest ink is stretched towards black with the gain
    capped at :data:`MAX_GAIN`, so a page that already has full contrast barely changes.
    Everything page-sized is computed a band of rows at a time (:mod:`ocrhive.preprocess.strips`).

    Args:
        image: any Pillow image.

    Returns:
        ``image`` itself when it is clear already; otherwise an "L" image of the same size,
        paper near 255 and ink darker.
    """
    arr = levels(image)
    if arr.size == 0:
        return image.convert("L")
    lighting = Lighting(arr)
    if lighting.evenly_lit_and_clear():
        return image
    return to_image(lighting.flattened(), lambda band: band * 255.0)
