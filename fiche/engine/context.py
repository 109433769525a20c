"""What setting one sheet needs at hand, and the paragraphs and glyph checks made with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.colors import Color

from fiche.core.characters import unreadable_characters
from fiche.core.errors import Problem
from fiche.engine.flowables import Bookmark, Outline, TextParagraph, TextStyle
from fiche.engine.fonts import Family, heavy, missing_glyphs
from fiche.engine.tagging import Chain, Tag, Tagger
from fiche.model.languages import rules_for
from fiche.model.layout import (
    Layout,
)
from fiche.model.profiles import MM, Profile
from fiche.typeset.linebreak import Hyphenator, measured
from fiche.typeset.sheet import Origin, TText, TypesetSheet
from fiche.typeset.typography import linkify


@dataclass
class Ctx:
    sheet: TypesetSheet
    layout: Layout
    layout_path: str
    families: dict[str, Family]
    colours: dict[str, Color]
    hyph: Hyphenator | None
    profile: Profile
    icc: Path
    problems: list[Problem] = field(default_factory=list)
    checked: set = field(default_factory=set)
    tagger: Tagger = field(default_factory=lambda: Tagger(False))
    outline: Outline = field(default_factory=Outline)  # the bookmarks of the sheet's PDF
    flows: dict = field(default_factory=dict)  # (side, region, scale) -> flowables measured
    # page number -> {style: size} of text drawn outside flowables (header, imprint)
    drawn_styles: dict[int, dict[str, float]] = field(default_factory=dict)
    # regular face -> (regular, bold, italic, bold italic), looked up for every paragraph
    faces: dict = field(init=False)
    # language -> the family the layout sets its letters in (`language_fonts`)
    own: dict[str, Family] = field(init=False)
    # (regular face, language) -> what `fonts_for` said: asked for every paragraph
    _fonts: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.faces = {
            f.regular: (f.regular, f.bold, f.italic, f.bold_italic) for f in self.families.values()
        }
        self.own = {lang: self.families[name] for lang, name in self.layout.language_fonts.items()}

    def fonts_for(
        self, font: str, lang: str
    ) -> tuple[tuple[str, str, str, str], tuple[str, str, str, str] | None]:
        """The faces that set text of language `lang` in the family whose regular face is
        `font`, and the faces that set what they lack (None: they lack nothing).

        A language with a family of its own (`language_fonts`: Arabic letters) is set in
        it, at the weight of the style's family (a bold title stays bold); the style's own
        family sets the rest (Latin names, brackets, @).
        """
        got = self._fonts.get((font, lang))
        if got is None:
            faces = _faces(self, font)
            own = self.own.get(lang)
            if own is None:
                got = faces, None
            elif heavy(font):  # read from the font file: once per context
                got = (own.bold, own.bold, own.bold_italic, own.bold_italic), faces
            else:
                got = (own.regular, own.bold, own.italic, own.bold_italic), faces
            self._fonts[font, lang] = got
        return got

    @property
    def rtl(self) -> bool:
        """The sheet reads right to left: its layout came mirrored (`for_direction`)."""
        return self.layout.direction == "rtl"


def paragraph(
    ctx: Ctx,
    t: TText,
    style: TextStyle,
    outline: int | None = None,
    chain: Chain = (),
    lang: str = "",
) -> TextParagraph:
    """A paragraph of `t`; `outline` is its bookmark level where the profile wants them."""
    key = (t.origin, style.fontName)
    if key not in ctx.checked:
        ctx.checked.add(key)
        check_glyphs(ctx, t, style, lang)
    markup = linkify(t.markup) if ctx.profile.links else t.markup
    # Words are measured once per font and set at every size that fitting tries.
    rules = rules_for(lang or ctx.sheet.lang)
    faces, fallback = ctx.fonts_for(style.fontName, lang or ctx.sheet.lang)
    m = measured(
        markup,
        faces,
        style.hyphenator,
        style.hyphenationMinWordLength,
        rules.no_line_start,
        rules.bind,
        fallback=fallback,
        rtl=rules.rtl,
    )
    bookmark = None
    if ctx.profile.bookmarks and outline is not None:
        bookmark = Bookmark(ctx.outline, t.plain, outline)
    return TextParagraph(
        m,
        style,
        origin=t.origin,
        on_overfull=lambda p, by: _overfull(ctx, p, by),
        bookmark=bookmark,
        tag=Tag(ctx.tagger, chain, text=t.plain, lang=lang) if chain else None,
    )


def _faces(ctx: Ctx, font: str) -> tuple[str, str, str, str]:
    """Regular, bold, italic and bold italic of the family whose regular face is `font`."""
    return ctx.faces.get(font, (font, font, font, font))


def check_glyphs(ctx: Ctx, t: TText, style: TextStyle, lang: str = "") -> None:
    faces, fallback = ctx.fonts_for(style.fontName, lang or ctx.sheet.lang)
    slots = [0]
    if "<b>" in t.markup:
        slots.append(1)
    if "<i>" in t.markup:
        slots.append(2)
    for k in slots:
        glyph_problems(ctx, faces[k], t.plain, t.origin, fallback[k] if fallback else None)


def glyph_problems(ctx: Ctx, font: str, text: str, origin, fallback: str | None = None) -> None:
    unreadable, said = unreadable_characters(text)
    for what, remedy in said:
        problem = problem_at(
            ctx,
            origin,
            f"{what}: it cannot be printed and read back from the PDF as written "
            f"(fiche {ctx.sheet.fiche}, language {ctx.sheet.lang}); {remedy}",
        )
        if problem not in ctx.problems:  # a text set in several fonts is checked per font
            ctx.problems.append(problem)
    for ch in missing_glyphs(font, text, fallback):
        if ch in unreadable:
            continue
        ctx.problems.append(
            problem_at(
                ctx,
                origin,
                f"character U+{ord(ch):04X} {ch!r} cannot be drawn with font {font} "
                f"(fiche {ctx.sheet.fiche}, language {ctx.sheet.lang}); use another character or "
                "a font that has it",
            )
        )


def problem_at(ctx: Ctx, origin: Origin | None, message: str) -> Problem:
    """A problem at the text's origin, or at the layout when the text has none."""
    if origin is None:
        return Problem(ctx.layout_path, 0, 0, "", message)
    return origin.here(message)


def _overfull(ctx: Ctx, p: TextParagraph, by: float) -> None:
    ctx.problems.append(
        problem_at(
            ctx,
            p.origin,
            f"a word is {by / MM:.1f} mm wider than its column in sheet {ctx.sheet.sheet} "
            f"({ctx.sheet.lang}); allow a break or widen the region",
        )
    )
