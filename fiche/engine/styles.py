"""Text styles at a point of their size ranges: what fitting varies."""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT

from fiche.engine.context import Ctx
from fiche.engine.flowables import TextStyle
from fiche.model.layout import (
    Region,
)
from fiche.model.profiles import MM

ALIGN = {"left": TA_LEFT, "justify": TA_JUSTIFY, "center": TA_CENTER, "right": TA_RIGHT}
# Right to left, a style's `left` is where a line starts: the right; `right` is its end.
ALIGN_RTL = {**ALIGN, "left": TA_RIGHT, "right": TA_LEFT}


def size_at(rng: tuple[float, float], scale: float) -> float:
    lo, hi = rng
    return lo + (hi - lo) * scale


def styles_at(ctx: Ctx, scale: float) -> dict[str, TextStyle]:
    """The layout's styles at `scale`; right to left, aligned and indented from the right."""
    out = {}
    rtl = ctx.rtl
    align = ALIGN_RTL if rtl else ALIGN
    for name, st in ctx.layout.styles.items():
        size = size_at(st.size_range, scale)
        indent = st.indent_mm * MM
        out[name] = TextStyle(
            name,
            fontName=ctx.families[st.font].regular,
            fontSize=size,
            leading=size * st.leading,
            textColor=ctx.colours[st.color],
            alignment=align[st.align],
            spaceBefore=st.space_before_pt,
            spaceAfter=st.space_after_pt,
            leftIndent=0.0 if rtl else indent,
            rightIndent=indent if rtl else 0.0,
            hyphenator=ctx.hyph if st.hyphenate else None,
            rtl=rtl,
        )
    return out


def region_styles(styles: dict[str, TextStyle], region: Region) -> dict:
    return {**styles, **{role: styles[name] for role, name in region.styles.items()}}
