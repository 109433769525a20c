"""A typeset sheet, its layout and an output profile into PDF bytes (ReportLab).

Each page is fitted first: every style with a size range is set at the same
point of its range (`scale`, 0 = smallest, 1 = largest) and the largest scale
at which all regions of the page hold their content is used, so a page stays
even. If the smallest sizes do not fit, a `FitError` names the region, page
and how much is too much; nothing is ever clipped or dropped.

Text is set by fiche itself (`linebreak`, `flowables`); ReportLab's canvas
writes the PDF. One function (`_flow`) places flowables in columns for both
measuring and drawing, so what was measured to fit is what is drawn.

Coordinates: layouts measure in mm from the trim's top-left corner; ReportLab
draws in points from the bottom-left, so `_box` converts. The canvas origin is
moved to the trim's bottom-left corner; bleed and marks lie at negative
coordinates or beyond the trim size.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path

from reportlab.lib.colors import CMYKColor, Color

from fiche.core.colour import (
    cmyk_to_rgb,
    icc_path,
)
from fiche.core.errors import FitError, GlyphError, Problem
from fiche.engine.context import Ctx
from fiche.engine.fitting import PageFit, evened, fit_page
from fiche.engine.fonts import Family, register_families
from fiche.engine.rladapter import pdf_canvas
from fiche.engine.styleuse import page_styles
from fiche.engine.tagging import MarkedContent, Tagger
from fiche.model.languages import rules_for
from fiche.model.layout import (
    Layout,
    Page,
)
from fiche.model.profiles import MM, PROFILES, PageBoxes, Profile, page_boxes
from fiche.paint.page import Drawn, crop_marks, draw_page
from fiche.typeset.linebreak import Hyphenator
from fiche.typeset.sheet import TypesetSheet
from fiche.typeset.typography import hyphenator

# The profile pages are fitted with; any other gives the same fit (see `fit_sheet`).
FIT_PROFILE = PROFILES["print"]


@dataclass(frozen=True)
class RenderResult:
    pdf: bytes
    boxes: PageBoxes
    fits: tuple[PageFit, ...]
    marks: tuple[MarkedContent, ...] = ()  # in drawing order, when the profile tags
    drawn: tuple[tuple[Drawn, ...], ...] = ()  # per page: what was drawn where


@dataclass(frozen=True)
class FittedSheet:
    """A sheet fitted once for every profile: the sizes and boxes of its pages, and what
    a draw needs to set its text again.

    Fitting reads the sheet, the layout, the fonts and the hyphenator, never what a
    profile changes (colours, bleed, marks, paper, links, bookmarks, tags): see
    `fit_sheet`. It holds no drawing state (flowables, tagger, outline), so any number
    of draws may share it, in any order.
    """

    sheet: TypesetSheet
    layout: Layout
    layout_path: str
    families: dict[str, Family]
    hyph: Hyphenator | None
    icc: Path
    fits: tuple[PageFit, ...]


def render_pdf(
    sheet: TypesetSheet,
    layout: Layout,
    profile: Profile,
    assets: Path,
    layout_path: str = "",
    hyphenation_dir: Path | None = None,
) -> RenderResult:
    """Draw both pages of `sheet` with `layout` for `profile`; raise on overflow."""
    return draw_sheet(fit_sheet(sheet, layout, assets, layout_path, hyphenation_dir), profile)


def fit_sheet(
    sheet: TypesetSheet,
    layout: Layout,
    assets: Path,
    layout_path: str = "",
    hyphenation_dir: Path | None = None,
) -> FittedSheet:
    """Every page of `sheet` fitted, once for all profiles; raises `FitError` naming
    what does not fit, or `GlyphError`.

    Set with one fixed profile (`FIT_PROFILE`). What the others change does not move a
    line: colours are only drawn; a profile's links are `<a>` runs of the same words in
    the same font (a word's width is the sum of its runs'); bookmarks and tags are
    written when a paragraph is drawn; an image converted to CMYK or RGB keeps its
    pixels' aspect; bleed, marks and paper place the trim, which fitting measures in.
    """
    families = register_families(layout.fonts, assets / "fonts")
    exc = hyphenation_dir / f"{sheet.lang}.txt" if hyphenation_dir else None
    hyph = hyphenator(sheet.lang, exc if exc and exc.exists() else None)
    fitted = FittedSheet(
        sheet,
        layout,
        layout_path or f"layouts/{sheet.layout}.yaml",
        families,
        hyph,
        icc_path(assets),
        (),
    )
    return replace(fitted, fits=_fit_pages(_context(fitted, FIT_PROFILE)))


def draw_sheet(fitted: FittedSheet, profile: Profile) -> RenderResult:
    """The fitted pages drawn for `profile`, with their text set again: a draw has its
    own flowables, tagger and outline, which drawing changes. Raises `FitError` on
    what only drawing finds (a word wider than its column, an imprint's problems)."""
    ctx = _context(fitted, profile)
    g = fitted.layout.page
    boxes = page_boxes(profile, g.width_mm, g.height_mm, g.bleed_mm)
    pdf, drawn = _draw_pages(ctx, fitted.fits, boxes)
    # what each page drew outside its regions' flowables (header texts, imprint) too
    fits = tuple(
        replace(f, styles=page_styles(f.styles, ctx.drawn_styles.get(n)))
        for n, f in enumerate(fitted.fits, start=1)
    )
    if ctx.problems:
        raise FitError(ctx.problems)
    return RenderResult(pdf, boxes, fits, tuple(ctx.tagger.marks), drawn)


def _context(fitted: FittedSheet, profile: Profile) -> Ctx:
    """A new context to set the sheet in: colours for the profile, nothing set yet."""
    colours = {
        name: _colour(c.cmyk, profile, fitted.icc) for name, c in fitted.layout.palette.items()
    }
    return Ctx(
        fitted.sheet,
        fitted.layout,
        fitted.layout_path,
        fitted.families,
        colours,
        fitted.hyph,
        profile,
        fitted.icc,
        # right to left: tagged in every profile, for the structure's exact text
        tagger=Tagger(profile.tagged or rules_for(fitted.sheet.lang).rtl),
    )


def _fit_pages(ctx: Ctx) -> tuple[PageFit, ...]:
    """Every page fitted, or every overflow and glyph problem of the sheet raised."""
    fits = []
    overflow: list[Problem] = []
    for tpage in ctx.sheet.pages:
        lpage: Page = getattr(ctx.layout.pages, tpage.side)
        try:
            fits.append(fit_page(ctx, tpage, lpage))
        except FitError as e:
            overflow += e.problems  # go on: report the other page and any glyph too
    if overflow:
        raise FitError(overflow + ctx.problems)
    if ctx.problems:
        raise GlyphError(ctx.problems)
    pages = [(t, getattr(ctx.layout.pages, t.side)) for t in ctx.sheet.pages]
    return tuple(evened(ctx, pages, fits))


def _draw_pages(
    ctx: Ctx, fits: tuple[PageFit, ...], boxes: PageBoxes
) -> tuple[bytes, tuple[tuple[Drawn, ...], ...]]:
    """The fitted pages drawn as they were measured, with the document's info, and
    what was drawn where on each page."""
    sheet, layout = ctx.sheet, ctx.layout
    buf = io.BytesIO()
    canv = pdf_canvas(
        buf,
        pagesize=boxes.media[2:],
        invariant=1,
        pageCompression=1,
        initialFontName=ctx.families[layout.styles["body"].font].regular,
        initialFontSize=10,
    )
    canv.setTitle(sheet.title)
    canv.setAuthor(sheet.author)
    canv.setSubject(sheet.subject)
    canv.setCreator("fiche")
    canv.setProducer("fiche (ReportLab)")
    drawn = []
    imp = boxes.imposition
    for i, (tpage, fit) in enumerate(zip(sheet.pages, fits, strict=True)):
        lpage = getattr(layout.pages, tpage.side)
        copies = imp.placements(i) if imp else ()
        if len(copies) > 1:
            # Several copies: the page is drawn once, as a form, and the form placed
            # per copy, so the file holds the page's content once.
            name = f"fiche-page-{i + 1}"
            at_trim = replace(boxes, trim_origin=(0.0, 0.0), scale=1.0)
            g = layout.page
            canv.beginForm(name, 0, 0, g.width_mm * MM, g.height_mm * MM)
            drawn.append(
                draw_page(ctx, canv, tpage, lpage, fit=fit, boxes=at_trim, profile=ctx.profile)
            )
            canv.endForm()
            for c in copies:
                canv.saveState()
                canv.translate(*c.origin)
                canv.rotate(c.rotation)
                canv.scale(c.scale, c.scale)
                canv.doForm(name)
                canv.restoreState()
        else:  # one copy at `boxes.trim_origin` and `boxes.scale`, never turned
            drawn.append(
                draw_page(ctx, canv, tpage, lpage, fit=fit, boxes=boxes, profile=ctx.profile)
            )
        if imp and imp.cut_marks:
            crop_marks(canv, boxes, ctx.profile)
        canv.showPage()
        ctx.tagger.next_page()
    canv.save()
    return buf.getvalue(), tuple(drawn)


def _colour(cmyk: list[float], profile: Profile, icc: Path) -> Color:
    if profile.colour == "cmyk":
        return CMYKColor(*(v / 100 for v in cmyk))
    return Color(*cmyk_to_rgb(tuple(cmyk), icc))
