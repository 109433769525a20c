"""Font files from assets/fonts, registered with ReportLab once per content.

Every font is a TrueType file embedded as a subset. Shaping is switched off (each
font is made `shapable=False`): with uharfbuzz installed ReportLab would map
ligatures to private-use codes and the text of the PDF could no longer be
extracted (see PRINT-NOTES).

A font is registered under its file's stem and known by its file's content: a
long-running process (`fiche serve`) that sees a font file change registers it
again, under the same name, and forgets the words measured with the old one.

A PDF names each embedded font after its PostScript name (`AAAAAA+Lato-Bold`), and
ReportLab cannot put two fonts of one name in a document. When two files of a
layout share a PostScript name (a copy of Lato-Bold.ttf saved as Lato-Regular.ttf),
the one whose stem is that name keeps it and the others are named after their
files as well (`Lato-Bold_Lato-Regular`; registered as `Lato-Regular
(Lato-Bold_Lato-Regular)`); every other font keeps its own name, so that its PDFs
do not change. The choice depends on the layout's files alone, not on what the
process registered before, so a PDF is the same whatever was built before it.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from fiche.core.errors import FicheError
from fiche.engine.rladapter import name_face
from fiche.model.layout import FontFamily
from fiche.typeset import shaping
from fiche.typeset.linebreak import clear_caches

FACES = ("regular", "bold", "italic", "bold_italic")


@dataclass
class _File:
    """What a font file held when it was last read."""

    seen: tuple[int, ...]  # the file's identity and times when it was last hashed
    digest: str
    face: str  # its PostScript name, as ReportLab reads it
    suffix: str  # what ReportLab adds to it in a PDF ("-0" for a font collection's first)


@dataclass
class _Face:
    """A registered font and the content it was read from."""

    digest: str
    font: TTFont
    drawable: frozenset[str] | None = field(default=None)  # characters with a glyph


class _FontFile(io.BytesIO):
    """A font file's bytes, with the name ReportLab gives the file when it opens a path."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


_files: dict[Path, _File] = {}
_registered: dict[str, _Face] = {}  # ReportLab font name -> face

# Registering a font again is not one step (ReportLab's registry is unregistered, then
# registered again), and the caches above change with it. Only `fiche serve`'s watcher
# thread builds today (after the first build, in the thread that started it), so no two
# registrations meet; the lock keeps them whole if builds ever run in threads. It
# cannot make such builds safe by itself: a document being drawn while its font file
# changed would still take the new font's metrics from ReportLab halfway through.
_lock = threading.Lock()


@dataclass(frozen=True)
class Family:
    """ReportLab font names of one family's faces."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


def register_families(fonts: Mapping[str, FontFamily], fonts_dir: Path) -> dict[str, Family]:
    """Register the families of a layout (its `fonts`); missing faces use the regular one."""
    files = {
        (name, face): (fonts_dir / (getattr(spec, face) or spec.regular)).resolve()
        for name, spec in fonts.items()
        for face in FACES
    }
    paths = sorted(set(files.values()))
    with _lock:
        read = {path: _read(path) for path in paths}
        faces = _face_names({path: file for path, (file, _) in read.items()})
        # Faces are named after their files, so layouts sharing a file share the font.
        names = {path: _register(path, *read[path], faces[path]) for path in paths}
        families = {}
        for name in fonts:
            family = Family(**{face: names[files[name, face]] for face in FACES})
            addMapping(name, 0, 0, family.regular)
            addMapping(name, 1, 0, family.bold)
            addMapping(name, 0, 1, family.italic)
            addMapping(name, 1, 1, family.bold_italic)
            families[name] = family
    return families


def register_family(name: str, spec: FontFamily, fonts_dir: Path) -> Family:
    """Register the faces of one family, as `register_families` does for a layout."""
    return register_families({name: spec}, fonts_dir)[name]


def _read(path: Path) -> tuple[_File, TTFont | None]:
    """What `path` holds now; with the font read from it, named after its stem, if it
    changed since it was last read."""
    known = _files.get(path)
    st = path.stat()
    # Any write changes a file's ctime: a file whose times are those it had when it
    # was hashed need not be read and hashed again for every sheet.
    seen = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if known is not None and known.seen == seen:
        return known, None
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if known is not None and known.digest == digest:
        known.seen = seen
        return known, None
    font = _font(path.stem, data, path)
    face = font.face.name.decode("ascii")  # ReportLab refuses any other PostScript name
    _files[path] = _File(seen, digest, face, font.face.subfontNameX.decode("ascii"))
    return _files[path], font


def _face_names(files: Mapping[Path, _File]) -> dict[Path, str]:
    """The name each file's font has in a PDF of the layout that uses `files`: its
    PostScript name, unless another of the files has that name too."""
    holders: dict[str, list[Path]] = {}
    for path in sorted(files):
        holders.setdefault(files[path].face + files[path].suffix, []).append(path)
    keep: set[Path] = set()
    for paths in holders.values():
        # Lato-Bold.ttf is the Lato-Bold; of files none of which is named so, none keeps it
        named = [p for p in paths if p.stem == files[p].face]
        if len(paths) == 1 or named:
            keep.add(paths[0] if len(paths) == 1 else named[0])
    names = {path: files[path].face for path in files if path in keep}
    taken = {files[path].face + files[path].suffix for path in names}
    for path in sorted(set(files) - keep):
        file = files[path]
        name = f"{file.face}_{re.sub(r'[^A-Za-z0-9._-]', '-', path.stem)}"
        while name + file.suffix in taken:
            name += "_"
        taken.add(name + file.suffix)
        names[path] = name
    return names


def _register(path: Path, file: _File, font: TTFont | None, face: str) -> str:
    """The font of `path` registered under a name of its own for the face name `face`
    (its stem when the face keeps the file's PostScript name), read again if its
    content changed."""
    name = path.stem if face == file.face else f"{path.stem} ({face})"
    known = _registered.get(name)
    if known is not None and known.digest == file.digest:
        return name
    if font is None or name != path.stem:
        # Read from the bytes hashed, so that the font is the content it is known by.
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != file.digest:
            raise FicheError.at(
                str(path), "", "the font file changed while it was read; build again"
            )
        font = _font(name, data, path)
    if face != file.face:
        name_face(font, face)
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
    _registered[name] = _Face(file.digest, font)
    return name


def _font(name: str, data: bytes, path: Path) -> TTFont:
    shaping.register(name, data)
    return TTFont(name, _FontFile(data, str(path)), shapable=False)


def missing_glyphs(font: str, text: str, fallback: str | None = None) -> list[str]:
    """Characters of `text` that the registered font `font` cannot draw, nor `fallback`
    (the font that sets what `font` lacks) when there is one."""
    # bidi controls order a line and are drawn as nothing: they need no glyph
    missing = set(text).difference(_drawable(font), "\n\t\u00ad", shaping.CONTROLS)
    if fallback is not None:
        missing.difference_update(_drawable(fallback))
    return sorted(missing)


def heavy(font: str) -> bool:
    """Whether the registered font `font` is bold or heavier (its OS/2 weight class)."""
    table = pdfmetrics.getFont(font).face.get_table("OS/2")
    return int.from_bytes(table[4:6], "big") >= 600


def _drawable(font: str) -> frozenset[str]:
    with _lock:  # not while the font is being registered again
        face = _registered.get(font)
        if face is None:  # not one of fiche's files: asked of ReportLab each time
            return frozenset(map(chr, pdfmetrics.getFont(font).face.charToGlyph))
        if face.drawable is None:  # of the font ReportLab draws with under this name
            face.drawable = frozenset(map(chr, pdfmetrics.getFont(font).face.charToGlyph))
        return face.drawable
