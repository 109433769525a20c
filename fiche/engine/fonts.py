"""Font files from assets/fonts, registered with ReportLab once per content.

Every font is a TrueType file embedded as a subset. Shaping is switched off (each
font is made `shapable=False`): with uharfbuzz installed ReportLab would map
ligatures to private-use codes and the text of the PDF could no longer be
extracted (see PRINT-NOTES).

A face is registered under its file's stem and known by its file's content: a
long-running process (`fiche serve`) that sees a font file change registers it
again, under the same name, and forgets the words measured with the old one.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from fiche.model.layout import FontFamily
from fiche.typeset.linebreak import clear_caches

FACES = ("regular", "bold", "italic", "bold_italic")


@dataclass
class _Face:
    """A registered font and the content it was read from."""

    digest: str
    font: TTFont
    seen: tuple[int, ...]  # the file's identity and times when it was last hashed
    drawable: frozenset[str] | None = field(default=None)  # characters with a glyph


class _FontFile(io.BytesIO):
    """A font file's bytes, with the name ReportLab gives the file when it opens a path."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


_registered: dict[str, _Face] = {}  # font name (file stem) -> face


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
        # Faces are named after their files, so layouts sharing a file share the font.
        names[face] = _register((fonts_dir / file).resolve())
    addMapping(name, 0, 0, names["regular"])
    addMapping(name, 1, 0, names["bold"])
    addMapping(name, 0, 1, names["italic"])
    addMapping(name, 1, 1, names["bold_italic"])
    return Family(**names)


def _register(path: Path) -> str:
    """The font of `path` registered under the file's stem, read again if its content changed."""
    name = path.stem
    known = _registered.get(name)
    st = path.stat()
    # Any write changes a file's ctime: a file whose times are those it had when it
    # was hashed need not be read and hashed again for every sheet.
    seen = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if known is not None and known.seen == seen:
        return name
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if known is not None and known.digest == digest:
        known.seen = seen
        return name
    # Read from the bytes hashed, so that the font is the content it is known by.
    font = TTFont(name, _FontFile(data, str(path)), shapable=False)
    if known is not None:
        known.font.unregister()  # ReportLab keeps the first font registered under a name
        clear_caches()  # widths and line breaks measured with the old metrics
    pdfmetrics.registerFont(font)
    if pdfmetrics.getFont(name) is not font:
        # ReportLab gave the name the font registered first with the same PostScript
        # name (another file, or an older version of it): drop that claim and register
        # this content; the other font keeps its own name.
        font.unregister()
        pdfmetrics.registerFont(font)
    _registered[name] = _Face(digest, font, seen)
    return name


def missing_glyphs(font: str, text: str) -> list[str]:
    """Characters of `text` that the registered font `font` cannot draw."""
    return sorted(set(text).difference(_drawable(font), "\n\t\u00ad"))


def _drawable(font: str) -> frozenset[str]:
    face = _registered.get(font)
    if face is None:  # not one of fiche's files: asked of ReportLab each time
        return frozenset(map(chr, pdfmetrics.getFont(font).face.charToGlyph))
    if face.drawable is None:  # of the font ReportLab draws with under this name
        face.drawable = frozenset(map(chr, pdfmetrics.getFont(font).face.charToGlyph))
    return face.drawable
