"""One fitted page drawn: decorations, region fills, text, header texts, crop marks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.colors import CMYKColor
from reportlab.pdfgen.canvas import Canvas

from fiche.engine.blocks import region_flowables
from fiche.engine.columns import (
    Justify,
    Placed,
    balanced,
    flow_into,
    frames_of,
    mm_box,
    valigned,
)
from fiche.engine.context import Ctx, glyph_problems, problem_at
from fiche.engine.fitting import PageFit, RegionFit
from fiche.engine.oneline import one_line
from fiche.engine.styles import region_styles, styles_at
from fiche.engine.styleuse import note_drawn
from fiche.model.layout import (
    CircleDecoration,
    Page,
    RectDecoration,
    Region,
    TextDecoration,
)
from fiche.model.profiles import MM, PageBoxes, Profile
from fiche.model.templates import fill_template
from fiche.paint.imprint import draw_imprint
from fiche.typeset.casing import upper
from fiche.typeset.sheet import TPage, TRegion


@dataclass(frozen=True, slots=True)
class Drawn:
    """What was drawn where on a page's trim, in mm from its top-left corner, as a
    layout measures: each region's box as placed (`region`, before what it holds), the
    text and pictures of its blocks (their column's width), the imprint, and the text
    decorations (`decoration`: the series and number in the header, as set)."""

    what: Literal["text", "image", "imprint", "region", "decoration"]
    region: str
    block_id: str | None
    x_mm: float
    y_mm: float
    w_mm: float
    h_mm: float
    # across, from the trim's left (mm): where a block's text starts and ends in its column
    ink_x_mm: tuple[float, float] | None = None

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.x_mm, self.y_mm, self.w_mm, self.h_mm

    @property
    def ink_box(self) -> tuple[float, float, float, float]:
        """The box narrowed to what was drawn in it: a short line is not its column."""
        if self.ink_x_mm is None:
            return self.box
        x0, x1 = self.ink_x_mm
        return x0, self.y_mm, x1 - x0, self.h_mm


def draw_page(
    ctx: Ctx,
    canv: Canvas,
    tpage: TPage,
    lpage: Page,
    *,
    fit: PageFit,
    boxes: PageBoxes,
    profile: Profile,
) -> tuple[Drawn, ...]:
    """Draw the page as fitted; return what was drawn on it, in drawing order."""
    g = ctx.layout.page
    bleed = g.bleed_mm * MM if profile.bleed else 0.0
    styles = styles_at(ctx, fit.scale)
    canv.saveState()
    canv.translate(*boxes.trim_origin)
    canv.scale(boxes.scale, boxes.scale)
    shapes = [d for d in lpage.decorations if not isinstance(d, TextDecoration)]
    furniture = [d for d in lpage.decorations if isinstance(d, TextDecoration)]
    with ctx.tagger.artifact(canv):  # bands and panels are decoration, not content
        clip = canv.beginPath()
        clip.rect(-bleed, -bleed, g.width_mm * MM + 2 * bleed, g.height_mm * MM + 2 * bleed)
        canv.clipPath(clip, stroke=0, fill=0)
        for deco in shapes:
            _draw_decoration(ctx, canv, deco, bleed, styles)
        for rfit in fit.regions:
            region = rfit.box
            if region.fill:
                x, y, w, h = mm_box(region, g.height_mm)
                canv.setFillColor(ctx.colours[region.fill])
                canv.roundRect(x, y, w, h, region.radius_mm * MM, stroke=0, fill=1)
    drawn: list[Drawn] = []
    for treg, rfit in zip(tpage.regions, fit.regions, strict=True):
        drawn.append(Drawn("region", treg.name, None, *_mm(rfit.box)))
        drawn += _draw_region(ctx, canv, tpage, treg, rfit)
    last = tpage.side == ctx.layout.pages.last  # the imprint's page
    imprint = fit.imprint
    if last and imprint is not None and ctx.sheet.imprint is not None:
        draw_imprint(ctx, canv, imprint, ctx.sheet.imprint, styles)
        drawn.append(Drawn("imprint", "imprint", None, *_mm(imprint)))
    # Page furniture goes after the content so that text extraction, which follows
    # the drawing order, reads the content without the header's words in between.
    with ctx.tagger.artifact(canv):  # page furniture: series and number
        for text in furniture:
            drawn += _draw_decoration(ctx, canv, text, bleed, styles)
    canv.restoreState()
    if profile.crop_marks:
        with ctx.tagger.artifact(canv):
            crop_marks(canv, boxes, profile)
    return tuple(drawn)


def _draw_region(
    ctx: Ctx, canv: Canvas, tpage: TPage, treg: TRegion, rfit: RegionFit
) -> list[Drawn]:
    """A region's text in its columns as measured, justified where the layout lets
    the space between blocks grow; what was drawn where."""
    region, page_h = rfit.box, ctx.layout.page.height_mm
    frames = frames_of(region, page_h, ctx.rtl)
    flow = ctx.flows.get((tpage.side, treg.name, rfit.scale))
    if flow is None:
        styles = styles_at(ctx, rfit.scale)
        flow = region_flowables(ctx, treg.blocks, region_styles(styles, region))
    justify: list[Justify | None] | None = None
    if region.valign != "top" and region.columns == 1:
        frames = valigned(region, frames, flow)
    else:
        stretch = region.stretch or ctx.layout.fit.stretch
        if region.columns > 1 and region.balance:
            justify = [Justify(f.y, stretch) for f in frames]  # each column to the foot
            frames = balanced(frames, flow)
        else:  # a last column that is not balanced ends where its text ends
            justify = [Justify(f.y, stretch) for f in frames[:-1]]
            justify.append(Justify(frames[-1].y, stretch) if region.columns == 1 else None)
    placed: list[Placed] = []
    left = flow_into(flow, frames, canv, placed, justify)
    if left:  # the fit said it would fit; a mismatch is a bug, never a silent clip
        raise AssertionError(f"region {treg.name} overflowed after fitting")
    return [_drawn(p, treg.name, page_h) for p in placed]


def _mm(r: Region) -> tuple[float, float, float, float]:
    return r.x_mm, r.y_mm, r.w_mm, r.h_mm


def _drawn(p: Placed, region: str, page_h_mm: float) -> Drawn:
    """A placement in points from the trim's bottom-left, in mm from its top-left."""
    what: Literal["text", "image"] = "image" if p.image else "text"
    y_mm = page_h_mm - (p.y + p.height) / MM
    ink = ((p.x + p.ink[0]) / MM, (p.x + p.ink[1]) / MM)
    return Drawn(what, region, p.block_id, p.x / MM, y_mm, p.width / MM, p.height / MM, ink)


def _draw_decoration(ctx: Ctx, canv: Canvas, d, bleed: float, styles: dict) -> tuple[Drawn, ...]:
    """Draw a decoration; a text decoration is returned as drawn (its box depends on its
    text and the size it got), a shape is the layout's own and returns nothing."""
    H = ctx.layout.page.height_mm
    if isinstance(d, RectDecoration):
        x, y, w, h = mm_box(d, H)
        # Shapes that touch a trim edge run on into the bleed there.
        if "left" in d.bleed:
            x, w = x - bleed, w + bleed
        if "right" in d.bleed:
            w += bleed
        if "bottom" in d.bleed:
            y, h = y - bleed, h + bleed
        if "top" in d.bleed:
            h += bleed
        canv.setFillColor(ctx.colours[d.fill])
        if d.radius_mm:
            canv.roundRect(x, y, w, h, d.radius_mm * MM, stroke=0, fill=1)
        else:
            canv.rect(x, y, w, h, stroke=0, fill=1)
    elif isinstance(d, CircleDecoration):
        canv.setFillColor(ctx.colours[d.fill])
        canv.circle(d.x_mm * MM, (H - d.y_mm) * MM, d.r_mm * MM, stroke=0, fill=1)
    elif isinstance(d, TextDecoration):
        return _draw_text_decoration(ctx, canv, d, H)
    return ()


def _draw_text_decoration(ctx: Ctx, canv: Canvas, d: TextDecoration, H: float) -> tuple[Drawn, ...]:
    """Draw one line of furniture, as large as its style allows within its width, and
    return its box (string width, the font's ascent and descent); nothing when too wide."""

    fields = ctx.sheet.fields()
    used = [k for k in fields if "{" + k + "}" in d.text]
    text = fill_template(d.text, {k: v.plain for k, v in fields.items()})
    if d.case == "upper":
        text = upper(text, ctx.sheet.lang)
    origin = fields[used[0]].origin if used else None
    st = ctx.layout.styles[d.style]
    font = ctx.families[st.font].regular
    faces, fallback = ctx.fonts_for(font, ctx.sheet.lang)
    glyph_problems(ctx, faces[0], text, origin, fallback[0] if fallback else None)
    line = one_line(ctx, text, font)
    font = line.font
    lo, hi = st.size_range
    size = hi
    limit = d.max_width_mm * MM
    while line.width(size) > limit and size > lo:
        size = max(lo, size - 0.25)
    width = line.width(size)
    if width > limit + 0.01:
        over = math.ceil((width - limit) / MM * 10) / 10  # never "0.0 mm wider"
        ctx.problems.append(
            problem_at(
                ctx,
                origin,
                f"'{text}' is {over:.1f} mm wider than its place in "
                f"the header of sheet {ctx.sheet.sheet} ({ctx.sheet.lang}) even at {lo:g} pt",
            )
        )
        return ()
    if line.set is None:
        canv.setFont(font, size)
    note_drawn(ctx, canv, d.style, size)
    canv.setFillColor(ctx.colours[st.color])
    x, y = d.x_mm * MM, (H - d.y_mm) * MM
    line.draw(canv, x, y, size, d.align)
    left = {"left": x, "right": x - width, "center": x - width / 2}[d.align]
    ascent, descent = line.extent(size)  # descent is negative
    top = y + ascent
    return (
        Drawn("decoration", "", None, left / MM, H - top / MM, width / MM, (ascent - descent) / MM),
    )


def crop_marks(canv: Canvas, boxes: PageBoxes, profile: Profile) -> None:
    """Marks where to cut: around the trim outside the bleed, or, on paper, the cut
    marks of the imposed cards. 100 % black only: marks must separate onto one plate
    in print, and an office printer prints gray 0 with black toner alone."""
    imp = boxes.imposition
    if imp is not None and imp.cut_marks:
        canv.saveState()
        if profile.colour == "cmyk":
            canv.setStrokeColor(CMYKColor(0, 0, 0, 1))
        else:
            canv.setStrokeGray(0)
        canv.setLineWidth(profile.mark_width_pt)
        for (ax, ay), (bx, by) in imp.cut_marks:
            canv.line(ax, ay, bx, by)
        canv.restoreState()
        return
    if boxes.trim is None or boxes.bleed is None:
        raise ValueError(
            "crop marks are drawn only for a profile that bleeds, on its own page size"
        )
    x0, y0, x1, y1 = boxes.trim
    bx0, by0, bx1, by1 = boxes.bleed
    off = profile.mark_offset_mm * MM
    length = profile.mark_length_mm * MM
    canv.saveState()
    canv.setStrokeColor(CMYKColor(0, 0, 0, 1))
    canv.setLineWidth(profile.mark_width_pt)
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            # horizontal mark on the trim line y, starting outside the bleed
            hx = (bx0 if sx < 0 else bx1) + sx * off
            canv.line(hx, y, hx + sx * length, y)
            vy = (by0 if sy < 0 else by1) + sy * off
            canv.line(x, vy, x, vy + sy * length)
    canv.restoreState()
