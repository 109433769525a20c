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
from dataclasses import dataclass, field
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.colors import CMYKColor, Color
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .characters import unreadable_characters
from .colour import (
    cmyk_to_rgb,
    flatten,
    icc_path,
    image_to_cmyk,
    image_to_rgb,
    rgb_to_cmyk,
)
from .errors import FitError, GlyphError, Problem
from .flowables import Box, Hanging, KeepWithNext, TextParagraph, TextStyle
from .fonts import Family, missing_glyphs, register_family
from .layout import CircleDecoration, Layout, Page, RectDecoration, Region, TextDecoration
from .linebreak import measured
from .profiles import MM, PageBoxes, Profile, page_boxes
from .tagging import Chain, Tagger
from .templates import fill_template
from .typeset import TBlock, TPage, TText, TypesetSheet
from .typography import hyphenator, linkify

# Streams stay binary: ASCII85 on top of Flate makes them a quarter larger and costs time.
rl_config.useA85 = 0

_ALIGN = {"left": TA_LEFT, "justify": TA_JUSTIFY, "center": TA_CENTER, "right": TA_RIGHT}
FIT_STEPS = 6  # halvings: the scale is found to within 1/64 of the range (< 0.1 pt)


@dataclass(frozen=True)
class PageFit:
    side: str
    scale: float
    body_pt: float


@dataclass(frozen=True)
class RenderResult:
    pdf: bytes
    boxes: PageBoxes
    fits: tuple[PageFit, ...]
    marks: tuple = ()  # tagging.Mark records, in drawing order, when the profile tags


@dataclass
class _Ctx:
    sheet: TypesetSheet
    layout: Layout
    layout_path: str
    families: dict[str, Family]
    colours: dict[str, Color]
    hyph: object
    profile: Profile
    icc: Path
    problems: list[Problem] = field(default_factory=list)
    checked: set = field(default_factory=set)
    tagger: Tagger = field(default_factory=lambda: Tagger(False))
    flows: dict = field(default_factory=dict)  # (side, region, scale) -> flowables measured
    # regular face -> (regular, bold, italic, bold italic), looked up for every paragraph
    faces: dict = field(init=False)

    def __post_init__(self) -> None:
        self.faces = {
            f.regular: (f.regular, f.bold, f.italic, f.bold_italic) for f in self.families.values()
        }


def render_pdf(
    sheet: TypesetSheet,
    layout: Layout,
    profile: Profile,
    assets: Path,
    layout_path: str = "",
    hyphenation_dir: Path | None = None,
) -> RenderResult:
    """Draw both pages of `sheet` with `layout` for `profile`; raise on overflow."""
    fonts_dir = assets / "fonts"
    families = {name: register_family(name, spec, fonts_dir) for name, spec in layout.fonts.items()}
    icc = icc_path(assets)
    colours = {name: _colour(c.cmyk, profile, icc) for name, c in layout.palette.items()}
    exc = hyphenation_dir / f"{sheet.lang}.txt" if hyphenation_dir else None
    ctx = _Ctx(
        sheet,
        layout,
        layout_path or f"layouts/{sheet.layout}.yaml",
        families,
        colours,
        hyphenator(sheet.lang, exc if exc and exc.exists() else None),
        profile,
        icc,
        tagger=Tagger(profile.tagged),
    )
    g = layout.page
    boxes = page_boxes(profile, g.width_mm, g.height_mm, g.bleed_mm)
    body_font = families[layout.styles["body"].font].regular

    fits = []
    overflow: list[Problem] = []
    for tpage in sheet.pages:
        lpage: Page = getattr(layout.pages, tpage.side)
        try:
            fits.append(_fit_page(ctx, tpage, lpage))
        except FitError as e:
            overflow += e.problems  # go on: report the other page and any glyph too
    if overflow:
        raise FitError(overflow + ctx.problems)
    if ctx.problems:
        raise GlyphError(ctx.problems)

    buf = io.BytesIO()
    canv = Canvas(
        buf,
        pagesize=boxes.media[2:],
        invariant=1,
        pageCompression=1,
        initialFontName=body_font,
        initialFontSize=10,
    )
    canv.setTitle(sheet.title)
    canv.setAuthor(sheet.author)
    canv.setSubject(sheet.subject)
    canv.setCreator("fiche")
    canv.setProducer("fiche (ReportLab)")
    for tpage, fit in zip(sheet.pages, fits, strict=True):
        lpage = getattr(layout.pages, tpage.side)
        _draw_page(ctx, canv, tpage, lpage, fit.scale, boxes, profile)
        canv.showPage()
        ctx.tagger.next_page()
    canv.save()
    if ctx.problems:
        raise FitError(ctx.problems)
    return RenderResult(buf.getvalue(), boxes, tuple(fits), tuple(ctx.tagger.marks))


def _colour(cmyk: list[float], profile: Profile, icc: Path) -> Color:
    if profile.colour == "cmyk":
        return CMYKColor(*(v / 100 for v in cmyk))
    return Color(*cmyk_to_rgb(tuple(cmyk), icc))


# --- fitting ---------------------------------------------------------------


def _fit_page(ctx: _Ctx, tpage: TPage, lpage: Page) -> PageFit:
    """The largest scale at which every region of the page holds its content.

    Halving between 0 and 1. Smaller type never needs more room than larger type, so a
    region that fitted at some scale is not measured again below it, a region that
    overflowed decides every scale above it, and the smallest sizes are tried on their
    own only when nothing larger fitted.
    """
    ranged = any(lo != hi for lo, hi in (s.size_range for s in ctx.layout.styles.values()))
    known: dict[str, list[float]] = {}  # region -> [largest scale that fitted, smallest not]
    # Every region is measured at full size: one that fits there is never measured again.
    over = _overflow(ctx, tpage, lpage, 1.0, known, every=True)
    if over is None:
        scale = 1.0
    elif not ranged:  # measured again without shortcuts, to name every region
        raise FitError(_overflow_problems(ctx, tpage, _overflow(ctx, tpage, lpage, 1.0)))
    else:
        lo, hi = 0.0, 1.0
        for _ in range(FIT_STEPS):
            mid = (lo + hi) / 2
            if _overflow(ctx, tpage, lpage, mid, known) is None:
                lo = mid
            else:
                hi = mid
        if lo == 0.0:
            worst = _overflow(ctx, tpage, lpage, 0.0)
            if worst is not None:
                raise FitError(_overflow_problems(ctx, tpage, worst))
        scale = lo
    body = _size(ctx.layout.styles["body"].size_range, scale)
    return PageFit(tpage.side, scale, round(body, 2))


def _overflow(
    ctx: _Ctx,
    tpage: TPage,
    lpage: Page,
    scale: float,
    known: dict[str, list[float]] | None = None,
    every: bool = False,
):
    """None if every region holds its content at `scale`, else what is left over.

    With `known`, regions whose outcome at this scale follows from earlier trials are
    not measured, an overflow found that way is reported without its amount, and the
    first region that overflows ends the trial unless `every` region is wanted.
    """
    styles = _styles(ctx, scale)
    over = []
    regions = tpage.regions
    if known is not None:  # the region that overflowed at the smallest scale goes first
        regions = sorted(regions, key=lambda r: known.get(r.name, (-1.0, 2.0))[1])
    for treg in regions:
        if known is not None:
            fits_up_to, fails_from = known.setdefault(treg.name, [-1.0, 2.0])
            if scale <= fits_up_to:
                continue
            if scale >= fails_from:
                return [(treg, lpage.regions[treg.name], 0.0, [])]
        region = lpage.regions[treg.name]
        frames = _frames(region, ctx.layout.page.height_mm)
        flow = _region_flowables(ctx, treg.blocks, _region_styles(styles, region))
        ctx.flows[(tpage.side, treg.name, scale)] = flow  # drawn as measured, if chosen
        left = _flow(flow, frames)
        if known is not None:
            entry = known[treg.name]
            if left:
                entry[1] = min(entry[1], scale)
            else:
                entry[0] = max(entry[0], scale)
        if left:
            width = frames[-1].width
            height = sum(f.wrap(width, 1e6)[1] + f.getSpaceBefore() for f in left)
            ids = [getattr(f, "block_id", None) for f in left]
            over.append((treg, region, height, [i for i in ids if i]))
            if known is not None and not every:
                return over  # the page does not fit: the other regions need not be tried
    return over or None


def _overflow_problems(ctx: _Ctx, tpage: TPage, over) -> list[Problem]:
    out = []
    s = ctx.sheet
    body_min = ctx.layout.styles["body"].size_range[0]
    for treg, _region, height, ids in over:
        block = next((b for b in treg.blocks if b.id in ids), treg.blocks[-1])
        origin = _first_origin(block)
        out.append(
            Problem(
                origin.path if origin else ctx.layout_path,
                origin.line if origin else 0,
                origin.col if origin else 0,
                f"blocks.{block.id}",
                f"does not fit: sheet {s.sheet} ({s.lang}), {tpage.side} page, region "
                f"'{treg.name}' overflows by {height / MM:.1f} mm even at the smallest type "
                f"(body {body_min:g} pt); shorten the text or enlarge the region in "
                f"{ctx.layout_path}",
            )
        )
    return out


def _first_origin(b: TBlock):
    for t in (b.title, b.text, *(i.text for i in b.items)):
        if t is not None:
            return t.origin
    return None


_FUZZ = 1e-6  # as ReportLab's Frame


@dataclass(frozen=True, slots=True)
class Column:
    """A rectangle text flows into (points, from the trim's bottom-left corner)."""

    x: float
    y: float
    width: float
    height: float

    def like(self, top_cut: float = 0.0, height: float | None = None) -> Column:
        """This column, its top lowered by `top_cut` or its height set (bottom kept)."""
        h = (self.height - top_cut) if height is None else height
        return Column(self.x, self.y + (self.height - top_cut - h), self.width, h)


class _FrameFill:
    """The filling state of one column, as ReportLab's `Frame` keeps it."""

    def __init__(self, frame: Column):
        self.y = frame.y + frame.height
        self.bottom = frame.y
        self.at_top = True
        self.prev_after = 0.0
        self.width = frame.width

    def room_for(self, f: Flowable) -> tuple[float, float]:
        space = 0.0
        if not self.at_top:
            space = f.getSpaceBefore()
            # space before collapses into the last space after (ReportLab's default)
            space = max(space - self.prev_after, 0)
        return self.y - self.bottom - space, space

    def place(self, f: Flowable) -> float | None:
        """Where the bottom of `f` goes, or None when it does not fit."""
        room, space = self.room_for(f)
        if room <= 0:
            return None
        _, h = f.wrap(self.width, room)
        if self.y - (h + space) < self.bottom - _FUZZ:
            return None
        new_y = self.y - h - space
        after = f.getSpaceAfter()
        if new_y != self.y:
            self.at_top = False
        self.y = new_y - after
        self.prev_after = after
        return new_y


def _flow(
    flowables: list[Flowable], frames: list[Column], canv: Canvas | None = None
) -> list[Flowable]:
    """Fill `frames` in order as ReportLab's `Frame.add` and `Frame.split` would,
    drawing on `canv` if given; return what did not fit.

    Fitting and column balancing call it without a canvas to measure; the same code
    places what is drawn, so a fitted region cannot overflow when drawn. Paragraphs
    cache their line breaking per width, so measuring again is cheap.
    """
    queue = list(flowables)
    for frame in frames:
        fill = _FrameFill(frame)
        x = frame.x
        while queue:
            f = queue[0]
            y = fill.place(f)
            if y is None:
                room, _ = fill.room_for(f)
                parts = f.split(fill.width, room) if room > 0 else []
                if len(parts) < 2 or (y := fill.place(parts[0])) is None:
                    break
                for p in parts[1:]:
                    p.block_id = getattr(f, "block_id", None)
                queue[0:1] = parts
                f = parts[0]
            queue.pop(0)
            if canv is not None:
                f.drawOn(canv, x, y)
    return queue


def _size(rng: tuple[float, float], scale: float) -> float:
    lo, hi = rng
    return lo + (hi - lo) * scale


# --- styles and flowables --------------------------------------------------


def _styles(ctx: _Ctx, scale: float) -> dict[str, TextStyle]:
    out = {}
    for name, st in ctx.layout.styles.items():
        size = _size(st.size_range, scale)
        out[name] = TextStyle(
            name,
            fontName=ctx.families[st.font].regular,
            fontSize=size,
            leading=size * st.leading,
            textColor=ctx.colours[st.color],
            alignment=_ALIGN[st.align],
            spaceBefore=st.space_before_pt,
            spaceAfter=st.space_after_pt,
            leftIndent=st.indent_mm * MM,
            hyphenator=ctx.hyph if st.hyphenate else None,
        )
    return out


def _region_styles(styles: dict[str, TextStyle], region: Region) -> dict:
    return {**styles, **{role: styles[name] for role, name in region.styles.items()}}


def _para(
    ctx: _Ctx,
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
        _check_glyphs(ctx, t, style)
    markup = linkify(t.markup) if ctx.profile.links else t.markup
    # Words are measured once per font and set at every size that fitting tries.
    m = measured(
        markup, _faces(ctx, style.fontName), style.hyphenator, style.hyphenationMinWordLength
    )
    para = TextParagraph(
        m,
        style,
        origin=t.origin,
        on_overfull=lambda p, by: _overfull(ctx, p, by),
    )
    if ctx.profile.bookmarks and outline is not None:
        para.outline = (t.plain, outline)
    if chain:
        para.tag = (ctx.tagger, chain, t.plain, lang)
    return para


def _faces(ctx: _Ctx, font: str) -> tuple[str, str, str, str]:
    """Regular, bold, italic and bold italic of the family whose regular face is `font`."""
    return ctx.faces.get(font, (font, font, font, font))


def _check_glyphs(ctx: _Ctx, t: TText, style: TextStyle) -> None:
    fam = next(
        (
            f
            for f in ctx.families.values()
            if style.fontName in (f.regular, f.bold, f.italic, f.bold_italic)
        ),
        None,
    )
    fonts = [style.fontName]
    if fam and "<b>" in t.markup:
        fonts.append(fam.bold)
    if fam and "<i>" in t.markup:
        fonts.append(fam.italic)
    for font in fonts:
        _glyph_problems(ctx, font, t.plain, t.origin)


def _glyph_problems(ctx: _Ctx, font: str, text: str, origin) -> None:
    unreadable, said = unreadable_characters(text)
    for what, remedy in said:
        problem = _problem_at(
            ctx,
            origin,
            f"{what}: it cannot be printed and read back from the PDF as written "
            f"(fiche {ctx.sheet.fiche}, language {ctx.sheet.lang}); {remedy}",
        )
        if problem not in ctx.problems:  # a text set in several fonts is checked per font
            ctx.problems.append(problem)
    for ch in missing_glyphs(font, text):
        if ch in unreadable:
            continue
        ctx.problems.append(
            _problem_at(
                ctx,
                origin,
                f"character U+{ord(ch):04X} {ch!r} cannot be drawn with font {font} "
                f"(fiche {ctx.sheet.fiche}, language {ctx.sheet.lang}); use another character or "
                "a font that has it",
            )
        )


def _problem_at(ctx: _Ctx, origin, message: str) -> Problem:
    """A problem at the text's origin, or at the layout when the text has none."""
    if origin is None:
        return Problem(ctx.layout_path, 0, 0, "", message)
    return Problem(origin.path, origin.line, origin.col, origin.field, message)


def _overfull(ctx: _Ctx, p: TextParagraph, by: float) -> None:
    ctx.problems.append(
        _problem_at(
            ctx,
            p.origin,
            f"a word is {by / MM:.1f} mm wider than its column in sheet {ctx.sheet.sheet} "
            f"({ctx.sheet.lang}); allow a break or widen the region",
        )
    )


def _region_flowables(ctx: _Ctx, blocks: tuple[TBlock, ...], st: dict) -> list[Flowable]:
    out: list[Flowable] = []
    for b in blocks:
        flows = _block_flowables(ctx, b, st)
        for f in flows:
            f.block_id = b.id
        out += flows
    return out


def _block_flowables(ctx: _Ctx, b: TBlock, st: dict) -> list[Flowable]:
    """Flowables of one block; each text knows the structure chain it is tagged with."""
    look = ctx.layout.look
    bid = b.id
    if b.kind == "heading":
        return [
            _para(
                ctx,
                b.text,
                st[f"h{b.level}"],
                outline=0 if b.level == 1 else 1,
                chain=((f"H{b.level}", bid),),
            )
        ]
    if b.kind == "paragraph":
        return [_para(ctx, b.text, st[b.role], chain=(("P", bid),), lang=b.lang or "")]
    if b.kind == "callout":
        content: list[Flowable] = []
        if b.title:
            content.append(
                _para(
                    ctx,
                    b.title,
                    st["callout-title"],
                    outline=1,
                    chain=(("Div", bid), ("H3", f"{bid}/title")),
                )
            )
        content.append(
            _para(ctx, b.text, st["callout"], chain=(("Div", bid), ("P", f"{bid}/text")))
        )
        box = Box(
            content,
            ctx.colours[look.callout_fill],
            look.callout_padding_mm * MM,
            look.callout_radius_mm * MM,
            space_before=st["callout"].spaceBefore,
            space_after=st["callout"].spaceAfter,
        )
        box.tagger = ctx.tagger
        return [box]
    if b.kind == "image":
        return [_image(ctx, b)]
    items: list[Flowable] = []

    def item(i: int | str) -> Chain:
        return (("L", bid), ("LI", f"{bid}/{i}"))

    if b.kind == "definition":
        items.append(_para(ctx, b.text, st["term"], chain=(("P", f"{bid}/term"),)))
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
        indent = 0.0 if b.marker == "none" else max(look.list_indent_mm * MM, 1.25 * fs)
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
                        indent * 2,
                        _marker(ctx, "dash", st["list"], indent * 2),
                        nested,
                    )
                )
    elif b.kind == "tips":
        radius = _badge_radius(st)
        indent = max(look.tip_indent_mm * MM, 2 * radius + 2 * MM)
        for i, it in enumerate(b.items, start=b.start):
            items.append(
                _hanging(
                    ctx, it.text, st["tip"], indent, _badge(ctx, i, st, indent, item(i)), item(i)
                )
            )
    if b.title:
        head = _para(ctx, b.title, st["h3"], outline=1, chain=(("H3", f"{bid}/title"),))
        return [KeepWithNext(head, items[0]), *items[1:]]
    return items


def _hanging(ctx, t: TText, style: TextStyle, indent: float, marker, item: Chain) -> Hanging:
    draw, height = marker
    return Hanging(
        _para(ctx, t, style, chain=(*item, ("LBody", f"{item[-1][1]}/body"))), indent, draw, height
    )


def _marker(ctx: _Ctx, kind: str, style: TextStyle, indent: float):
    colour = ctx.colours[ctx.layout.look.marker_color]
    fs = style.fontSize

    def draw(canv, x, y, top):
        # `x` is the middle of the indent; the marker ends a word space before the text
        with ctx.tagger.artifact(canv):
            _draw_marker(canv, kind, colour, fs, x + indent / 2 - 0.65 * fs, y)

    return (None if kind == "none" else draw), 0.0


def _draw_marker(canv: Canvas, kind: str, colour: Color, fs: float, x: float, y: float) -> None:
    """A list marker drawn as a shape (no glyph, so nothing for text extraction)."""
    if kind:
        canv.saveState()
        canv.setFillColor(colour)
        canv.setStrokeColor(colour)
        canv.setLineWidth(fs * 0.11)
        canv.setLineCap(1)
        canv.setLineJoin(1)
        if kind == "bullet":
            canv.circle(x, y, fs * 0.17, stroke=0, fill=1)
        elif kind == "dash":
            canv.line(x - fs * 0.2, y, x + fs * 0.2, y)
        elif kind == "check":
            p = canv.beginPath()
            p.moveTo(x - fs * 0.28, y + fs * 0.02)
            p.lineTo(x - fs * 0.08, y - fs * 0.2)
            p.lineTo(x + fs * 0.3, y + fs * 0.25)
            canv.drawPath(p, stroke=1, fill=0)
        elif kind in ("plus", "minus"):
            canv.setLineWidth(fs * 0.13)
            canv.line(x - fs * 0.24, y, x + fs * 0.24, y)
            if kind == "plus":
                canv.line(x, y - fs * 0.24, x, y + fs * 0.24)
        elif kind == "arrow":
            p = canv.beginPath()
            p.moveTo(x - fs * 0.18, y + fs * 0.22)
            p.lineTo(x + fs * 0.22, y)
            p.lineTo(x - fs * 0.18, y - fs * 0.22)
            p.close()
            canv.drawPath(p, stroke=0, fill=1)
        canv.restoreState()


def _number_marker(ctx: _Ctx, n: int, style: TextStyle, item: Chain):
    colour = ctx.colours[ctx.layout.look.marker_color]
    fam = next(f for f in ctx.families.values() if style.fontName == f.regular)

    def draw(canv, x, y, top):
        with ctx.tagger.content(canv, (*item, ("Lbl", f"{item[-1][1]}/label")), text=f"{n}"):
            canv.saveState()
            canv.setFillColor(colour)
            canv.setFont(fam.bold, style.fontSize)
            canv.drawCentredString(x, y - style.fontSize * 0.36, f"{n}")
            canv.restoreState()

    return draw, 0.0


def _badge_radius(st: dict) -> float:
    return st["badge"].fontSize * 0.85


def _badge(ctx: _Ctx, n: int, st: dict, indent: float, item: Chain):
    look = ctx.layout.look
    badge = st["badge"]
    r = _badge_radius(st)
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
            canv.drawCentredString(cx, cy - badge.fontSize * 0.36, f"{n}")
        canv.restoreState()

    return draw, 2 * r


def _image(ctx: _Ctx, b: TBlock) -> Flowable:
    """A picture as wide as `width_mm` (or its column), never distorted, never split."""
    from reportlab.lib.utils import ImageReader

    from .errors import FicheError
    from .images import MAX_IMAGE_BYTES, load_raster
    from .safeio import Refused

    try:
        im = flatten(load_raster(Path(b.src), MAX_IMAGE_BYTES))
    except Refused as e:  # validated with the catalogue, so changed since
        raise FicheError.at(b.src, "", f"image {e.reason}") from None
    convert = image_to_cmyk if ctx.profile.colour == "cmyk" else image_to_rgb
    pic = convert(im, ctx.icc)
    picture = Picture(
        ImageReader(pic), pic.width / pic.height, b.width_mm * MM if b.width_mm else None
    )
    picture.tag = (ctx.tagger, () if not b.alt else (("Figure", b.id),), b.alt)
    return picture


class Picture(Flowable):
    def __init__(self, reader, aspect: float, width: float | None):
        super().__init__()
        self.reader = reader
        self.aspect = aspect
        self.want = width
        self.spaceAfter = 4

    def wrap(self, aW, aH):
        self.width = min(self.want or aW, aW)
        self.height = self.width / self.aspect
        return self.width, self.height

    def split(self, aW, aH):
        return []

    def draw(self):
        tag = getattr(self, "tag", None)
        if tag is None:
            self.canv.drawImage(self.reader, 0, 0, self.width, self.height)
            return
        tagger, chain, alt = tag
        if chain:
            with tagger.content(self.canv, chain, alt=alt):
                self.canv.drawImage(self.reader, 0, 0, self.width, self.height)
        else:  # decorative: an artifact
            with tagger.artifact(self.canv):
                self.canv.drawImage(self.reader, 0, 0, self.width, self.height)


# --- drawing ---------------------------------------------------------------


def _box(r, page_h_mm: float) -> tuple[float, float, float, float]:
    """(x, y, w, h) in points from the trim's bottom-left, for a top-left mm box."""
    return r.x_mm * MM, (page_h_mm - r.y_mm - r.h_mm) * MM, r.w_mm * MM, r.h_mm * MM


def _frames(region: Region, page_h_mm: float) -> list[Column]:
    x, y, w, h = _box(region, page_h_mm)
    pad = region.padding_mm * MM
    gutter = region.gutter_mm * MM
    n = region.columns
    col_w = (w - 2 * pad - (n - 1) * gutter) / n
    return [Column(x + pad + i * (col_w + gutter), y + pad, col_w, h - 2 * pad) for i in range(n)]


def _draw_page(
    ctx: _Ctx,
    canv: Canvas,
    tpage: TPage,
    lpage: Page,
    scale: float,
    boxes: PageBoxes,
    profile: Profile,
) -> None:
    g = ctx.layout.page
    bleed = g.bleed_mm * MM if profile.bleed else 0.0
    styles = _styles(ctx, scale)
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
        for treg in tpage.regions:
            region = lpage.regions[treg.name]
            if region.fill:
                x, y, w, h = _box(region, g.height_mm)
                canv.setFillColor(ctx.colours[region.fill])
                canv.roundRect(x, y, w, h, region.radius_mm * MM, stroke=0, fill=1)
    for treg in tpage.regions:
        region = lpage.regions[treg.name]
        frames = _frames(region, g.height_mm)
        flow = ctx.flows.get((tpage.side, treg.name, scale))
        if flow is None:
            flow = _region_flowables(ctx, treg.blocks, _region_styles(styles, region))
        if region.valign != "top" and region.columns == 1:
            frames = _aligned(region, frames, flow)
        elif region.columns > 1 and region.balance:
            frames = _balanced(frames, flow)
        left = _flow(flow, frames, canv)
        if left:  # the fit said it would fit; a mismatch is a bug, never a silent clip
            raise AssertionError(f"region {treg.name} overflowed after fitting")
    if tpage.side == "back" and lpage.imprint is not None and ctx.sheet.imprint is not None:
        _draw_imprint(ctx, canv, lpage.imprint, ctx.sheet.imprint, styles)
    # Page furniture goes after the content so that text extraction, which follows
    # the drawing order, reads the content without the header's words in between.
    with ctx.tagger.artifact(canv):  # page furniture: series and number
        for deco in furniture:
            _draw_decoration(ctx, canv, deco, bleed, styles)
    canv.restoreState()
    if profile.crop_marks:
        with ctx.tagger.artifact(canv):
            _crop_marks(canv, boxes, profile)


def _used_height(frame: Column, flowables: list[Flowable]) -> float:
    """The height the flowables take at the top of `frame` (measured, not drawn)."""
    fill = _FrameFill(frame)
    for f in flowables:
        if fill.place(f) is None:  # only in parts: it takes the whole frame
            return frame.height
    return frame.y + frame.height - (fill.y + fill.prev_after)  # no space after the last


def _aligned(region: Region, frames: list[Column], flow: list[Flowable]) -> list[Column]:
    f0 = frames[0]
    free = max(f0.height - _used_height(f0, flow), 0.0)
    shift = free / 2 if region.valign == "middle" else free
    return [f0.like(top_cut=shift)]


def _balanced(frames: list[Column], flow: list[Flowable]) -> list[Column]:
    """The same frames, shortened to the least height that still holds the content."""
    full = frames[0].height

    def at(height: float) -> list[Column]:
        return [f.like(height=height) for f in frames]

    lo, hi = 0.0, full
    for _ in range(10):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _flow(flow, at(mid)) else (lo, mid)
    return at(hi)


def _draw_decoration(ctx: _Ctx, canv: Canvas, d, bleed: float, styles: dict) -> None:
    H = ctx.layout.page.height_mm
    if isinstance(d, RectDecoration):
        x, y, w, h = _box(d, H)
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
        _draw_text_decoration(ctx, canv, d, H)


def _draw_text_decoration(ctx: _Ctx, canv: Canvas, d: TextDecoration, H: float) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    fields = ctx.sheet.fields()
    used = [k for k in fields if "{" + k + "}" in d.text]
    text = fill_template(d.text, {k: v.plain for k, v in fields.items()})
    origin = fields[used[0]].origin if used else None
    st = ctx.layout.styles[d.style]
    font = ctx.families[st.font].regular
    _glyph_problems(ctx, font, text, origin)
    lo, hi = st.size_range
    size = hi
    limit = d.max_width_mm * MM
    while stringWidth(text, font, size) > limit and size > lo:
        size = max(lo, size - 0.25)
    width = stringWidth(text, font, size)
    if width > limit + 0.01:
        ctx.problems.append(
            _problem_at(
                ctx,
                origin,
                f"'{text}' is {(width - limit) / MM:.1f} mm wider than its place in "
                f"the header of sheet {ctx.sheet.sheet} ({ctx.sheet.lang}) even at {lo:g} pt",
            )
        )
        return
    canv.setFont(font, size)
    canv.setFillColor(ctx.colours[st.color])
    x, y = d.x_mm * MM, (H - d.y_mm) * MM
    if d.align == "left":
        canv.drawString(x, y, text)
    elif d.align == "right":
        canv.drawRightString(x, y, text)
    else:
        canv.drawCentredString(x, y, text)


def _draw_imprint(ctx: _Ctx, canv: Canvas, region: Region, imp, styles: dict) -> None:
    """The school's contact block (logo, text, QR code), or a ruled space to fill in."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    x, y, w, h = _box(region, ctx.layout.page.height_mm)
    tag = ctx.tagger
    if region.fill:
        with tag.artifact(canv):
            canv.setFillColor(ctx.colours[region.fill])
            canv.roundRect(x, y, w, h, region.radius_mm * MM, stroke=0, fill=1)
    pad = region.padding_mm * MM
    ix, iy, iw, ih = x + pad, y + pad, w - 2 * pad, h - 2 * pad
    gap = 3 * MM
    right = ix + iw - ((ih + gap) if imp.qr_url else 0.0)
    left = ix
    if imp.logo:
        name = imp.school.plain if imp.school else ""
        with tag.content(
            canv, (("Div", "imprint"), ("Figure", "imprint/logo")), alt=f"Logo: {name}"
        ):
            left += _draw_logo(ctx, canv, imp.logo, ix, iy, min(ih * 2.5, iw * 0.25), ih) + gap
    title_style = ctx.layout.styles["imprint-title"]
    line_style = ctx.layout.styles["imprint"]
    title_font = ctx.families[title_style.font].regular
    line_font = ctx.families[line_style.font].regular
    title = imp.school if imp.school else imp.label
    title_text = title.plain
    for t, font in [(title, title_font)] + [(t, line_font) for t in imp.lines]:
        _check_glyphs(ctx, t, TextStyle("imprint", fontName=font))
    # The largest sizes of the two ranges (at the same point) at which all lines fit.
    for step in range(10, -1, -1):
        k = step / 10
        ts, ls = _size(title_style.size_range, k), _size(line_style.size_range, k)
        tl, ll = ts * title_style.leading, ls * line_style.leading
        widths = [stringWidth(title_text, title_font, ts)]
        widths += [stringWidth(t.plain, line_font, ls) for t in imp.lines]
        if tl + ll * len(imp.lines) <= ih + 0.01 and max(widths) <= right - left + 0.01:
            break
    else:
        # Blame the widest line when width is what fails (an over-long website, say).
        texts = [title, *imp.lines]
        widest = max(range(len(texts)), key=widths.__getitem__)
        too_wide = widths[widest] > right - left + 0.01
        ctx.problems.append(
            _problem_at(
                ctx,
                texts[widest].origin if too_wide else (imp.lines[0] if imp.lines else title).origin,
                f"the school's contact block does not fit the imprint of sheet {ctx.sheet.sheet} "
                f"({ctx.sheet.lang}) even at {line_style.size_range[0]:g} pt; shorten it",
            )
        )
        return
    canv.setFillColor(ctx.colours[title_style.color])
    canv.setFont(title_font, ts)
    baseline = iy + ih - ts
    with tag.content(canv, (("Div", "imprint"), ("P", "imprint/title")), text=title_text):
        canv.drawString(left, baseline, title_text)
    canv.setFont(line_font, ls)
    canv.setFillColor(ctx.colours[line_style.color])
    for k, t in enumerate(imp.lines):
        baseline -= ll
        with tag.content(canv, (("Div", "imprint"), ("P", f"imprint/{k}")), text=t.plain):
            canv.drawString(left, baseline, t.plain)
    if imp.qr_url:
        with tag.content(
            canv, (("Div", "imprint"), ("Figure", "imprint/qr")), alt=f"QR code: {imp.qr_url}"
        ):
            _draw_qr(ctx, canv, imp.qr_url, ix + iw - ih, iy, ih)
    if imp.school is None:
        _ruled_space(
            ctx,
            canv,
            left,
            iy,
            right - left,
            baseline - ll * 0.4 - iy,
            ll,
            title.plain.rstrip(":\u202f "),
        )


def _ruled_space(
    ctx: _Ctx, canv: Canvas, x: float, y: float, w: float, h: float, step: float, label: str
) -> None:
    """Lines to write on; on screen a fillable field over them."""
    with ctx.tagger.artifact(canv):
        canv.saveState()
        canv.setStrokeColor(ctx.colours[ctx.layout.styles["imprint"].color])
        canv.setLineWidth(0.4)
        line_y = y + h - step * 1.5
        while line_y >= y + 0.5:
            canv.line(x, line_y, x + w, line_y)
            line_y -= step * 1.5
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
            fontSize=9,
            fieldFlags="multiline",
            relative=True,
        )


def _draw_qr(ctx: _Ctx, canv: Canvas, url: str, x: float, y: float, side: float) -> None:
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    black = CMYKColor(0, 0, 0, 1) if ctx.profile.colour == "cmyk" else Color(0, 0, 0)
    white = CMYKColor(0, 0, 0, 0) if ctx.profile.colour == "cmyk" else Color(1, 1, 1)
    widget = QrCodeWidget(url, barLevel="M", barBorder=2)
    widget.barFillColor = black
    widget.barStrokeColor = black
    bx0, by0, bx1, by1 = widget.getBounds()
    canv.saveState()
    canv.setFillColor(white)  # the quiet zone must be light, whatever the region's fill
    canv.rect(x, y, side, side, stroke=0, fill=1)
    canv.restoreState()
    d = Drawing(side, side, transform=[side / (bx1 - bx0), 0, 0, side / (by1 - by0), 0, 0])
    d.add(widget)
    _render_drawing(ctx, d, canv, x, y)


def _render_drawing(ctx: _Ctx, d, canv: Canvas, x: float, y: float) -> None:
    """Draw a ReportLab Drawing without its default state: Helvetica and RGB black
    would otherwise be written into the page even where nothing uses them."""
    from reportlab.graphics import renderPDF

    black = CMYKColor(0, 0, 0, 1) if ctx.profile.colour == "cmyk" else Color(0, 0, 0)
    # Drawing refuses unknown attributes; the renderer reads these ones with getattr.
    d.__dict__.update(
        initialFontName=ctx.families[ctx.layout.styles["body"].font].regular,
        initialFillColor=black,
        initialStrokeColor=black,
    )
    renderPDF.draw(d, canv, x, y)


def _draw_logo(
    ctx: _Ctx, canv: Canvas, path: str, x: float, y: float, max_w: float, max_h: float
) -> float:
    """The school's logo, fitted into the box without distortion; returns its width.

    It went through the guarded loader when the school was loaded; it is read the
    same way here, so a file changed since then is refused, not trusted."""
    from .images import load_raster, load_svg
    from .safeio import Refused
    from .school import MAX_LOGO_BYTES

    src = Path(path)
    try:
        if src.suffix.lower() == ".svg":
            convert = (lambda c: _svg_colour(ctx, c)) if ctx.profile.colour == "cmyk" else None
            return _draw_svg(ctx, canv, load_svg(src, MAX_LOGO_BYTES, convert), x, y, max_w, max_h)
        return _draw_raster_logo(
            ctx, canv, src, load_raster(src, MAX_LOGO_BYTES), x, y, max_w, max_h
        )
    except Refused as e:
        _logo_problem(ctx, f"logo '{src.name}' {e.reason}")
        return 0.0


def _draw_svg(ctx: _Ctx, canv: Canvas, d, x: float, y: float, max_w: float, max_h: float) -> float:
    s = min(max_w / d.width, max_h / d.height)
    d.scale(s, s)
    width, height = d.width * s, d.height * s
    d.width, d.height = width, height
    _render_drawing(ctx, d, canv, x, y + (max_h - height) / 2)
    return width


def _draw_raster_logo(
    ctx: _Ctx, canv: Canvas, src: Path, im, x: float, y: float, max_w: float, max_h: float
) -> float:
    from reportlab.lib.utils import ImageReader

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
    canv.drawImage(ImageReader(pic), x, y + (max_h - height) / 2, width, height)
    return width


def _svg_colour(ctx: _Ctx, c):
    """SVG colours are sRGB: print gets them in the output intent's CMYK."""
    if c is None or isinstance(c, CMYKColor) or not hasattr(c, "red"):
        return c
    cmyk = rgb_to_cmyk((c.red, c.green, c.blue), ctx.icc)
    out = CMYKColor(*cmyk)
    out.alpha = getattr(c, "alpha", 1)
    return out


def _logo_problem(ctx: _Ctx, message: str) -> None:
    imp = ctx.sheet.imprint
    o = imp.logo_origin if imp else None
    ctx.problems.append(
        Problem(o.path if o else "", o.line if o else 0, o.col if o else 0, "logo", message)
    )


def _crop_marks(canv: Canvas, boxes: PageBoxes, profile: Profile) -> None:
    x0, y0, x1, y1 = boxes.trim
    bx0, by0, bx1, by1 = boxes.bleed
    off = profile.mark_offset_mm * MM
    length = profile.mark_length_mm * MM
    canv.saveState()
    # 100 % black only: marks must separate onto one plate, never into RGB.
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
