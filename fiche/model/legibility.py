"""The least type size that can be read from a distance.

Input: a reading distance (m) and a font file. Output: the size (pt) at which the
font's x-height subtends `MIN_X_HEIGHT_DEG` of visual angle at that distance.

The criterion is the x-height, not the point size: at one point size a font with a
large x-height (Lato) reads bigger than one with a small x-height (Garamond). An
x-height of 0.2° is the "critical print size" of normal adult vision, the smallest
at which reading is still at full speed (Legge & Bigelow, "Does print size matter for
reading? A review of findings from vision science and typography", Journal of Vision
11(5):8, 2011); at 40 cm it is the x-height of 8–9 pt book type.
"""

from __future__ import annotations

import logging
import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

MIN_X_HEIGHT_DEG = 0.2
PT_PER_M = 72 / 0.0254
RUNNING_TEXT = ("body", "list", "tip", "callout")  # the roles a reader reads at length


def least_size_pt(distance_m: float, x_height_em: float) -> float:
    """The size (pt) whose x-height, `x_height_em` of the size, subtends the criterion's
    angle at `distance_m`."""
    x_height_m = 2 * distance_m * math.tan(math.radians(MIN_X_HEIGHT_DEG) / 2)
    return x_height_m / x_height_em * PT_PER_M


def font_x_height(path: Path) -> tuple[float, str]:
    """The font's x-height in ems and its family name, e.g. (0.5065, 'Lato').

    The OS/2 table's sxHeight, or, in an old font without it, the top of the glyph 'x'.
    Raises ValueError when the font has neither.
    """
    stat = path.stat()
    return _x_height(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _x_height(path: str, _mtime_ns: int, _size: int) -> tuple[float, str]:
    # fontTools is loaded only when layouts are checked, not by every import.
    from fontTools.ttLib import TTFont

    head_log = logging.getLogger("fontTools.ttLib.tables._h_e_a_d")
    level = head_log.level
    # Lato's 'created' date is 0; fontTools warns about it, which is not the user's concern.
    head_log.setLevel(logging.ERROR)
    try:
        return _measure(TTFont(path, lazy=True), path)
    finally:
        head_log.setLevel(level)


def _measure(font: TTFont, path: str) -> tuple[float, str]:
    with font:
        upem = font["head"].unitsPerEm
        os2 = font.get("OS/2")
        height = getattr(os2, "sxHeight", 0) if os2 is not None and os2.version >= 2 else 0
        if not height and "glyf" in font:
            glyph = (font.getBestCmap() or {}).get(ord("x"))
            if glyph is not None:
                g = font["glyf"][glyph]
                height = getattr(g, "yMax", 0)
        if not height:
            raise ValueError("gives no x-height (no OS/2 sxHeight and no glyph 'x')")
        name = font["name"].getBestFamilyName() if "name" in font else None
    return height / upem, name or Path(path).stem
