"""Page images as compact PDF image XObjects: CCITT G4 for bilevel, Flate or JPEG otherwise."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, ImageChops, TiffImagePlugin

#: JPEG quality for the background image; text is in the text layer, so this is for the eye
JPEG_QUALITY = 80

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TIFF_PHOTOMETRIC = 262
_TIFF_STRIP_OFFSETS = 273
_TIFF_STRIP_BYTE_COUNTS = 279
_MIN_IS_BLACK = 1


@dataclass(frozen=True, kw_only=True)
class EncodedImage:
    """An image ready to be written as a PDF image XObject."""

    width: int
    height: int
    #: ``/DeviceGray`` or ``/DeviceRGB``
    colorspace: str
    bits: int
    #: ``/CCITTFaxDecode``, ``/FlateDecode`` or ``/DCTDecode``
    filter: str
    #: the ``/DecodeParms`` dictionary, or ``""`` when the filter needs none
    decode_parms: str
    data: bytes


def encode(image: Image.Image) -> EncodedImage:
    """Encode ``image`` in the smallest form that keeps its colour depth.

    Bilevel images (mode ``1``, or greys using only black and white) become 1-bit CCITT G4
    when Pillow has libtiff, otherwise 1-bit Flate; grey images become 8-bit grey, Flate or
    JPEG, whichever is smaller; colour images become JPEG. A colour image whose channels are
    all equal is treated as grey, so a scan saved as RGB does not stay three times too large.

    Args:
        image: The page image, in any Pillow mode.

    Returns:
        The encoded image and the dictionary entries describing it.
    """
    image = _normalise(image)
    if image.mode == "1":
        return _g4(image)
    if image.mode == "L":
        flate = _flate(image, colorspace="/DeviceGray", bits=8, colors=1)
        jpeg = _jpeg(image, colorspace="/DeviceGray")
        return jpeg if len(jpeg.data) < len(flate.data) else flate
    return _jpeg(image, colorspace="/DeviceRGB")


def _normalise(image: Image.Image) -> Image.Image:
    """The image as ``1``, ``L`` or ``RGB``, in the narrowest of those that loses nothing."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        # transparent areas of a scan are paper: flatten onto white
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode in ("I", "I;16", "F"):
        image = image.convert("L")
    elif image.mode not in ("1", "L", "RGB"):
        image = image.convert("RGB")
    if image.mode == "RGB":
        red, green, blue = image.split()
        if (
            ImageChops.difference(red, green).getbbox() is None
            and ImageChops.difference(red, blue).getbbox() is None
        ):
            image = red
    if image.mode == "L":
        histogram = image.histogram()
        if sum(histogram[1:255]) == 0:
            image = image.point(lambda v: 255 if v else 0).convert("1", dither=Image.Dither.NONE)
    return image


def _g4(image: Image.Image) -> EncodedImage:
    buffer = io.BytesIO()
    try:
        # one strip: G4 strips each restart coding and cannot simply be concatenated
        image.save(buffer, "TIFF", compression="group4", strip_size=1 << 62)
    except OSError:  # Pillow built without libtiff
        return _flate(image, colorspace="/DeviceGray", bits=1, colors=1)
    buffer.seek(0)
    with TiffImagePlugin.TiffImageFile(buffer) as tiff:
        tags = tiff.tag_v2
        offsets = tags[_TIFF_STRIP_OFFSETS]
        counts = tags[_TIFF_STRIP_BYTE_COUNTS]
        photometric = tags.get(_TIFF_PHOTOMETRIC, 0)
    if len(offsets) != 1:
        return _flate(image, colorspace="/DeviceGray", bits=1, colors=1)
    raw = buffer.getvalue()[offsets[0] : offsets[0] + counts[0]]
    # Pillow's bilevel TIFFs are min-is-black: the codec's "black" runs are the 1 (white) bits
    black_is_1 = "true" if photometric == _MIN_IS_BLACK else "false"
    parms = f"<< /K -1 /Columns {image.width} /Rows {image.height} /BlackIs1 {black_is_1} >>"
    return EncodedImage(
        width=image.width,
        height=image.height,
        colorspace="/DeviceGray",
        bits=1,
        filter="/CCITTFaxDecode",
        decode_parms=parms,
        data=raw,
    )


def _flate(image: Image.Image, *, colorspace: str, bits: int, colors: int) -> EncodedImage:
    """Flate with PNG predictors, taken straight from Pillow's PNG encoder (same bitstream)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=9)
    parms = f"<< /Predictor 15 /Colors {colors} /BitsPerComponent {bits} /Columns {image.width} >>"
    return EncodedImage(
        width=image.width,
        height=image.height,
        colorspace=colorspace,
        bits=bits,
        filter="/FlateDecode",
        decode_parms=parms,
        data=_idat(buffer.getvalue()),
    )


def _idat(png: bytes) -> bytes:
    """The concatenated IDAT chunks of a PNG: one zlib stream of predicted rows."""
    if not png.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG stream")
    pos = len(_PNG_SIGNATURE)
    out = bytearray()
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            out += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return bytes(out)


def _jpeg(image: Image.Image, *, colorspace: str) -> EncodedImage:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return EncodedImage(
        width=image.width,
        height=image.height,
        colorspace=colorspace,
        bits=8,
        filter="/DCTDecode",
        decode_parms="",
        data=buffer.getvalue(),
    )
