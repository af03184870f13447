"""Turn submitted bytes into images safely: format sniffing, pixel limits, truncation, EXIF."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ocrhive.errors import ImageTooLarge, UnreadableImage

#: Formats Pillow may decode for us; anything else is refused before any decoder runs.
ALLOWED_FORMATS = frozenset({"PNG", "JPEG", "MPO", "BMP", "TIFF", "GIF", "WEBP", "PPM", "JPEG2000"})


@dataclass(frozen=True, kw_only=True)
class DecodeLimits:
    """Upper bounds that protect a worker from hostile or absurd input."""

    max_pixels: int = 100_000_000
    max_side: int = 65_000


def _formats() -> list[str]:
    """The allowed formats this Pillow build can open (plugins register lazily)."""
    Image.init()
    return sorted(f for f in ALLOWED_FORMATS if f in Image.OPEN)


_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}


def _describe(data: bytes) -> str:
    head = data[:8]
    for signature, name in _SIGNATURES.items():
        if head.startswith(signature):
            return f"marked as {name} but its data is corrupt"
    if head.startswith(b"%PDF"):
        return "a PDF document (send PDFs to RecognizePdf)"
    if head.lstrip().startswith((b"<svg", b"<?xml")):
        return "an SVG/XML document, which this server does not rasterise"
    try:
        data[:256].decode("utf-8")
        return "text, not an image"
    except UnicodeDecodeError:
        return "not a supported image format"


def image_dpi(image: Image.Image) -> float | None:
    """The resolution stored in the file, when it looks real (JPEG's 72/1 'unknowns' are not)."""
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    return value if 100 <= value <= 2400 else None


def open_image(data: bytes, limits: DecodeLimits) -> Image.Image:
    """Decode the first frame of ``data`` into an RGB or L image, upright per its EXIF tag.

    Raises:
        UnreadableImage: empty, not an image, an unsupported format, or truncated/corrupt data.
        ImageTooLarge: more pixels than ``limits`` allow (checked from the header, before decoding).
    """
    if not data:
        raise UnreadableImage("The image is empty (0 bytes after base64 decoding).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=_formats())
    except UnidentifiedImageError:
        raise UnreadableImage(f"The submitted file is {_describe(data)}.") from None
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(f"The image has too many pixels: {exc}") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise UnreadableImage(f"The image could not be read: {exc}") from None
    width, height = image.size
    if width <= 0 or height <= 0:
        raise UnreadableImage("The image has no pixels.")
    if width * height > limits.max_pixels or max(width, height) > limits.max_side:
        raise ImageTooLarge(
            f"The image has too many pixels: {width}×{height} ({width * height / 1e6:.1f} MP); "
            "this server "
            f"accepts at most {limits.max_pixels / 1e6:.0f} MP and {limits.max_side} px per side."
        )
    dpi = image_dpi(image)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
            # in place: without an orientation tag the copying variant duplicates the whole
            # decoded page (+3 bytes per pixel for RGB) for nothing
            ImageOps.exif_transpose(image, in_place=True)
            image = normalise_mode(image)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UnreadableImage(f"The image data is truncated or corrupt: {exc}") from None
    except MemoryError:
        raise ImageTooLarge("The image needs more memory to decode than this worker has.") from None
    if dpi:
        image.info["dpi"] = (dpi, dpi)
    return image


def normalise_mode(image: Image.Image) -> Image.Image:
    """RGB or L, alpha composited on white (transparent PNGs read as black otherwise)."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode == "1":
        return image.convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        # pasting through the alpha band blends like alpha_composite over opaque white, without
        # two more full RGBA copies (the white canvas and the composite)
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float greyscale: scale the used range to 8 bits rather than clip to white
        values = np.asarray(image.convert("F"), dtype=np.float32)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) * (255.0 / (high - low)) if high > low else values * 0
        return Image.fromarray(scaled.clip(0, 255).astype(np.uint8), mode="L")
    return image.convert("RGB")
