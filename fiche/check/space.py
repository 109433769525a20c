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

`page_body` says what the body of a layout's page is: its text regions, without the
header band and the gutters between regions closed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fiche.model.layout import Page, RectDecoration, Region

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
    for r, row in enumerate(grid):
        for c in range(cols):
            heights[c] = heights[c] + 1 if row[c] else 0
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


def page_body(page: Page, bridge_mm: float = 10.0) -> list[Rect]:
    """The body of a layout's page: its text regions, without those in the header band
    (the title set in a band at the top of the page is furniture), and the gaps of at
    most `bridge_mm` between two regions side by side or one above the other closed: a
    gutter between a column and a panel is white space of the body too. The margins
    and the imprint (a school's contact block or its lines to write on) are not body."""
    bands = [d for d in page.decorations if isinstance(d, RectDecoration) and _at_top(d)]
    regions = [r for r in page.regions.values() if not any(_centre_in(r, b) for b in bands)]
    body: list[Rect] = [(r.x_mm, r.y_mm, r.w_mm, r.h_mm) for r in regions]
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


def _at_top(d: RectDecoration) -> bool:
    return d.y_mm <= 0 or "top" in d.bleed


def _centre_in(r: Region, d: RectDecoration) -> bool:
    cx, cy = r.x_mm + r.w_mm / 2, r.y_mm + r.h_mm / 2
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
