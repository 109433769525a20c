"""Flowables of each block kind: paragraphs, lists, tips, callouts, definitions, images."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from fiche.core.colour import (
    flatten,
    image_to_cmyk,
    image_to_rgb,
)
from fiche.engine.context import Ctx, paragraph
from fiche.engine.flowables import Box, Hanging, KeepWithNext, Picture, TextStyle
from fiche.engine.tagging import Chain, Tag
from fiche.model.layout import Look, MarkerLook
from fiche.model.profiles import MM
from fiche.typeset.sheet import TBlock, TText


def region_flowables(ctx: Ctx, blocks: tuple[TBlock, ...], st: dict) -> list[Flowable]:
    out: list[Flowable] = []
    for b in blocks:
        flows = _block_flowables(ctx, b, st)
        for f in flows:
            f.block_id = b.id
        out += flows
    return out


def _block_flowables(ctx: Ctx, b: TBlock, st: dict) -> list[Flowable]:
    """Flowables of one block; each text knows the structure chain it is tagged with."""
    look = ctx.layout.look
    bid = b.id
    if b.kind == "heading":
        return [
            paragraph(
                ctx,
                b.text,
                st[f"h{b.level}"],
                outline=0 if b.level == 1 else 1,
                chain=((f"H{b.level}", bid),),
            )
        ]
    if b.kind == "paragraph":
        return [paragraph(ctx, b.text, st[b.role], chain=(("P", bid),), lang=b.lang or "")]
    if b.kind == "callout":
        content: list[Flowable] = []
        if b.title:
            content.append(
                paragraph(
                    ctx,
                    b.title,
                    st["callout-title"],
                    outline=1,
                    chain=(("Div", bid), ("H3", f"{bid}/title")),
                )
            )
        content.append(
            paragraph(ctx, b.text, st["callout"], chain=(("Div", bid), ("P", f"{bid}/text")))
        )
        box = Box(
            content,
            ctx.colours[look.callout_fill],
            look.callout_padding_mm * MM,
            look.callout_radius_mm * MM,
            space_before=st["callout"].spaceBefore,
            space_after=st["callout"].spaceAfter,
            tagger=ctx.tagger,
        )
        return [box]
    if b.kind == "image":
        return [_image(ctx, b)]
    items: list[Flowable] = []

    def item(i: int | str) -> Chain:
        return (("L", bid), ("LI", f"{bid}/{i}"))

    if b.kind == "definition":
        items.append(paragraph(ctx, b.text, st["term"], chain=(("P", f"{bid}/term"),)))
        for i, it in enumerate(b.items, start=1):
            items.append(
                _hanging(
                    ctx,
                    it.text,
                    st["list"],
                    look.list_indent_mm * MM,
                    _number_marker(ctx, i, st["list"], item(i)),
                    item(i),
                )
            )
    elif b.kind == "list":
        # room for the marker and a word space at any size of the range
        fs = st["list"].fontSize
        indent = (
            0.0
            if b.marker == "none"
            else max(look.list_indent_mm * MM, look.markers.min_indent * fs)
        )
        for i, it in enumerate(b.items):
            items.append(
                _hanging(
                    ctx,
                    it.text,
                    st["list"],
                    indent,
                    _marker(ctx, b.marker, st["list"], indent),
                    item(i),
                )
            )
            for j, sub in enumerate(it.sub):
                nested = (
                    *item(i),
                    ("LBody", f"{bid}/{i}/body"),
                    ("L", f"{bid}/{i}/sub"),
                    ("LI", f"{bid}/{i}/{j}"),
                )
                items.append(
                    _hanging(
                        ctx,
                        sub,
                        st["list"],
                        indent * look.markers.nested_indent,
                        _marker(ctx, "dash", st["list"], indent * look.markers.nested_indent),
                        nested,
                    )
                )
    elif b.kind == "tips":
        radius = _badge_radius(st, look)
        indent = max(look.tip_indent_mm * MM, 2 * radius + look.badge.text_gap_mm * MM)
        for i, it in enumerate(b.items, start=b.start):
            items.append(
                _hanging(
                    ctx, it.text, st["tip"], indent, _badge(ctx, i, st, indent, item(i)), item(i)
                )
            )
    if b.title:
        head = paragraph(ctx, b.title, st["h3"], outline=1, chain=(("H3", f"{bid}/title"),))
        return [KeepWithNext(head, items[0]), *items[1:]]
    return items


def _hanging(ctx, t: TText, style: TextStyle, indent: float, marker, item: Chain) -> Hanging:
    draw, height = marker
    return Hanging(
        paragraph(ctx, t, style, chain=(*item, ("LBody", f"{item[-1][1]}/body"))),
        indent,
        draw,
        height,
        ctx.layout.look.markers.middle,
    )


def _marker(ctx: Ctx, kind: str, style: TextStyle, indent: float):
    look = ctx.layout.look
    colour = ctx.colours[look.marker_color]
    fs = style.fontSize

    def draw(canv, x, y, top):
        # `x` is the middle of the indent; the marker ends a word space before the text
        with ctx.tagger.artifact(canv):
            _draw_marker(
                canv, kind, colour, fs, x + indent / 2 - look.markers.text_gap * fs, y, look.markers
            )

    return (None if kind == "none" else draw), 0.0


def _draw_marker(
    canv: Canvas, kind: str, colour: Color, fs: float, x: float, y: float, m: MarkerLook
) -> None:
    """A list marker drawn as a shape (no glyph, so nothing for text extraction)."""
    if kind:
        canv.saveState()
        canv.setFillColor(colour)
        canv.setStrokeColor(colour)
        canv.setLineWidth(fs * m.stroke)
        canv.setLineCap(1)
        canv.setLineJoin(1)
        if kind == "bullet":
            canv.circle(x, y, fs * m.bullet_radius, stroke=0, fill=1)
        elif kind == "dash":
            canv.line(x - fs * m.dash_half_width, y, x + fs * m.dash_half_width, y)
        elif kind == "check":
            p = canv.beginPath()
            (ax, ay), (bx, by), (cx, cy) = m.check
            p.moveTo(x + fs * ax, y + fs * ay)
            p.lineTo(x + fs * bx, y + fs * by)
            p.lineTo(x + fs * cx, y + fs * cy)
            canv.drawPath(p, stroke=1, fill=0)
        elif kind in ("plus", "minus"):
            canv.setLineWidth(fs * m.plus_stroke)
            canv.line(x - fs * m.plus_half_width, y, x + fs * m.plus_half_width, y)
            if kind == "plus":
                canv.line(x, y - fs * m.plus_half_width, x, y + fs * m.plus_half_width)
        elif kind == "arrow":
            p = canv.beginPath()
            (ax, ay), (bx, by), (cx, cy) = m.arrow
            p.moveTo(x + fs * ax, y + fs * ay)
            p.lineTo(x + fs * bx, y + fs * by)
            p.lineTo(x + fs * cx, y + fs * cy)
            p.close()
            canv.drawPath(p, stroke=0, fill=1)
        canv.restoreState()


def _number_marker(ctx: Ctx, n: int, style: TextStyle, item: Chain):
    colour = ctx.colours[ctx.layout.look.marker_color]
    fam = next(f for f in ctx.families.values() if style.fontName == f.regular)

    def draw(canv, x, y, top):
        with ctx.tagger.content(canv, (*item, ("Lbl", f"{item[-1][1]}/label")), text=f"{n}"):
            canv.saveState()
            canv.setFillColor(colour)
            canv.setFont(fam.bold, style.fontSize)
            canv.drawCentredString(x, y - style.fontSize * ctx.layout.look.markers.middle, f"{n}")
            canv.restoreState()

    return draw, 0.0


def _badge_radius(st: dict, look: Look) -> float:
    return st["badge"].fontSize * look.badge.radius


def _badge(ctx: Ctx, n: int, st: dict, indent: float, item: Chain):
    look = ctx.layout.look
    badge = st["badge"]
    r = _badge_radius(st, look)
    fill, ink = ctx.colours[look.badge_fill], ctx.colours[look.badge_text]

    def draw(canv, x, y, top):
        # At the item's left edge, centred on the first line, never above the item.
        cx = x - indent / 2 + r
        cy = min(y, top - r)
        canv.saveState()
        with ctx.tagger.artifact(canv):
            canv.setFillColor(fill)
            canv.circle(cx, cy, r, stroke=0, fill=1)
        with ctx.tagger.content(canv, (*item, ("Lbl", f"{item[-1][1]}/label")), text=f"{n}"):
            canv.setFillColor(ink)
            canv.setFont(badge.fontName, badge.fontSize)
            canv.drawCentredString(cx, cy - badge.fontSize * look.badge.number_middle, f"{n}")
        canv.restoreState()

    return draw, 2 * r


def _image(ctx: Ctx, b: TBlock) -> Flowable:
    """A picture as wide as `width_mm` (or its column), never distorted, never split."""
    from reportlab.lib.utils import ImageReader

    from fiche.core.errors import FicheError
    from fiche.core.safeio import Refused
    from fiche.model.images import MAX_IMAGE_BYTES, load_raster

    try:
        im = flatten(load_raster(Path(b.src), MAX_IMAGE_BYTES))
    except Refused as e:  # validated with the catalogue, so changed since
        raise FicheError.at(b.src, "", f"image {e.reason}") from None
    convert = image_to_cmyk if ctx.profile.colour == "cmyk" else image_to_rgb
    pic = convert(im, ctx.icc)
    return Picture(
        ImageReader(pic),
        pic.width / pic.height,
        b.width_mm * MM if b.width_mm else None,
        ctx.layout.look.image.space_after_pt,
        tag=Tag(ctx.tagger, (("Figure", b.id),) if b.alt else (), alt=b.alt),
    )
