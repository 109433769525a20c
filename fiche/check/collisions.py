"""Text that runs into what it must not touch: a decoration, another region, the imprint.

Input: a drawn sheet (`RenderResult.drawn`: each region's box as placed, each block's
text and pictures, the imprint, the header's texts as set) and its layout. Output: a
`Problem` per block and thing it runs into, at the block's file and line, naming the
page and the thing with its place in the layout file; none when the page is clean.

What a block takes is its text as set (a paragraph's widest line as aligned, not its
column) over the lines' height. A region's text may lie on a rectangle that holds the
whole region (its background, like a title on the header band); any other shape it
touches is a collision, a circle measured as a circle. The header's texts are as wide
as their string at the size they were drawn, as high as the font's ascent and descent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from fiche.core.errors import Problem
from fiche.model.layout import CircleDecoration, Layout, Page, RectDecoration, TextDecoration
from fiche.model.source import Source, format_field
from fiche.paint.page import Drawn
from fiche.typeset.sheet import TBlock, TypesetSheet

Rect = tuple[float, float, float, float]  # x, y, width, height in mm, from the trim's top-left

# Less than this (mm) is a shared edge or rounding, not an overlap.
EPS_MM = 0.01


@dataclass(frozen=True, slots=True)
class _Thing:
    """Something on the page a block must not run into."""

    name: str  # "the circle", "region 'side'", …
    loc: tuple[str | int, ...]  # its place in the layout file
    box: Rect
    circle: CircleDecoration | None = None


def collision_problems(
    sheet: TypesetSheet, layout: Layout, src: Source, drawn: Sequence[Sequence[Drawn]]
) -> list[Problem]:
    """Every block of `sheet` that runs into a decoration, another region or the imprint."""
    problems = []
    for tpage, page_drawn in zip(sheet.pages, drawn, strict=True):
        lpage: Page = getattr(layout.pages, tpage.side)
        blocks = {b.id: b for treg in tpage.regions for b in treg.blocks}
        found: dict[tuple[str, str], tuple[Drawn, _Thing, str]] = {}
        for d, thing, depth in _collisions(tpage.side, lpage, page_drawn):
            found.setdefault((d.block_id or d.region, thing.name), (d, thing, depth))
        for d, thing, depth in found.values():
            where = src.where(thing.loc)
            message = (
                f"sheet {sheet.sheet} ({sheet.lang}), {tpage.side} page: "
                f"{_what(d)} in region '{d.region}' runs into {thing.name} "
                f"({format_field(thing.loc)}, {where.path}:{where.line}) by {depth}; "
                f"move the region or the decoration, or shorten the text"
            )
            problems.append(_at_block(blocks.get(d.block_id or ""), d, message, src.path))
    return problems


def _collisions(side: str, lpage: Page, drawn: Sequence[Drawn]):
    """(block drawn, thing it runs into, by how much) on one page."""
    regions = {d.region: d.box for d in drawn if d.what == "region"}
    things = _things(side, lpage, drawn, regions)
    for d in drawn:
        if d.what not in ("text", "image"):
            continue
        ink = d.ink_box
        own = regions.get(d.region)
        for thing in things:
            if thing.loc[-1] == d.region and thing.loc[-2] == "regions":
                continue  # its own region
            if thing.circle is not None:
                depth = _into_circle(ink, thing.circle)
                if depth > EPS_MM:
                    yield d, thing, f"{depth:.1f} mm"
                continue
            if thing.loc[-2] == "decorations" and own is not None and _inside(own, thing.box):
                continue  # a shape under the whole region is its background
            w, h = _overlap(ink, thing.box)
            if w > EPS_MM and h > EPS_MM:
                yield d, thing, f"{w:.1f} × {h:.1f} mm"


def _things(side: str, lpage: Page, drawn: Sequence[Drawn], regions: dict[str, Rect]):
    """The shapes, the header's texts as set, the regions as placed and the imprint."""
    page = ("pages", side)
    things = []
    texts = iter(d for d in drawn if d.what == "decoration")
    for i, deco in enumerate(lpage.decorations):
        loc = (*page, "decorations", i)
        if isinstance(deco, RectDecoration):
            box = (deco.x_mm, deco.y_mm, deco.w_mm, deco.h_mm)
            things.append(_Thing("a rectangle decoration", loc, box))
        elif isinstance(deco, CircleDecoration):
            c = deco
            box = (c.x_mm - c.r_mm, c.y_mm - c.r_mm, 2 * c.r_mm, 2 * c.r_mm)
            things.append(_Thing("the circle decoration", loc, box, c))
        elif isinstance(deco, TextDecoration):
            # draw_page returns the header's texts in the layout's order
            text = next(texts, None)
            if text is not None:
                things.append(_Thing(f"the header text {deco.text!r}", loc, text.box))
    for name, box in regions.items():
        things.append(_Thing(f"region '{name}'", (*page, "regions", name), box))
    for d in drawn:
        if d.what == "imprint":
            things.append(_Thing("the imprint", (*page, "imprint"), d.box))
    return things


def _what(d: Drawn) -> str:
    kind = "picture" if d.what == "image" else "text"
    return f"the {kind} of block '{d.block_id}'" if d.block_id else f"the {kind}"


def _at_block(block: TBlock | None, d: Drawn, message: str, layout_path: str) -> Problem:
    """The problem at the block's first text, or at the layout when it has none."""
    origin = _first_origin(block) if block else None
    if origin is None:
        return Problem(layout_path, 0, 0, "", message)
    return Problem(origin.path, origin.line, origin.col, f"blocks.{d.block_id}", message)


def _first_origin(b: TBlock):
    for t in (b.title, b.text, *(i.text for i in b.items)):
        if t is not None:
            return t.origin
    return None


def _overlap(a: Rect, b: Rect) -> tuple[float, float]:
    """How wide and high `a` and `b` overlap (≤ 0 when they do not)."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return w, h


def _inside(inner: Rect, outer: Rect) -> bool:
    return (
        outer[0] - EPS_MM <= inner[0]
        and outer[1] - EPS_MM <= inner[1]
        and inner[0] + inner[2] <= outer[0] + outer[2] + EPS_MM
        and inner[1] + inner[3] <= outer[1] + outer[3] + EPS_MM
    )


def _into_circle(r: Rect, c: CircleDecoration) -> float:
    """How far `r` reaches into the circle (mm): its radius less the distance from its
    centre to the nearest point of `r`; ≤ 0 when apart."""
    x, y, w, h = r
    nx = min(max(c.x_mm, x), x + w)
    ny = min(max(c.y_mm, y), y + h)
    return c.r_mm - math.hypot(c.x_mm - nx, c.y_mm - ny)
