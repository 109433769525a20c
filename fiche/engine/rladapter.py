"""The four things fiche needs from ReportLab that it offers no public way to say.

Everything else in fiche uses ReportLab through its public interface only (the
test `test_rl_state` holds it to that); each workaround below says why it exists.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import IO, Any

from reportlab import rl_config
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas

from fiche.typeset.shaping import Glyph, hb_font


def pdf_canvas(out: IO[bytes], **options: object) -> Canvas:
    """A canvas on `out` (ReportLab's `Canvas` options) whose streams stay binary.

    ReportLab asks its global `rl_config.useA85` each time it writes a stream (pages,
    images, forms); neither the canvas nor its document takes it as an option. ASCII85
    on top of Flate makes streams a quarter larger and costs time, and no fiche PDF
    wants it, so it is switched off here, before the canvas exists. It is never
    switched back: nothing in fiche wants it on, and were two canvases ever written at
    once, restoring it during one would change the other's file. None are today: a
    process builds in one thread at a time (parallel builds fork processes; `fiche
    serve` builds once before its watcher thread starts, then only in that thread).
    """
    rl_config.useA85 = 0
    return Canvas(out, **options)


def draw_drawing(
    d: Drawing, canv: Canvas, x: float, y: float, *, font: str, fill: Color, stroke: Color
) -> None:
    """Draw `d` at (x, y) with a graphics state that starts from `font`, `fill` and
    `stroke`, not from ReportLab's defaults (Helvetica, RGB black), which would
    otherwise be written into the page even where nothing uses them.

    The renderer takes its starting state from the drawing's `initialFontName`,
    `initialFillColor` and `initialStrokeColor` when it has them, but a `Drawing`
    refuses every attribute its attribute map does not list, and that map lacks the
    two colours; so they go into the drawing's `__dict__`, past the check.
    """
    d.initialFontName = font
    d.__dict__.update(initialFillColor=fill, initialStrokeColor=stroke)
    renderPDF.draw(d, canv, x, y)


def name_face(font: TTFont, name: str) -> None:
    """Give the TrueType `font`, not yet registered, the PostScript name `name`.

    A PDF names an embedded font after the PostScript name in its file (a subset of
    Lato-Bold.ttf is `AAAAAA+Lato-Bold`), and ReportLab refuses two fonts of one name
    in a document ("redefining named object"). `TTFont` reads the name from the file
    and takes no other, so `fonts` renames one of two such fonts here; the name is
    also the key of ReportLab's registry of faces, hence before it is registered.
    """
    font.face.name = name.encode("ascii")


def document(canv: Canvas) -> Any:
    """The document `canv` writes: fonts are encoded per document (`ShapedTwin`)."""
    return canv._doc


# Shaped glyphs, each mapped back to the characters it stands for.
#
# ReportLab writes text as characters and finds each one's glyph in the font's cmap; a
# shaped glyph (an Arabic letter's final form, a lam-alef ligature, a mirrored bracket)
# has no character of its own. ReportLab's own shaping gives such glyphs Private-Use
# code points, which is what a reader then extracts (RTL-NOTES). Here each distinct
# (glyph, characters) pair of a font gets a key of its own: an internal code point of
# Unicode's planes 15–16 (never in content: validation refuses private use), entered
# in the cmap of a twin of the font. ReportLab subsets, embeds and encodes the twin as
# any TrueType font; only its ToUnicode is written from the pairs, so that every code
# maps to its characters in logical order. No public interface reaches the cmap, the
# widths or the ToUnicode of a font.

_FIRST_KEY = 0xF0000  # plane 15: private use, never in content (see above)
_LAST_KEY = 0x10FFFD
# The twins' subsets are tagged apart from their originals' (AAAAAA+Lato-Regular):
# one PDF may hold both, and two different subsets must not share a name.
_TAG_OFFSET = 500


class ShapedTwin(TTFont):
    """A font whose "characters" are (glyph, text) keys; see above."""

    def __init__(self, original: TTFont):
        face = original.face
        data = _FontFile(hb_font(original.fontName).data, face.filename)
        super().__init__(original.fontName + "~shaped", data, asciiReadable=False)
        self.original = original
        self.texts: dict[int, str] = {}  # key -> the characters it stands for
        self.keys: dict[tuple[int, str], str] = {}
        self.next = _FIRST_KEY

    def key(self, glyph: Glyph) -> str:
        """The key of `glyph`: its code in this font's cmap."""
        k = (glyph.gid, glyph.text)
        got = self.keys.get(k)
        if got is None:
            if self.next > _LAST_KEY:
                raise OverflowError(f"too many glyphs in {self.fontName}")
            code = self.next
            self.next += 1
            face = self.face
            face.charToGlyph[code] = glyph.gid
            face.glyphToChar.setdefault(glyph.gid, []).append(code)
            # Widths in the PDF are the glyphs' own advances; HarfBuzz's positions are
            # applied with TJ adjustments, so the two need not agree.
            face.charWidths[code] = hb_font(self.original.fontName).advance(glyph.gid) * 1000.0
            self.texts[code] = glyph.text
            got = self.keys[k] = chr(code)
        return got

    def addObjects(self, doc) -> None:
        """ReportLab's `TTFont.addObjects`, with a ToUnicode written from the pairs and
        subset names of their own."""
        state = self.state.get(doc) or self._assignState(doc)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            base = (
                b"".join((SUBSETN(n + _TAG_OFFSET), b"+", self.face.name, self.face.subfontNameX))
            ).decode("pdfdoc")
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {n}"
            font.Name = internal
            font.BaseFont = base
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = pdfdoc.PDFArray([self.face.getCharWidth(c) for c in subset])
            cmap = pdfdoc.PDFStream()
            cmap.content = to_unicode_cmap(base, [self.texts.get(c, chr(c)) for c in subset])
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base)
            font.FontDescriptor = self.face.addSubsetObjects(doc, base, subset)
            doc.Reference(font, internal)
            doc.idToObject["BasicFonts"].dict[internal] = font
        del self.state[doc]


class _FontFile(io.BytesIO):
    """Font bytes that ReportLab reads as a file named `name`."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


def to_unicode_cmap(name: str, texts: Sequence[str]) -> str:
    """A ToUnicode CMap mapping code i to `texts[i]`; codes of no text (.notdef, a second
    glyph of one cluster) are left out rather than mapped to U+0000."""
    entries = [
        f"<{i:02X}> <{''.join(f'{b:02X}' for b in t.encode('utf-16-be'))}>"
        for i, t in enumerate(texts)
        if t and t != "\0"
    ]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({name})",
        f"/Ordering ({name})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{name} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(texts) - 1:02X}>",
        "endcodespacerange",
    ]
    for k in range(0, len(entries), 100):  # at most 100 per block (the CMap format's rule)
        chunk = entries[k : k + 100]
        lines += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


_TWINS: dict[int, ShapedTwin] = {}


def shaped_twin(font: TTFont) -> ShapedTwin:
    got = _TWINS.get(id(font))
    if got is None or got.original is not font:
        got = _TWINS[id(font)] = ShapedTwin(font)
    return got
