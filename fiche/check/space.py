"""The largest empty area of a page's body: how much of a page stays white.

Input: the body (rectangles in mm from the trim's top-left corner, as a layout measures)
and what was drawn on it (rectangles in the same units). Output: the largest
axis-aligned rectangle inside the body that touches nothing drawn, as a `Hole`.

The body is laid on a grid (1 mm cells by default, fine enough for cm²). A cell is
body when its centre lies in a body rectangle, and taken when anything drawn overlaps it
at all, so a hole never hides a line of text. The largest empty rectangle of the grid is
found row by row with the histogram stack (the classic maximal rectangle in a binary
matrix): for each row, how many free cells stand above each column, and the widest
rectangle each of those heights spans. That visits every maximal empty rectangle once,
in time proportional to the cells, so a least width and height (`min_side_mm`) can be
asked for without losing the best such rectangle.

`page_body` says what the body of a page is: its text regions as placed, without the
header band, and the gutters between regions closed (`layout_page_body`: as the layout
places them). `empty_area_warnings` is the build's warning about a page left too white.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fiche.model.layout import Decoration, Layout, Page, RectDecoration, Region
from fiche.paint.page import Drawn
from fiche.typeset.sheet import TypesetSheet

Rect = tuple[float, float, float, float]  # x, y, width, height in mm, from the trim's top-left

_EPS = 1e-6  # an overlap thinner than this (mm) is a shared edge, not an overlap


@dataclass(frozen=True, slots=True)
class Hole:
    """An empty rectangle of the body, in mm from the trim's top-left corner."""

    x_mm: float
    y_mm: float
    w_mm: float
    h_mm: float

    @property
    def area_cm2(self) -> float:
        return self.w_mm * self.h_mm / 100

    @property
    def box(self) -> Rect:
        return self.x_mm, self.y_mm, self.w_mm, self.h_mm


NO_HOLE = Hole(0.0, 0.0, 0.0, 0.0)


def largest_hole(
    body: Sequence[Rect],
    occupied: Iterable[Rect],
    *,
    cell_mm: float = 1.0,
    min_side_mm: float = 0.0,
) -> Hole:
    """The largest empty rectangle inside the union of `body` that overlaps none of
    `occupied`, with both sides at least `min_side_mm`; `NO_HOLE` when there is none."""
    if not body:
        return NO_HOLE
    x0 = min(r[0] for r in body)
    y0 = min(r[1] for r in body)
    cols = math.ceil((max(r[0] + r[2] for r in body) - x0) / cell_mm - _EPS)
    rows = math.ceil((max(r[1] + r[3] for r in body) - y0) / cell_mm - _EPS)
    grid = [bytearray(cols) for _ in range(rows)]
    for r in body:
        _mark(grid, _centred(r, x0, y0, cell_mm, cols, rows), 1)
    for r in occupied:
        _mark(grid, _touched(r, x0, y0, cell_mm, cols, rows), 0)
    least = max(1, math.ceil(min_side_mm / cell_mm - _EPS))
    best = _largest_in_grid(grid, least)
    if best is None:
        return NO_HOLE
    top, left, h, w = best
    return Hole(x0 + left * cell_mm, y0 + top * cell_mm, w * cell_mm, h * cell_mm)


Span = tuple[int, int, int, int]  # first column, end column, first row, end row (ends excluded)


def _centred(r: Rect, x0: float, y0: float, c: float, cols: int, rows: int) -> Span:
    """The cells whose centre lies inside `r`."""
    x, y, w, h = r
    return _clamped(
        math.ceil((x - x0) / c - 0.5 - _EPS),
        math.ceil((x + w - x0) / c - 0.5 - _EPS),
        math.ceil((y - y0) / c - 0.5 - _EPS),
        math.ceil((y + h - y0) / c - 0.5 - _EPS),
        cols,
        rows,
    )


def _touched(r: Rect, x0: float, y0: float, c: float, cols: int, rows: int) -> Span:
    """The cells that `r` overlaps, however little."""
    x, y, w, h = r
    return _clamped(
        math.floor((x - x0) / c + _EPS),
        math.ceil((x + w - x0) / c - _EPS),
        math.floor((y - y0) / c + _EPS),
        math.ceil((y + h - y0) / c - _EPS),
        cols,
        rows,
    )


def _clamped(c0: int, c1: int, r0: int, r1: int, cols: int, rows: int) -> Span:
    """The span cut to the grid: what was drawn outside the body marks nothing (a
    negative end would count from the far side of a Python slice)."""
    return (
        min(max(c0, 0), cols),
        min(max(c1, 0), cols),
        min(max(r0, 0), rows),
        min(max(r1, 0), rows),
    )


def _mark(grid: list[bytearray], span: Span, value: int) -> None:
    c0, c1, r0, r1 = span
    if c1 <= c0 or r1 <= r0:
        return
    fill = bytes([value]) * (c1 - c0)
    for row in grid[r0:r1]:
        row[c0:c1] = fill


def _largest_in_grid(grid: list[bytearray], least: int) -> tuple[int, int, int, int] | None:
    """(top row, left column, height, width) of the largest rectangle of 1-cells whose
    sides are at least `least` cells, the first found of equal ones; None if none."""
    if not grid:
        return None
    cols = len(grid[0])
    heights = [0] * (cols + 1)  # a last bar of height 0 empties the stack at each row's end
    best_area, best = 0, None
    last = len(grid) - 1
    for r, row in enumerate(grid):
        heights[:cols] = [h + 1 if free else 0 for h, free in zip(heights, row, strict=False)]
        if r < last and grid[r + 1] == row:
            continue  # every rectangle ending here goes on down a row, larger: not the largest
        stack: list[int] = []  # columns of rising bar heights
        for c in range(cols + 1):
            h = heights[c]
            while stack and heights[stack[-1]] >= h:
                i = stack.pop()
                bar = heights[i]
                left = stack[-1] + 1 if stack else 0
                width = c - left
                if bar >= least and width >= least and bar * width > best_area:
                    best_area, best = bar * width, (r - bar + 1, left, bar, width)
            stack.append(c)
    return best


def page_body(
    regions: Iterable[Rect], decorations: Iterable[Decoration] = (), bridge_mm: float = 10.0
) -> list[Rect]:
    """The body of a page whose regions were placed at `regions` (their boxes as drawn:
    stacks move them): those boxes, without the ones in a header band among
    `decorations` (the title set in a band at the top of the page is furniture), and the
    gaps of at most `bridge_mm` between two regions side by side or one above the other
    closed: a gutter between a column and a panel is white space of the body too. The
    margins and the imprint (a school's contact block or its lines to write on) are not
    body."""
    bands = [d for d in decorations if isinstance(d, RectDecoration) and _at_top(d)]
    body = [r for r in regions if not any(_centre_in(r, b) for b in bands)]
    new = body
    while new:  # gaps between gaps too: the corner where a gutter meets a gap
        found = {
            g
            for i, a in enumerate(body)
            for b in body[i + 1 :]
            if (g := _gap(a, b, bridge_mm)) is not None
        }
        new = sorted(found - set(body))
        body += new
    return body


def layout_page_body(page: Page, bridge_mm: float = 10.0) -> list[Rect]:
    """The body of a layout's page with its regions where the layout puts them."""
    boxes = [(r.x_mm, r.y_mm, r.w_mm, r.h_mm) for r in page.regions.values()]
    return page_body(boxes, page.decorations, bridge_mm)


def _at_top(d: RectDecoration) -> bool:
    return d.y_mm <= 0 or "top" in d.bleed


def _centre_in(r: Rect, d: RectDecoration) -> bool:
    cx, cy = r[0] + r[2] / 2, r[1] + r[3] / 2
    return d.x_mm <= cx <= d.x_mm + d.w_mm and d.y_mm <= cy <= d.y_mm + d.h_mm


def _gap(a: Rect, b: Rect, most: float) -> Rect | None:
    """The rectangle between `a` and `b` where they face each other across a gap of at
    most `most` mm (over the stretch they share), or None."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    top, bottom = max(ay, by), min(ay + ah, by + bh)
    left, right = max(ax, bx), min(ax + aw, bx + bw)
    if bottom - top > _EPS:  # side by side
        lo, hi = (ax + aw, bx) if ax < bx else (bx + bw, ax)
        if _EPS < hi - lo <= most:
            return lo, top, hi - lo, bottom - top
    elif right - left > _EPS:  # one above the other
        lo, hi = (ay + ah, by) if ay < by else (by + bh, ay)
        if _EPS < hi - lo <= most:
            return left, lo, right - left, hi - lo
    return None


@dataclass(frozen=True, slots=True)
class EmptyArea:
    """A page's largest hole and the region holding most of it ('' when none does)."""

    side: str
    hole: Hole
    region: str


def empty_areas(
    sheet: TypesetSheet, layout: Layout, drawn: Sequence[Sequence[Drawn]]
) -> list[EmptyArea]:
    """Each page's largest hole with both sides at least `fit.min_empty_side_mm`, in the
    body of the regions that hold text; only what was drawn (text, pictures, the imprint,
    the header's texts) fills it.

    The body is the regions' boxes as the layout draws them, not as placed: a box that
    ends where its text ends leaves the rest of its place white, and that white counts.
    A stack's regions move within the stack, whose place the drawn boxes cover."""
    out = []
    for tpage, page_drawn in zip(sheet.pages, drawn, strict=True):
        lpage: Page = getattr(layout.pages, tpage.side)
        regions = tuple(
            (d.region, _drawn_box(lpage.regions[d.region]))
            for d in page_drawn
            if d.what == "region"
        )
        body = page_body([box for _, box in regions], lpage.decorations)
        taken = tuple(d.box for d in page_drawn if d.what != "region")
        hole = _hole(tuple(body), taken, layout.fit.min_empty_side_mm)
        out.append(EmptyArea(tpage.side, hole, _most_of(hole, regions)))
    return out


def empty_area_warnings(
    sheet: TypesetSheet, layout: Layout, layout_path: str, drawn: Sequence[Sequence[Drawn]]
) -> list[str]:
    """A warning for each page whose largest hole is over the layout's `fit.max_empty_cm2`."""
    limit = layout.fit.max_empty_cm2
    return [
        f"{sheet.sheet} ({sheet.lang}) {e.side}: an empty area of {h.area_cm2:.0f} cm² "
        f"({h.w_mm:.0f} × {h.h_mm:.0f} mm at {h.x_mm:.0f}, {h.y_mm:.0f} mm) "
        f"{f'in region {e.region!r}' if e.region else 'between regions'}, more than the "
        f"layout allows ({limit:g} cm², fit.max_empty_cm2 in {layout_path})"
        for e in empty_areas(sheet, layout, drawn)
        if (h := e.hole).area_cm2 > limit
    ]


# The same page drawn for another profile (office, screen, print) is measured once: the
# key is what was drawn, so a page that differs in anything is measured again.
@functools.lru_cache(maxsize=64)
def _hole(body: tuple[Rect, ...], taken: tuple[Rect, ...], min_side_mm: float) -> Hole:
    return largest_hole(body, taken, min_side_mm=min_side_mm)


def _drawn_box(r: Region) -> Rect:
    return r.x_mm, r.y_mm, r.w_mm, r.h_mm


def _most_of(hole: Hole, regions: Iterable[tuple[str, Rect]]) -> str:
    """The region that holds most of `hole`'s area, '' when none holds any."""
    best, name = 0.0, ""
    for rname, box in regions:
        if (a := _shared_area(hole.box, box)) > best:
            best, name = a, rname
    return name


def _shared_area(a: Rect, b: Rect) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0
