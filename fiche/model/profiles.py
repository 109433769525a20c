"""Output profiles: what the paper, the marks and the colours of a PDF are.

A profile is data. The renderer, the post-processor and the preflight read its
fields; none of them branches on its name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MM = 72 / 25.4

PAPERS = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    colour: str  # "cmyk" or "rgb"
    bleed: bool  # artwork runs `layout.page.bleed_mm` past the trim
    crop_marks: bool
    paper: str | None = None  # None: the page is the trim (plus bleed and marks)
    safe_margin_mm: float = 0.0  # nothing may be drawn closer to the paper edge
    slug_mm: float = 9.0  # room outside the bleed for marks
    mark_offset_mm: float = 1.0  # gap between the bleed edge and a crop mark
    mark_length_mm: float = 6.0
    mark_width_pt: float = 0.25
    output_intent: bool = False  # embed the CMYK ICC profile, identify as PDF/X-4
    links: bool = False  # web addresses and e-mail become clickable
    bookmarks: bool = False  # an outline of the sheet's sections
    duplex: bool = False  # ask the print dialog for long-edge duplex
    tagged: bool = False  # a structure tree for assistive technology (PDF/UA-1)
    min_image_ppi: float = 0.0  # below this a placed image is a warning

    @property
    def suffix(self) -> str:
        paper = f"-{self.paper}" if self.paper and self.paper != "a4" else ""
        return f".{self.name}{paper}"


PROFILES: dict[str, Profile] = {
    "print": Profile(
        name="print",
        colour="cmyk",
        bleed=True,
        crop_marks=True,
        output_intent=True,
        min_image_ppi=300,
        description="Print shop: trim + bleed, crop marks, TrimBox/BleedBox, CMYK, PDF/X-4.",
    ),
    "office": Profile(
        name="office",
        colour="rgb",
        bleed=False,
        crop_marks=False,
        paper="a4",
        safe_margin_mm=5.0,
        duplex=True,
        min_image_ppi=150,
        description="Office printer: A4 or Letter, design kept 5 mm from every edge, RGB.",
    ),
    "screen": Profile(
        name="screen",
        colour="rgb",
        bleed=False,
        crop_marks=False,
        links=True,
        bookmarks=True,
        tagged=True,
        description="Screen: RGB, small, clickable links, bookmarks, tagged (PDF/UA-1).",
    ),
}
PROFILE_NAMES = tuple(PROFILES)


def profile_for(name: str, paper: str | None = None) -> Profile:
    """The named profile; `paper` changes the sheet size of profiles that print on paper."""
    p = PROFILES[name]
    if paper and p.paper:
        p = replace(p, paper=paper)
    return p


@dataclass(frozen=True)
class PageBoxes:
    """Page geometry in points, origin at the media box's bottom-left corner.

    The design (trim size, in mm from its own bottom-left) is drawn at
    `trim_origin`, scaled by `scale`. `bleed` and `trim` are the boxes to write
    into the PDF, or None where the profile has none.
    """

    media: tuple[float, float, float, float]
    bleed: tuple[float, float, float, float] | None
    trim: tuple[float, float, float, float] | None
    trim_origin: tuple[float, float]
    scale: float = 1.0


def page_boxes(profile: Profile, width_mm: float, height_mm: float, bleed_mm: float) -> PageBoxes:
    w, h = width_mm * MM, height_mm * MM
    if profile.paper:
        pw, ph = (v * MM for v in PAPERS[profile.paper])
        m = (profile.safe_margin_mm + 1.0) * MM  # 1 mm to spare for paper feed tolerance
        # Shrink (never enlarge) the design into the printable area, centred, so the
        # front and the back land on the same spot when printed duplex.
        s = min(1.0, (pw - 2 * m) / w, (ph - 2 * m) / h)
        origin = ((pw - w * s) / 2, (ph - h * s) / 2)
        return PageBoxes((0.0, 0.0, _r(pw), _r(ph)), None, None, origin, s)
    bleed = bleed_mm * MM if profile.bleed else 0.0
    off = bleed + (profile.slug_mm * MM if profile.crop_marks else 0.0)
    return PageBoxes(
        media=(0.0, 0.0, _r(w + 2 * off), _r(h + 2 * off)),
        bleed=(_r(off - bleed), _r(off - bleed), _r(off + w + bleed), _r(off + h + bleed))
        if profile.bleed
        else None,
        trim=(_r(off), _r(off), _r(off + w), _r(off + h)),
        trim_origin=(off, off),
    )


def _r(v: float) -> float:
    return round(v, 3)
