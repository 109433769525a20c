"""Output profiles: what the paper, the marks and the colours of a PDF are.

A profile is data. The renderer and the post-processor read its fields; none
of them branches on its name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    bleed: bool  # artwork runs `layout.page.bleed_mm` past the trim
    crop_marks: bool
    slug_mm: float  # room outside the bleed for marks
    mark_offset_mm: float  # gap between the bleed edge and the start of a crop mark
    mark_length_mm: float
    mark_width_pt: float
    suffix: str  # added to the output name: n3-sexting{suffix}.pdf
    description: str


PROFILES: dict[str, Profile] = {
    "print": Profile(
        name="print",
        bleed=True,
        crop_marks=True,
        slug_mm=9.0,
        mark_offset_mm=1.0,
        mark_length_mm=6.0,
        mark_width_pt=0.25,
        suffix="",
        description="Print shop: trim + bleed, crop marks, TrimBox and BleedBox, CMYK.",
    ),
}

DEFAULT_PROFILE = "print"


@dataclass(frozen=True)
class PageBoxes:
    """Page boxes in points, origin at the media box's bottom-left corner."""

    media: tuple[float, float, float, float]
    bleed: tuple[float, float, float, float]
    trim: tuple[float, float, float, float]
    trim_origin: tuple[float, float]  # where the trim's bottom-left corner lies


MM = 72 / 25.4


def page_boxes(profile: Profile, width_mm: float, height_mm: float, bleed_mm: float) -> PageBoxes:
    bleed = bleed_mm * MM if profile.bleed else 0.0
    off = bleed + (profile.slug_mm * MM if profile.crop_marks else 0.0)
    w, h = width_mm * MM, height_mm * MM
    return PageBoxes(
        media=(0.0, 0.0, _r(w + 2 * off), _r(h + 2 * off)),
        bleed=(_r(off - bleed), _r(off - bleed), _r(off + w + bleed), _r(off + h + bleed)),
        trim=(_r(off), _r(off), _r(off + w), _r(off + h)),
        trim_origin=(off, off),
    )


def _r(v: float) -> float:
    return round(v, 3)
