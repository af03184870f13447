"""The font families IdentifyFont can name, and the installed reference faces that stand for them.

Aspose lists 21 families. A family is offered here only where a free font installed on the
machine has the same letter shapes or the same metrics (docs/compat.md, "IdentifyFont"):

* arial — Liberation Sans (metric-compatible with Arial, the same widths glyph for glyph);
* helvetica — Nimbus Sans (URW's Helvetica clone);
* times — Liberation Serif (metric-compatible with Times New Roman) and Nimbus Roman (URW's
  Times clone);
* courier — Nimbus Mono PS (URW's Courier clone: slab serifs) and Liberation Mono (Courier
  New's metrics, but sans-serif shapes);
* calibri — Carlito, cambria — Caladea (metric-compatible with Calibri and Cambria);
* century — C059 (URW's Century Schoolbook clone);
* gothic — URW Gothic (ITC Avant Garde Gothic, which Century Gothic was drawn to match);
* verdana — DejaVu Sans (Bitstream Vera's descendant: a wide humanist sans with a tall
  x-height like Verdana's, but a look-alike, not a clone).

Bodoni, Caslon, Comic Sans MS, Futura, Garamond, Geneva, Georgia, GothamBook, Grotesk, Impact,
Rockwell and Tahoma have no free stand-in here and are never reported.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

FONT_ROOT = Path("/usr/share/fonts")


class Style(enum.Enum):
    """A face's style; the value is the spelling the result carries."""

    REGULAR = "regular"  #: upright, normal weight
    BOLD = "bold"  #: upright, heavy
    ITALIC = "italic"  #: slanted (italic or oblique), normal weight
    #: slanted and heavy; Aspose.OCR's own font detection spells it with an underscore
    BOLD_ITALIC = "bold_italic"

    @property
    def bold(self) -> bool:
        return self in (Style.BOLD, Style.BOLD_ITALIC)

    @property
    def italic(self) -> bool:
        return self in (Style.ITALIC, Style.BOLD_ITALIC)


@dataclass(frozen=True, kw_only=True)
class Face:
    """One installed font file standing for ``family`` in ``style``."""

    family: str  #: the lower-case family name the result reports
    style: Style
    path: Path


def _four(folder: str, regular: str, bold: str, italic: str, bold_italic: str) -> dict[Style, str]:
    return {
        Style.REGULAR: f"{folder}/{regular}",
        Style.BOLD: f"{folder}/{bold}",
        Style.ITALIC: f"{folder}/{italic}",
        Style.BOLD_ITALIC: f"{folder}/{bold_italic}",
    }


def _named(folder: str, name: str, extension: str) -> dict[Style, str]:
    """The four faces of a font whose files are called ``Name-Regular``, ``Name-Bold`` …"""
    return _four(
        folder,
        *(f"{name}-{s}.{extension}" for s in ("Regular", "Bold", "Italic", "BoldItalic")),
    )


_LIBERATION = "truetype/liberation"
_URW = "opentype/urw-base35"
_CROSEXTRA = "truetype/crosextra"

#: family → its reference faces (paths under FONT_ROOT), one set of four styles per font file set
CATALOGUE: dict[str, tuple[dict[Style, str], ...]] = {
    "arial": (_named(_LIBERATION, "LiberationSans", "ttf"),),
    "helvetica": (_named(_URW, "NimbusSans", "otf"),),
    "times": (_named(_LIBERATION, "LiberationSerif", "ttf"), _named(_URW, "NimbusRoman", "otf")),
    "courier": (_named(_URW, "NimbusMonoPS", "otf"), _named(_LIBERATION, "LiberationMono", "ttf")),
    "calibri": (_named(_CROSEXTRA, "Carlito", "ttf"),),
    "cambria": (_named(_CROSEXTRA, "Caladea", "ttf"),),
    "century": (
        _four(_URW, "C059-Roman.otf", "C059-Bold.otf", "C059-Italic.otf", "C059-BdIta.otf"),
    ),
    "gothic": (
        _four(
            _URW,
            "URWGothic-Book.otf",
            "URWGothic-Demi.otf",
            "URWGothic-BookOblique.otf",
            "URWGothic-DemiOblique.otf",
        ),
    ),
    "verdana": (
        _four(
            "truetype/dejavu",
            "DejaVuSans.ttf",
            "DejaVuSans-Bold.ttf",
            "DejaVuSans-Oblique.ttf",
            "DejaVuSans-BoldOblique.ttf",
        ),
    ),
}


def installed_faces(root: Path = FONT_ROOT) -> tuple[Face, ...]:
    """Every catalogued face whose file exists under ``root``, in catalogue order."""
    return tuple(
        Face(family=family, style=style, path=root / relative)
        for family, sets in CATALOGUE.items()
        for faces in sets
        for style, relative in faces.items()
        if (root / relative).is_file()
    )
