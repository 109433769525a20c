"""The school's imprint on the back page: logo, contact lines, QR code, or lines to write on.

Left to right: the logo at the left, the lines beside it, the QR code at the right.
Right to left, the same mirrored within the imprint: the logo at the right, the lines
set against it from the right, the QR code at the left."""

from __future__ import annotations

from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import CMYKColor, Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from fiche.core.colour import (
    flatten,
    image_to_cmyk,
    image_to_rgb,
    rgb_to_cmyk,
)
from fiche.core.errors import Problem
from fiche.core.safeio import Refused
from fiche.engine.columns import mm_box
from fiche.engine.context import Ctx, check_glyphs, problem_at
from fiche.engine.flowables import TextStyle
from fiche.engine.oneline import one_line
from fiche.engine.rladapter import draw_drawing
from fiche.engine.styles import size_at
from fiche.engine.styleuse import note_drawn
from fiche.model.images import load_raster, load_svg
from fiche.model.layout import (
    Region,
)
from fiche.model.profiles import MM
from fiche.model.school import MAX_LOGO_BYTES
from fiche.typeset.sheet import TImprint, TText

Rect = tuple[float, float, float, float]  # x, y, width, height in points, from bottom-left


def draw_imprint(ctx: Ctx, canv: Canvas, region: Region, imp: TImprint, styles: dict) -> None:
    """The school's contact block (logo, text, QR code), or a ruled space to fill in."""
    x, y, w, h = mm_box(region, ctx.layout.page.height_mm)
    if region.fill:
        with ctx.tagger.artifact(canv):
            canv.setFillColor(ctx.colours[region.fill])
            canv.roundRect(x, y, w, h, region.radius_mm * MM, stroke=0, fill=1)
    pad = region.padding_mm * MM
    ix, iy, iw, ih = x + pad, y + pad, w - 2 * pad, h - 2 * pad
    gap = ctx.layout.look.imprint.gap_mm * MM
    # the room the logo takes at its side (the left, right to left the right), and the
    # QR code at the other
    logo = _imprint_logo(ctx, canv, imp, imp.logo, (ix, iy, iw, ih)) + gap if imp.logo else 0.0
    qr = (ih + gap) if imp.qr_url else 0.0
    left, right = (ix + qr, ix + iw - logo) if ctx.rtl else (ix + logo, ix + iw - qr)
    title = imp.school if imp.school else imp.label
    sizes = _imprint_sizes(ctx, imp, title, ih, right - left)
    if sizes is None:
        return
    start = right if ctx.rtl else left  # where the lines begin
    baseline, line_leading = _imprint_text(ctx, canv, imp, title, sizes, (start, iy + ih))
    if imp.qr_url:
        with ctx.tagger.content(
            canv, (("Div", "imprint"), ("Figure", "imprint/qr")), alt=f"QR code: {imp.qr_url}"
        ):
            _draw_qr(ctx, canv, imp.qr_url, ix if ctx.rtl else ix + iw - ih, iy, ih)
    if imp.school is None:
        _ruled_space(
            ctx,
            canv,
            (
                left,
                iy,
                right - left,
                baseline - line_leading * ctx.layout.look.imprint.rule_top - iy,
            ),
            line_leading,
            title.plain.rstrip(":\u202f "),
        )


def _imprint_logo(ctx: Ctx, canv: Canvas, imp: TImprint, logo: str, inner: Rect) -> float:
    """The school's logo at the left of the imprint (right to left, at its right);
    returns its width."""
    ix, iy, iw, ih = inner
    look = ctx.layout.look.imprint
    name = imp.school.plain if imp.school else ""
    room = min(ih * look.logo_max_aspect, iw * look.logo_max_share)
    box = (ix + iw - room if ctx.rtl else ix, iy, room, ih)
    with ctx.tagger.content(
        canv, (("Div", "imprint"), ("Figure", "imprint/logo")), alt=f"Logo: {name}"
    ):
        return _draw_logo(ctx, canv, logo, box)


def _imprint_sizes(
    ctx: Ctx, imp: TImprint, title: TText, height: float, width: float
) -> tuple[float, float] | None:
    """The title's and the lines' sizes: the largest of their ranges, at the same point,
    at which every line fits `height` and `width`; None, with a problem, if none does."""
    title_style = ctx.layout.styles["imprint-title"]
    line_style = ctx.layout.styles["imprint"]
    title_font = ctx.families[title_style.font].regular
    line_font = ctx.families[line_style.font].regular
    for t, font in [(title, title_font)] + [(t, line_font) for t in imp.lines]:
        check_glyphs(ctx, t, TextStyle("imprint", fontName=font))
    title_line = one_line(ctx, title.plain, title_font)
    lines = [one_line(ctx, t.plain, line_font) for t in imp.lines]
    for step in range(10, -1, -1):
        k = step / 10
        ts, ls = size_at(title_style.size_range, k), size_at(line_style.size_range, k)
        tl, ll = ts * title_style.leading, ls * line_style.leading
        widths = [title_line.width(ts)]
        widths += [line.width(ls) for line in lines]
        if tl + ll * len(imp.lines) <= height + 0.01 and max(widths) <= width + 0.01:
            return ts, ls
    # Blame the widest line when width is what fails (an over-long website, say).
    texts = [title, *imp.lines]
    widest = max(range(len(texts)), key=widths.__getitem__)
    too_wide = widths[widest] > width + 0.01
    ctx.problems.append(
        problem_at(
            ctx,
            texts[widest].origin if too_wide else (imp.lines[0] if imp.lines else title).origin,
            f"the school's contact block does not fit the imprint of sheet {ctx.sheet.sheet} "
            f"({ctx.sheet.lang}) even at {line_style.size_range[0]:g} pt; shorten it",
        )
    )
    return None


def _imprint_text(
    ctx: Ctx,
    canv: Canvas,
    imp: TImprint,
    title: TText,
    sizes: tuple[float, float],
    top_start: tuple[float, float],
) -> tuple[float, float]:
    """The title and the contact lines, from `top_start` down: its x is where each line
    begins, its left end (right to left, its right end); returns the last baseline
    and the lines' leading."""
    title_style = ctx.layout.styles["imprint-title"]
    line_style = ctx.layout.styles["imprint"]
    ts, ls = sizes
    ll = ls * line_style.leading
    start, top = top_start
    canv.setFillColor(ctx.colours[title_style.color])
    title_line = one_line(ctx, title.plain, ctx.families[title_style.font].regular)
    if title_line.set is None:  # shaped text sets its fonts itself
        canv.setFont(title_line.font, ts)
    note_drawn(ctx, canv, "imprint-title", ts)
    baseline = top - ts
    align = "right" if ctx.rtl else "left"
    with ctx.tagger.content(canv, (("Div", "imprint"), ("P", "imprint/title")), text=title.plain):
        title_line.draw(canv, start, baseline, ts, align)
    lines = [one_line(ctx, t.plain, ctx.families[line_style.font].regular) for t in imp.lines]
    if lines and lines[0].set is None:
        canv.setFont(lines[0].font, ls)
    canv.setFillColor(ctx.colours[line_style.color])
    for k, (t, line) in enumerate(zip(imp.lines, lines, strict=True)):
        note_drawn(ctx, canv, "imprint", ls)
        baseline -= ll
        with ctx.tagger.content(canv, (("Div", "imprint"), ("P", f"imprint/{k}")), text=t.plain):
            line.draw(canv, start, baseline, ls, align)
    return baseline, ll


def _ruled_space(ctx: Ctx, canv: Canvas, space: Rect, step: float, label: str) -> None:
    """Lines to write on; on screen a fillable field over them."""
    x, y, w, h = space
    look = ctx.layout.look.imprint
    with ctx.tagger.artifact(canv):
        canv.saveState()
        canv.setStrokeColor(ctx.colours[ctx.layout.styles["imprint"].color])
        canv.setLineWidth(look.rule_width_pt)
        line_y = y + h - step * look.rule_spacing
        while line_y >= y + 0.5:
            canv.line(x, line_y, x + w, line_y)
            line_y -= step * look.rule_spacing
        canv.restoreState()
    if ctx.profile.links:
        # A field a teacher can type into before printing; the viewer supplies its font.
        canv.acroForm.textfield(
            name="school_contact",
            tooltip=label,
            x=x,
            y=y,
            width=w,
            height=h,
            borderWidth=0,
            borderColor=None,
            fillColor=None,
            textColor=Color(0, 0, 0),
            fontSize=look.field_font_pt,
            fieldFlags="multiline",
            relative=True,
        )


def _draw_qr(ctx: Ctx, canv: Canvas, url: str, x: float, y: float, side: float) -> None:

    black = CMYKColor(0, 0, 0, 1) if ctx.profile.colour == "cmyk" else Color(0, 0, 0)
    white = CMYKColor(0, 0, 0, 0) if ctx.profile.colour == "cmyk" else Color(1, 1, 1)
    widget = QrCodeWidget(
        url,
        barLevel="M",
        barBorder=ctx.layout.look.imprint.qr_quiet_zone,
        barFillColor=black,
        barStrokeColor=black,
    )
    bx0, by0, bx1, by1 = widget.getBounds()
    canv.saveState()
    canv.setFillColor(white)  # the quiet zone must be light, whatever the region's fill
    canv.rect(x, y, side, side, stroke=0, fill=1)
    canv.restoreState()
    d = Drawing(side, side, transform=[side / (bx1 - bx0), 0, 0, side / (by1 - by0), 0, 0])
    d.add(widget)
    render_drawing(ctx, d, canv, x, y)


def render_drawing(ctx: Ctx, d, canv: Canvas, x: float, y: float) -> None:
    """Draw a ReportLab Drawing starting from the body font and the profile's black."""
    black = CMYKColor(0, 0, 0, 1) if ctx.profile.colour == "cmyk" else Color(0, 0, 0)
    font = ctx.families[ctx.layout.styles["body"].font].regular
    draw_drawing(d, canv, x, y, font=font, fill=black, stroke=black)


def _draw_logo(ctx: Ctx, canv: Canvas, path: str, room: Rect) -> float:
    """The school's logo, fitted into `room` without distortion; returns its width.

    It went through the guarded loader when the school was loaded; it is read the
    same way here, so a file changed since then is refused, not trusted."""

    src = Path(path)
    try:
        if src.suffix.lower() == ".svg":
            convert = (lambda c: _svg_colour(ctx, c)) if ctx.profile.colour == "cmyk" else None
            return _draw_svg(ctx, canv, load_svg(src, MAX_LOGO_BYTES, convert), room)
        return _draw_raster_logo(ctx, canv, src, load_raster(src, MAX_LOGO_BYTES), room)
    except Refused as e:
        _logo_problem(ctx, f"logo '{src.name}' {e.reason}")
        return 0.0


def _draw_svg(ctx: Ctx, canv: Canvas, d, room: Rect) -> float:
    x, y, max_w, max_h = room
    s = min(max_w / d.width, max_h / d.height)
    d.scale(s, s)
    width, height = d.width * s, d.height * s
    d.width, d.height = width, height
    if ctx.rtl:  # at the right of its room
        x += max_w - width
    render_drawing(ctx, d, canv, x, y + (max_h - height) / 2)
    return width


def _draw_raster_logo(ctx: Ctx, canv: Canvas, src: Path, im, room: Rect) -> float:

    x, y, max_w, max_h = room

    im = flatten(im)
    s = min(max_w / im.width, max_h / im.height)
    width, height = im.width * s, im.height * s
    ppi = im.width / (width / 72)
    if ppi < 300:
        _logo_problem(
            ctx,
            f"the logo {src.name} is {im.width}×{im.height} px, "
            f"{ppi:.0f} ppi where it is placed; it needs 300 ppi "
            f"(a larger image, or an SVG)",
        )
        return 0.0
    pic = image_to_cmyk(im, ctx.icc) if ctx.profile.colour == "cmyk" else image_to_rgb(im, ctx.icc)
    if ctx.rtl:  # at the right of its room
        x += max_w - width
    canv.drawImage(ImageReader(pic), x, y + (max_h - height) / 2, width, height)
    return width


def _svg_colour(ctx: Ctx, c):
    """SVG colours are sRGB: print gets them in the output intent's CMYK."""
    if c is None or isinstance(c, CMYKColor) or not hasattr(c, "red"):
        return c
    cmyk = rgb_to_cmyk((c.red, c.green, c.blue), ctx.icc)
    return CMYKColor(*cmyk, alpha=c.alpha)


def _logo_problem(ctx: Ctx, message: str) -> None:
    imp = ctx.sheet.imprint
    o = imp.logo_origin if imp else None
    ctx.problems.append(o.here(message) if o else Problem.general(message, "logo"))
