"""Readable colours: WCAG 2.1 contrast of every text against what lies beneath it.

Input: the catalogue's layouts, and its sheets with their source-language blocks (they
say which blocks go where, hence which styles each region really uses). Output:
problems naming the layout style, the colours and the ratio. Text is "large" (3:1
suffices) from 18 pt, or 14 pt in a bold or black face, at the smallest size its range
allows; else 4.5:1.
Colours are compared as the screen shows them: the palette's CMYK converted to
sRGB through the shipped ICC profile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from fiche.core.colour import cmyk_to_rgb
from fiche.core.errors import Problem
from fiche.model.content import SheetDef
from fiche.model.kinds import BlockModel, KindError, kind
from fiche.model.layout import CircleDecoration, Layout, RectDecoration, Region, TextDecoration
from fiche.model.source import Source


def _luminance(rgb: tuple[float, float, float]) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _beneath(layout: Layout, page, x_mm: float, y_mm: float) -> str | None:
    """The palette colour of the last shape drawn under a point, if any."""
    found = None
    for d in page.decorations:
        inside_rect = (
            isinstance(d, RectDecoration)
            and d.x_mm <= x_mm <= d.x_mm + d.w_mm
            and d.y_mm <= y_mm <= d.y_mm + d.h_mm
        )
        inside_circle = (
            isinstance(d, CircleDecoration)
            and (x_mm - d.x_mm) ** 2 + (y_mm - d.y_mm) ** 2 <= d.r_mm**2
        )
        if inside_rect or inside_circle:
            found = d.fill
    return found


def _region_background(layout: Layout, page, region: Region) -> str | None:
    return region.fill or _beneath(
        layout, page, region.x_mm + region.w_mm / 2, region.y_mm + region.h_mm / 2
    )


def contrast_problems(
    layouts: Mapping[str, Layout],
    layout_srcs: Mapping[str, Source],
    sheets: Iterable[tuple[SheetDef, Mapping[str, BlockModel]]],
    icc: Path,
) -> dict[str, list[Problem]]:
    """Every text style of every sheet (with the blocks of its source language),
    checked against the colour beneath it through the ICC profile `icc`; the problems
    by the name of the layout they make unreadable."""
    problems: dict[tuple, Problem] = {}
    for sd, blocks in sheets:
        layout = layouts.get(sd.layout)
        src = layout_srcs.get(sd.layout)
        if layout is None or src is None:
            continue
        for side, page in layout.pages.sides():
            for region_name, ids in (getattr(sd, side) or {}).items():
                region = page.regions.get(region_name)
                if region is None:
                    continue
                ground = _region_background(layout, page, region)
                for style, over in _styles_of(layout, region, [blocks.get(b) for b in ids]):
                    loc: tuple[str | int, ...] = ("pages", side, "regions", region_name)
                    _check(layout, src, icc, style, over or ground, loc=loc, problems=problems)
            for i, d in enumerate(page.decorations):
                if isinstance(d, TextDecoration):
                    ground = _beneath(layout, page, d.x_mm, d.y_mm - 1)
                    loc = ("pages", side, "decorations", i)
                    _check(layout, src, icc, d.style, ground, loc=loc, problems=problems)
            if page.imprint is not None:
                for style in ("imprint", "imprint-title"):
                    loc = ("pages", side, "imprint")
                    _check(layout, src, icc, style, page.imprint.fill, loc=loc, problems=problems)
    names = {src.path: name for name, src in layout_srcs.items()}
    out: dict[str, list[Problem]] = {}
    for (path, *_), problem in sorted(problems.items()):
        out.setdefault(names.get(path, path), []).append(problem)
    return out


def _styles_of(layout: Layout, region: Region, blocks: list) -> list[tuple[str, str | None]]:
    """(style, colour beneath when not the region's own) for the blocks of a region."""
    out: list[tuple[str, str | None]] = []
    for b in blocks:
        if b is None:
            continue
        k = kind(b.kind)
        names = k.styles(b, layout.look)
        for role, _ in names:
            # Every layout defines the roles a kind declares (the layout check): a role
            # it did not declare could be missing, and go unchecked here.
            if role not in k.roles:
                where = f"block kind {type(k).__module__}.{type(k).__qualname__}"
                raise KindError(f"{where}: styles gave role '{role}', which is not in its roles")
        out += [(region.styles.get(role, role), over) for role, over in names]
    return list(dict.fromkeys(out))


def _check(
    layout: Layout,
    src,
    icc: Path,
    style_name: str,
    ground: str | None,
    *,
    loc: tuple,
    problems: dict,
) -> None:
    """Add to `problems` if `style_name` on `ground` (None: paper) is too faint to read;
    `src` is the layout's source, for the line of the style's colour."""
    style = layout.styles.get(style_name)
    if style is None:  # the layout check reports it, at the layout's `styles`
        return
    fg = cmyk_to_rgb(tuple(layout.palette[style.color].cmyk), icc)
    bg = cmyk_to_rgb(tuple(layout.palette[ground].cmyk), icc) if ground else (1.0, 1.0, 1.0)
    size = style.size_range[0]
    face = (layout.fonts[style.font].regular or "").lower()
    bold = "bold" in face or "black" in face
    large = size >= 18 or (size >= 14 and bold)
    need = 3.0 if large else 4.5
    ratio = contrast(fg, bg)
    if ratio + 1e-9 < need:
        # "" for the paper: keys are sorted, and None does not compare with a colour's name.
        key = (src.path, style_name, ground or "")
        mark = src.where(("styles", style_name, "color"))
        problems[key] = Problem(
            mark.path,
            mark.line,
            mark.col,
            f"styles.{style_name}.color",
            f"'{style.color}' on '{ground or 'paper'}' has a contrast of {ratio:.2f}:1; "
            f"{'large' if large else 'body'} text needs {need:g}:1 (WCAG 2.1), at "
            f"{size:g} pt in {'.'.join(str(x) for x in loc)}",
        )
