"""Font files from assets/fonts, registered with ReportLab once per process.

Every font is a TrueType file embedded as a subset. Shaping is switched off:
with uharfbuzz installed ReportLab would map ligatures to private-use codes and
the text of the PDF could no longer be extracted (see PRINT-NOTES).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from fiche.model.layout import FontFamily

rl_config.unShapedFontGlob = ["*"]

FACES = ("regular", "bold", "italic", "bold_italic")
_registered: dict[str, Path] = {}


@dataclass(frozen=True)
class Family:
    """ReportLab font names of one family's faces."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


def register_family(name: str, spec: FontFamily, fonts_dir: Path) -> Family:
    """Register the faces of `spec` under `name`; missing faces use the regular one."""
    names = {}
    for face in FACES:
        file = getattr(spec, face) or spec.regular
        path = (fonts_dir / file).resolve()
        # Faces are named after their files, so layouts sharing a file share the font.
        fname = path.stem
        if fname not in _registered:
            pdfmetrics.registerFont(TTFont(fname, str(path), shapable=False))
            _registered[fname] = path
        names[face] = fname
    addMapping(name, 0, 0, names["regular"])
    addMapping(name, 1, 0, names["bold"])
    addMapping(name, 0, 1, names["italic"])
    addMapping(name, 1, 1, names["bold_italic"])
    return Family(**names)


def missing_glyphs(font: str, text: str) -> list[str]:
    """Characters of `text` that the registered font `font` cannot draw."""
    return sorted(set(text).difference(_drawable(font), "\n\t\u00ad"))


@functools.cache
def _drawable(font: str) -> frozenset[str]:
    return frozenset(map(chr, pdfmetrics.getFont(font).face.charToGlyph))
