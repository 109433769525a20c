"""Layout definitions: page geometry, fonts, palette, text styles, and per page
the decorations and the regions that content flows into.

Input: a layout `Source` (after `extends` has been merged in `catalog`).
Output: a frozen `Layout`. Coordinates are millimetres from the top-left corner
of the trimmed page, as a designer measures them; `render` converts to
ReportLab's bottom-left points.

A layout is drawn left to right. For a right-to-left job (`direction: rtl` in the
layout, or a right-to-left language) `for_direction` gives it mirrored, once: every
region, decoration and the imprint at x → width − x, header texts aligned the other
way. What is left to the engine is what a layout does not place: columns filled from
the right, markers and badges right of their text, text aligned to the right.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from fiche.core.errors import LayoutError, Problem
from fiche.model.kinds import roles
from fiche.model.languages import known_languages, rules_for, unknown_language
from fiche.model.legibility import MIN_X_HEIGHT_DEG, RUNNING_TEXT, font_x_height, least_size_pt
from fiche.model.source import Source
from fiche.model.templates import check_template
from fiche.model.validation import Model, PatternHint, validate

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
NEW_COLOUR = "`name: {cmyk: [c, m, y, k]}`"


def _palette_names(data: Any) -> list[str]:
    palette = data.get("palette") if isinstance(data, dict) else None
    return sorted(palette) if isinstance(palette, dict) else []


def _not_a_colour_name(value: Any, data: Any) -> str:
    names = _palette_names(data)
    listed = f" ({', '.join(names)})" if names else ""
    return (
        f"{value!r} is not a colour name: name a colour of the palette{listed}, "
        f"or add one to the palette as {NEW_COLOUR}"
    )


# A palette colour's name wherever a colour is used (styles, look, decorations, fills).
ColourName = Annotated[
    str, StringConstraints(pattern=NAME_PATTERN), PatternHint(_not_a_colour_name)
]
Percent = Annotated[float, Field(ge=0, le=100)]
Mm = Annotated[float, Field(ge=-50, le=1000)]
PositiveMm = Annotated[float, Field(gt=0, le=1000)]
Edge = Literal["top", "bottom", "left", "right"]
Direction = Literal["ltr", "rtl"]

# The styles the page itself is drawn with, whatever its blocks: the imprint's, and
# `body` (the size a fitted page reports, the canvas's initial font). The block kinds
# add the roles they set text in (`fiche.model.kinds.roles`).
PAGE_STYLES = ("body", "imprint", "imprint-title")


def required_styles() -> tuple[str, ...]:
    """The styles every layout defines: the block kinds' roles, then the page's own."""
    return tuple(dict.fromkeys((*roles(), *PAGE_STYLES)))


class PageGeometry(Model):
    width_mm: PositiveMm = 210.0
    height_mm: PositiveMm = 297.0
    bleed_mm: Annotated[float, Field(ge=0, le=20)] = 3.0


class FontFamily(Model):
    """Font files (in assets/fonts) of one family; missing faces fall back to regular."""

    regular: str
    bold: str | None = None
    italic: str | None = None
    bold_italic: str | None = None


class Colour(Model):
    """A process colour in CMYK percentages; the print file uses these numbers as given."""

    expected: ClassVar[str] = "a CMYK colour, {cmyk: [c, m, y, k]} in percent (0–100)"
    cmyk: Annotated[list[Percent], Field(min_length=4, max_length=4)]


def check_sizes(v: float | list[float]) -> float | list[float]:
    lo, hi = (v, v) if isinstance(v, float | int) else v
    if not 4 <= lo <= hi <= 200:
        raise ValueError("sizes must be between 4 and 200 pt, smallest first")
    return v


class Style(Model):
    font: Name
    size_pt: float | Annotated[list[float], Field(min_length=2, max_length=2)] = Field(
        description="A size, or [smallest, largest]: the renderer picks the largest that fits."
    )
    leading: Annotated[float, Field(ge=0.8, le=3)] = 1.25
    color: ColourName = "ink"
    align: Literal["left", "justify", "center", "right"] = "left"
    space_before_pt: Annotated[float, Field(ge=0, le=100)] = 0.0
    space_after_pt: Annotated[float, Field(ge=0, le=100)] = 0.0
    indent_mm: Annotated[float, Field(ge=0, le=50)] = 0.0
    hyphenate: bool = True

    @field_validator("size_pt")
    @classmethod
    def _sizes(cls, v: float | list[float]) -> float | list[float]:
        return check_sizes(v)

    @property
    def size_range(self) -> tuple[float, float]:
        return (
            (self.size_pt, self.size_pt)
            if isinstance(self.size_pt, float | int)
            else (self.size_pt[0], self.size_pt[1])
        )


class StyleChange(Model):
    """What a language changes of a style: its letters may need another size or leading
    (Arabic descends almost half an em below the line, Latin a fifth)."""

    size_pt: float | Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    leading: Annotated[float, Field(ge=0.8, le=3)] | None = None

    @field_validator("size_pt")
    @classmethod
    def _sizes(cls, v: float | list[float] | None) -> float | list[float] | None:
        return None if v is None else check_sizes(v)


class LanguageChanges(Model):
    """What a sheet in one language changes of the layout's type. The scales apply to
    every style; a style named under `styles` takes those values as they are."""

    size_scale: Annotated[float, Field(ge=0.5, le=2)] = Field(
        default=1.0,
        description="Every style's sizes times this: a script whose letters look smaller "
        "at one point size (Arabic's Naskh beside Lato) is set larger.",
    )
    leading_scale: Annotated[float, Field(ge=0.8, le=2)] = Field(
        default=1.0,
        description="Every style's leading times this (at most 3): a script whose letters "
        "reach further above and below the line needs more room between lines.",
    )
    styles: dict[Name, StyleChange] = Field(default_factory=dict)


class RectDecoration(Model):
    kind: Literal["rect"]
    x_mm: Mm
    y_mm: Mm
    w_mm: PositiveMm
    h_mm: PositiveMm
    fill: ColourName
    radius_mm: Annotated[float, Field(ge=0, le=100)] = 0.0
    bleed: list[Edge] = Field(
        default_factory=list,
        description="Edges of the trim this shape touches; it is extended into the bleed there.",
    )


class CircleDecoration(Model):
    kind: Literal["circle"]
    x_mm: Mm
    y_mm: Mm
    r_mm: PositiveMm
    fill: ColourName


class TextDecoration(Model):
    """One line of page furniture. `text` may use {series}, {number_label}, {title}."""

    kind: Literal["text"]
    x_mm: Mm
    y_mm: Mm = Field(description="Baseline, from the top of the trim.")
    style: Name
    text: str
    align: Literal["left", "center", "right"] = "left"
    max_width_mm: PositiveMm
    case: Literal["none", "upper"] = Field(
        default="none",
        description="`upper`: the text in capitals, by the rules of the sheet's language "
        "(Turkish i becomes İ); `none`: as the content writes it.",
    )


Decoration = Annotated[
    RectDecoration | CircleDecoration | TextDecoration, Field(discriminator="kind")
]


class Region(Model):
    x_mm: Mm
    y_mm: Mm
    w_mm: PositiveMm
    h_mm: PositiveMm
    columns: Annotated[int, Field(ge=1, le=4)] = 1
    gutter_mm: Annotated[float, Field(ge=0, le=50)] = 5.0
    padding_mm: Annotated[float, Field(ge=0, le=50)] = 0.0
    fill: ColourName | None = None
    radius_mm: Annotated[float, Field(ge=0, le=50)] = 0.0
    valign: Literal["top", "middle", "bottom"] = "top"
    balance: bool = Field(default=True, description="End all columns at about the same height.")
    height: Literal["fixed", "content"] = Field(
        default="fixed",
        description="`content`: the box (and its fill) ends where its text ends, at most "
        "`h_mm` (in a stack: at most the stack's height), and what is below it in its stack "
        "moves up. `fixed`: the box is `h_mm` high (in a stack it may grow).",
    )
    scale: Literal["page", "own"] | None = Field(
        default=None,
        description="`own`: this region's styles are fitted on their own, not at the page's "
        "point of their ranges; unset: as the layout's `fit.scale` says.",
    )
    stretch: Annotated[float, Field(ge=1, le=10)] | None = Field(
        default=None,
        description="Vertical justification: the space between blocks and items may grow to "
        "this many times its natural size; 1 = never; unset: the layout's `fit.stretch`.",
    )
    styles: dict[Name, Name] = Field(
        default_factory=dict,
        description="Styles used instead of the usual ones in this region, e.g. {list: contact}.",
    )

    @model_validator(mode="after")
    def _valign_needs_room(self) -> Region:
        if self.height == "content" and self.valign != "top":
            raise ValueError(
                f"valign: {self.valign} has no room to act in a box that ends where its "
                "text ends (height: content); use one or the other"
            )
        return self


class Page(Model):
    decorations: list[Decoration] = Field(default_factory=list)
    regions: Annotated[dict[Name, Region], Field(min_length=1)]
    stacks: list[Annotated[list[Name], Field(min_length=2)]] = Field(
        default_factory=list,
        description="Regions (and `imprint`) that share a column, top to bottom: a region "
        "whose height follows its content gives what it does not use to the `fixed` regions "
        "of its stack, which grow; the stack keeps the top of its first and the bottom of its "
        "last region and the gaps drawn between them.",
    )
    imprint: Region | None = Field(
        default=None,
        description="The area kept for a school's contact person, logo and QR code, drawn "
        "on the last page (the back, or the front of a one-sided layout); without a school "
        "profile it holds a ruled space to fill in by hand. A layout without one has none.",
    )


class Pages(Model):
    front: Page
    back: Page | None = Field(
        default=None, description="The second page; a one-sided layout (a poster) has none."
    )

    def sides(self) -> tuple[tuple[str, Page], ...]:
        """The layout's pages by side name, front first."""
        return (("front", self.front),) + ((("back", self.back),) if self.back else ())

    @property
    def last(self) -> str:
        """The side the imprint is drawn on: the back, or the front of a one-sided layout."""
        return "back" if self.back else "front"


def _ratio(default: float, hi: float, description: str, lo: float = 0.0) -> Any:
    """A number that multiplies a length (a text size, a leading, the imprint's height
    or width), with its bounds."""
    return Field(default=default, ge=float(lo), le=float(hi), description=description)


# A point of a marker's shape, in shares of the list text's size from the marker's
# centre, x to the right and y upwards.
Coord = Annotated[float, Field(ge=-1, le=1)]
Point = Annotated[list[Coord], Field(min_length=2, max_length=2)]
Triangle = Annotated[list[Point], Field(min_length=3, max_length=3)]


class MarkerLook(Model):
    """List items: their markers, drawn as shapes (no glyphs) in `marker_color`, and
    their indents. Sizes are shares of the list text's size; shapes are measured from
    the marker's centre."""

    middle: float = _ratio(
        0.36,
        1,
        "Height above an item's first baseline where its marker or badge is centred: "
        "about half the height of the digits, so that a number centred there sits on "
        "the baseline.",
    )
    text_gap: float = _ratio(
        0.65,
        3,
        "From a marker's centre to the start of the item's text: half the marker and a word space.",
    )
    min_indent: float = _ratio(
        1.25,
        5,
        "Least indent of a list item whatever `list_indent_mm` says: room for the "
        "marker and a word space at the largest size of the range.",
    )
    nested_indent: float = _ratio(
        2.0,
        4,
        "Indent of an item of a nested list (marked with a dash), in indents of its list.",
        lo=1.0,
    )
    stroke: float = _ratio(0.11, 0.5, "Line width of the dash and the check mark.")
    bullet_radius: float = _ratio(0.17, 0.5, "Radius of the bullet, a filled disc.")
    dash_half_width: float = _ratio(0.2, 1, "Half the length of the dash.")
    check: Triangle = Field(
        default=[[-0.28, 0.02], [-0.08, -0.2], [0.3, 0.25]],
        description="The check mark's stroke through three points [x, y]: left end, "
        "bottom, right end (x to the right, y upwards).",
    )
    plus_stroke: float = _ratio(0.13, 0.5, "Line width of the plus and minus bars.")
    plus_half_width: float = _ratio(0.24, 1, "Half the length of each plus or minus bar.")
    arrow: Triangle = Field(
        default=[[-0.18, 0.22], [0.22, 0.0], [-0.18, -0.22]],
        description="The arrow, a filled triangle through three points [x, y]: top, "
        "tip, bottom (x to the right, y upwards).",
    )


class BadgeLook(Model):
    """The numbered discs of tips: `badge_fill` behind a number in the `badge` style."""

    radius: float = _ratio(0.85, 3, "Radius of the disc, as a share of the badge style's size.")
    number_middle: float = _ratio(
        0.36,
        1,
        "Height of the middle of the digits above their baseline, as a share of the "
        "badge style's size: the number is centred on the disc there.",
    )
    text_gap_mm: float = Field(
        default=2.0,
        ge=0,
        le=20,
        description="Least space between the disc and the tip's text, when the disc is "
        "too wide for `tip_indent_mm`.",
    )


class ImageLook(Model):
    """Pictures in the text (image blocks)."""

    space_after_pt: float = Field(default=4.0, ge=0, le=100, description="Space below a picture.")


class ImprintLook(Model):
    """The school's imprint on the back page: logo, contact lines and QR code, or, without
    a school profile, lines to write on."""

    gap_mm: float = Field(
        default=3.0,
        ge=0,
        le=30,
        description="Space between the logo, the contact lines and the QR code.",
    )
    logo_max_aspect: float = _ratio(
        2.5,
        10,
        "A logo is at most this many times as wide as the imprint is high (inside its padding).",
        lo=0.1,
    )
    logo_max_share: float = _ratio(
        0.25, 1, "A logo takes at most this share of the imprint's width.", lo=0.01
    )
    qr_quiet_zone: int = Field(
        default=2,
        ge=0,
        le=8,
        description="Light margin around the QR code, in modules (its small squares).",
    )
    rule_width_pt: float = Field(
        default=0.4, ge=0.1, le=5, description="Line width of the lines to write on."
    )
    rule_spacing: float = _ratio(
        1.5,
        5,
        "Distance between the lines to write on, in leadings of the `imprint` style.",
        lo=0.5,
    )
    rule_top: float = _ratio(
        0.4,
        5,
        "Space between the last printed line and the ruled space below it, in leadings "
        "of the `imprint` style.",
    )
    field_font_pt: int = Field(
        default=9,
        ge=6,
        le=24,
        description="Size of the text typed into the field over the lines, in a PDF "
        "viewer (a whole number of points).",
    )


class Look(Model):
    """How block kinds are drawn beyond their text styles (colours from the palette)."""

    callout_fill: ColourName
    callout_padding_mm: Annotated[float, Field(ge=0, le=20)] = 3.0
    callout_radius_mm: Annotated[float, Field(ge=0, le=20)] = 2.0
    badge_fill: ColourName
    badge_text: ColourName
    marker_color: ColourName
    list_indent_mm: Annotated[float, Field(ge=1, le=30)] = 4.5
    tip_indent_mm: Annotated[float, Field(ge=1, le=30)] = 8.0
    markers: MarkerLook = Field(default_factory=MarkerLook)
    badge: BadgeLook = Field(default_factory=BadgeLook)
    image: ImageLook = Field(default_factory=ImageLook)
    imprint: ImprintLook = Field(default_factory=ImprintLook)


class Fit(Model):
    """How a page is fitted to its text, and when what is left white is too much."""

    scale: Literal["page", "region"] = Field(
        default="page",
        description="`page`: every style of a page is set at the same point of its size "
        "range, so the page stays even; `region`: each region is fitted on its own.",
    )
    pages: Literal["apart", "together"] = Field(
        default="apart",
        description="`apart`: each page is fitted on its own, as large as its text allows; "
        "`together`: every page of a sheet at the smallest point of the ranges any page "
        "needs, so that both sides of a card are set alike.",
    )
    stretch: float = Field(
        default=2.5,
        ge=1,
        le=10,
        description="Vertical justification: when the type has reached the top of its "
        "ranges, the space between blocks and items may grow to this many times its "
        "natural size so that a column ends at the foot of its region; 1 = never.",
    )
    max_empty_cm2: float = Field(
        default=40.0,
        ge=0,
        le=10000,
        description="A page whose body keeps an empty area larger than this (with both "
        "sides longer than `min_empty_side_mm`) gets a warning, a failure with --strict.",
    )
    min_empty_side_mm: float = Field(
        default=20.0,
        ge=0,
        le=1000,
        description="An empty area counts only when both its sides are at least this long.",
    )


TEMPLATE_FIELDS = ("series", "number_label")
MIN_COLUMN_MM = 15.0


class Layout(Model):
    extends: Annotated[str, StringConstraints(pattern=r"^_?[a-z0-9][a-z0-9-]*$")] | None = Field(
        default=None, description="A layout to start from; `_name` files are partial bases."
    )
    description: str = ""
    direction: Direction | None = Field(
        default=None,
        description="`ltr`: drawn as measured here, left to right; `rtl`: mirrored for "
        "right-to-left reading (regions, columns, header texts, imprint and list markers at "
        "x → width − x, text aligned to the right); unset: as the sheet's language is "
        "written (Arabic right to left, the others left to right).",
    )
    page: PageGeometry = Field(default_factory=PageGeometry)
    min_body_pt: Annotated[float, Field(ge=9, le=30)] = Field(
        default=9.0, description="Body text never gets smaller than this, and never under 9 pt."
    )
    fonts: Annotated[dict[Name, FontFamily], Field(min_length=1)]
    languages: dict[str, LanguageChanges] = Field(
        default_factory=dict,
        description="Per language code, what a sheet in that language changes of the "
        "styles (size_pt, leading), e.g. a smaller title for Arabic, whose letters "
        "descend further.",
    )
    language_fonts: dict[str, Name] = Field(
        default_factory=dict,
        description="The family that sets a language's own letters, by language code "
        "(ar: an Arabic family); every style keeps its own family for the characters "
        "that family lacks (Latin names, brackets, @), at the style's weight.",
    )
    palette: Annotated[dict[Name, Colour], Field(min_length=1)]
    styles: dict[Name, Style]
    look: Look
    fit: Fit = Field(default_factory=Fit)
    reading_distance_m: Annotated[float, Field(gt=0, le=100)] = Field(
        default=0.4,
        description="How far the page is read from, in metres: 0.4 for a sheet in the hand, "
        "2 for a poster on a wall. The running text (body, list, tip, callout, and the "
        "styles regions use for them) must be large enough to read from there: its "
        "x-height at least 0.2° of visual angle, Legge & Bigelow's critical print size "
        "(about 8 pt of Lato at 0.4 m, 39 pt at 2 m).",
    )
    pages: Pages

    @model_validator(mode="after")
    def _body_floor(self) -> Layout:
        body = self.styles.get("body")
        if body and body.size_range[0] < self.min_body_pt:
            raise ValueError(
                f"styles.body may shrink to {body.size_range[0]} pt, below min_body_pt "
                f"{self.min_body_pt} pt"
            )
        return self


def load_layout(src: Source) -> Layout:
    """A merged layout `Source` into a `Layout`."""
    return validate(Layout, src, LayoutError)


def direction_of(layout: Layout, lang: str) -> Direction:
    """The direction a sheet in `lang` is drawn in: the layout's, if it says one, else
    the language's."""
    return layout.direction or rules_for(lang).direction


def for_language(layout: Layout, lang: str) -> Layout:
    """The layout as a sheet in `lang` is set with it: its styles as the layout's
    `languages` changes them for `lang`, its pages mirrored for right to left
    (`for_direction`); the very same object when neither applies."""
    changes = layout.languages.get(lang)
    if changes is not None:
        styles = {name: _changed(st, changes, name) for name, st in layout.styles.items()}
        layout = layout.model_copy(update={"styles": styles})
    return for_direction(layout, lang)


def _changed(st: Style, changes: LanguageChanges, name: str) -> Style:
    k = changes.size_scale
    update: dict[str, Any] = {
        "size_pt": round(st.size_pt * k, 2)
        if isinstance(st.size_pt, float | int)
        else [round(v * k, 2) for v in st.size_pt],
        "leading": min(3.0, st.leading * changes.leading_scale),
    }
    own = changes.styles.get(name)
    if own is not None:
        update |= {k: v for k, v in own.model_dump().items() if v is not None}
    return st.model_copy(update=update)


def for_direction(layout: Layout, lang: str) -> Layout:
    """The layout as a sheet in `lang` is drawn with it: as written, or mirrored for
    right to left (`direction` then says `rtl`). The one place where a page's geometry
    is mirrored; a left-to-right job gets the very same object."""
    if direction_of(layout, lang) == "ltr":
        return layout
    width = layout.page.width_mm
    pages = layout.pages.model_copy(
        update={side: _mirrored_page(page, width) for side, page in layout.pages.sides()}
    )
    # The arrow points towards its item's text, which now lies to its left; a check
    # mark is not a direction and stays as drawn.
    m = layout.look.markers
    markers = m.model_copy(update={"arrow": [[-x, y] for x, y in m.arrow]})
    look = layout.look.model_copy(update={"markers": markers})
    return layout.model_copy(update={"direction": "rtl", "pages": pages, "look": look})


_OTHER_SIDE: dict[str, Any] = {"left": "right", "right": "left"}


def _mirrored_page(page: Page, width: float) -> Page:
    """`page` with every box, shape and header text at x → `width` − x."""
    regions = {name: _mirrored_box(r, width) for name, r in page.regions.items()}
    imprint = _mirrored_box(page.imprint, width) if page.imprint else None
    decorations = [_mirrored_decoration(d, width) for d in page.decorations]
    return page.model_copy(
        update={"regions": regions, "imprint": imprint, "decorations": decorations}
    )


def _mirrored_box(r: Region, width: float) -> Region:
    return r.model_copy(update={"x_mm": width - r.x_mm - r.w_mm})


def _mirrored_decoration(d: Decoration, width: float) -> Decoration:
    if isinstance(d, RectDecoration):
        bleed = [_OTHER_SIDE.get(edge, edge) for edge in d.bleed]
        return d.model_copy(update={"x_mm": width - d.x_mm - d.w_mm, "bleed": bleed})
    if isinstance(d, CircleDecoration):
        return d.model_copy(update={"x_mm": width - d.x_mm})
    # a text's anchor: its start, now at its right, or its end, now at its left
    return d.model_copy(update={"x_mm": width - d.x_mm, "align": _OTHER_SIDE.get(d.align, d.align)})


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    """`unknown colour 'pnik' (did you mean 'pink'?); the palette has: …`."""
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    where = {"colour": "the palette has", "font": "fonts", "style": "styles"}[what]
    return f"unknown {what} '{name}'{hint}; {where}: {', '.join(names)}"


def _unknown_colour(name: str, palette: Iterable[str]) -> str:
    return f"{_unknown('colour', name, palette)} (a new colour goes there as {NEW_COLOUR})"


def _column_problems(src: Source, loc: tuple, r: Region) -> list[Problem]:
    """Each column, not the region, must be wide enough for a line of text."""
    column_w = (r.w_mm - 2 * r.padding_mm - (r.columns - 1) * r.gutter_mm) / r.columns
    if column_w >= MIN_COLUMN_MM:
        return []
    if column_w <= 0:
        why = "padding and gutters take the whole width"
    else:
        why = f"columns are only {column_w:.1f} mm wide (at least {MIN_COLUMN_MM:g} mm)"
    return [src.problem(loc, f"{why}; widen the region or use fewer columns")]


def layout_links(layout: Layout, src: Source, font_files: dict[str, str | None]) -> list[Problem]:
    """Problems in the references inside one layout (fonts, colours, styles, geometry).

    `font_files` maps the files in assets/fonts to None, or to why they cannot be used.
    """
    return [
        *_font_problems(layout, src, font_files),
        *_style_problems(layout, src),
        *_look_problems(layout, src),
        *(p for side, _ in layout.pages.sides() for p in _page_problems(layout, src, side)),
    ]


def legibility_problems(
    layout: Layout, src: Source, fonts_dir: Path, font_files: dict[str, str | None]
) -> list[Problem]:
    """Each style running text is set in is large enough to read from the layout's
    `reading_distance_m`: its smallest size gives its font's x-height the criterion's
    visual angle (`fiche.model.legibility`). Fonts that cannot be used are reported
    by `layout_links`, not here."""
    names = dict.fromkeys(RUNNING_TEXT)
    for _, page in layout.pages.sides():
        for r in [*page.regions.values(), *([page.imprint] if page.imprint else [])]:
            names.update(dict.fromkeys(r.styles[role] for role in RUNNING_TEXT if role in r.styles))
    distance = layout.reading_distance_m
    problems = []
    for name in names:
        st = layout.styles.get(name)
        family = layout.fonts.get(st.font) if st else None
        if st is None or family is None or font_files.get(family.regular, "missing"):
            continue
        try:
            x_height, font_name = font_x_height(fonts_dir / family.regular)
        except ValueError as e:
            problems.append(
                src.problem(("fonts", st.font, "regular"), f"font file '{family.regular}' {e}")
            )
            continue
        need = math.ceil(least_size_pt(distance, x_height) * 10) / 10
        smallest = st.size_range[0]
        if smallest < need:
            problems.append(
                src.problem(
                    ("styles", name, "size_pt"),
                    f"{smallest:g} pt is too small to read from {distance:g} m; at least "
                    f"{need:.1f} pt (x-height {MIN_X_HEIGHT_DEG:g}° at {distance:g} m, "
                    f"{font_name})",
                )
            )
    return problems


def _font_problems(layout: Layout, src: Source, font_files: dict[str, str | None]) -> list[Problem]:
    """Each face names a font file that is there and can be used."""
    problems = []
    available = f" (available: {', '.join(sorted(font_files))})" if font_files else ""
    for fam, spec in layout.fonts.items():
        for face in ("regular", "bold", "italic", "bold_italic"):
            f = getattr(spec, face)
            if f is None:
                continue
            loc = ("fonts", fam, face)
            if f not in font_files:
                problems.append(
                    src.problem(loc, f"font file '{f}' not found in assets/fonts{available}")
                )
            elif font_files[f]:
                problems.append(src.problem(loc, f"font file '{f}' {font_files[f]}"))
    return problems


def _style_problems(layout: Layout, src: Source) -> list[Problem]:
    """Every style a block kind needs is there, and each names a known font and colour."""
    required = required_styles()
    problems = [
        src.problem(
            ("styles",),
            f"style '{name}' is missing (every layout needs: {', '.join(required)})",
        )
        for name in required
        if name not in layout.styles
    ]
    for lang, changes in layout.languages.items():
        if lang not in known_languages():
            problems.append(src.problem(("languages", lang), unknown_language(lang)))
        for name in changes.styles:
            if name not in layout.styles:
                problems.append(
                    src.problem(
                        ("languages", lang, "styles", name), _unknown("style", name, layout.styles)
                    )
                )
    for lang, name in layout.language_fonts.items():
        if lang not in known_languages():
            problems.append(src.problem(("language_fonts", lang), unknown_language(lang)))
        if name not in layout.fonts:
            problems.append(
                src.problem(("language_fonts", lang), _unknown("font", name, layout.fonts))
            )
    for name, st in layout.styles.items():
        if st.font not in layout.fonts:
            problems.append(
                src.problem(("styles", name, "font"), _unknown("font", st.font, layout.fonts))
            )
        if st.color not in layout.palette:
            problems.append(
                src.problem(("styles", name, "color"), _unknown_colour(st.color, layout.palette))
            )
    return problems


def _look_problems(layout: Layout, src: Source) -> list[Problem]:
    return [
        src.problem(("look", key), _unknown_colour(getattr(layout.look, key), layout.palette))
        for key in ("callout_fill", "badge_fill", "badge_text", "marker_color")
        if getattr(layout.look, key) not in layout.palette
    ]


def _page_problems(layout: Layout, src: Source, pname: str) -> list[Problem]:
    """A page's decorations and regions; every region, the imprint too, checked alike."""
    page: Page = getattr(layout.pages, pname)
    problems = _decoration_problems(layout, src, pname, page)
    named: list[tuple[str, tuple, Region]] = [
        (rname, ("pages", pname, "regions", rname), r) for rname, r in page.regions.items()
    ]
    if page.imprint is not None:
        named.append(("imprint", ("pages", pname, "imprint"), page.imprint))
        last = layout.pages.last
        if pname != last:
            problems.append(
                src.problem(
                    ("pages", pname, "imprint"),
                    f"the imprint is drawn on the last page ({last}) only: move it there",
                )
            )
    seen: list[tuple[str, Region]] = []
    for rname, loc, r in named:
        problems += _region_problems(layout, src, loc, r)
        problems += [
            src.problem(loc, f"region overlaps region '{other}'")
            for other, o in seen
            if _overlap(r, o)
        ]
        seen.append((rname, r))
    return problems + _stack_problems(src, pname, page) + _shape_problems(src, pname, page)


def _stack_problems(src: Source, pname: str, page: Page) -> list[Problem]:
    """Each stack names known regions, each once, top to bottom, in one column."""
    problems = []
    boxes: dict[str, Region] = dict(page.regions)
    if page.imprint is not None:
        boxes["imprint"] = page.imprint
    used: set[str] = set()
    for i, stack in enumerate(page.stacks):
        loc = ("pages", pname, "stacks", i)
        unknown = [n for n in stack if n not in boxes]
        if unknown:
            problems.append(
                src.problem(
                    loc,
                    f"unknown region '{unknown[0]}' in a stack (regions: {', '.join(boxes)})",
                )
            )
            continue
        twice = [n for n in stack if n in used or stack.count(n) > 1]
        if twice:
            problems.append(src.problem(loc, f"region '{twice[0]}' is in more than one stack"))
        used.update(stack)
        for upper, lower in zip(stack, stack[1:], strict=False):
            a, b = boxes[upper], boxes[lower]
            if b.y_mm < a.y_mm + a.h_mm - 1e-6:
                problems.append(
                    src.problem(loc, f"region '{lower}' must lie below '{upper}' in a stack")
                )
            elif b.x_mm >= a.x_mm + a.w_mm or a.x_mm >= b.x_mm + b.w_mm:
                problems.append(
                    src.problem(loc, f"regions '{upper}' and '{lower}' of a stack share no column")
                )
    return problems


def _shape_problems(src: Source, pname: str, page: Page) -> list[Problem]:
    """A region (the imprint too) lies wholly on a shape or off it: a rectangle under the
    whole region is its background, one under a part of it, or a circle, is what its
    text would run into (whether it does depends on the text; this depends on no text)."""
    boxes: dict[str, Region] = dict(page.regions)
    if page.imprint is not None:
        boxes["imprint"] = page.imprint
    problems = []
    for rname, r in boxes.items():
        loc = (
            ("pages", pname, "imprint")
            if rname == "imprint"
            else ("pages", pname, "regions", rname)
        )
        for i, d in enumerate(page.decorations):
            if isinstance(d, RectDecoration):
                shape = "rectangle"
                partly = _overlap(r, d) and not _holds(d, r)
            elif isinstance(d, CircleDecoration):
                shape = "circle"
                partly = _into_circle(r, d) > 0.01 and not _in_circle(r, d)
            else:
                continue
            if partly:
                mark = src.where(("pages", pname, "decorations", i))
                problems.append(
                    src.problem(
                        loc,
                        f"region '{rname}' lies partly on the {shape} decoration "
                        f"pages.{pname}.decorations[{i}] ({mark.path}:{mark.line}): its text "
                        f"would run into it; put the region wholly on the shape or off it",
                    )
                )
    return problems


def _holds(d: RectDecoration, r: Region) -> bool:
    eps = 1e-6
    return (
        d.x_mm - eps <= r.x_mm
        and d.y_mm - eps <= r.y_mm
        and r.x_mm + r.w_mm <= d.x_mm + d.w_mm + eps
        and r.y_mm + r.h_mm <= d.y_mm + d.h_mm + eps
    )


def _into_circle(r: Region, c: CircleDecoration) -> float:
    """How far (mm) the region reaches into the circle; <= 0 when apart."""
    nx = min(max(c.x_mm, r.x_mm), r.x_mm + r.w_mm)
    ny = min(max(c.y_mm, r.y_mm), r.y_mm + r.h_mm)
    return c.r_mm - math.hypot(c.x_mm - nx, c.y_mm - ny)


def _in_circle(r: Region, c: CircleDecoration) -> bool:
    return all(
        math.hypot(x - c.x_mm, y - c.y_mm) <= c.r_mm
        for x in (r.x_mm, r.x_mm + r.w_mm)
        for y in (r.y_mm, r.y_mm + r.h_mm)
    )


def _decoration_problems(layout: Layout, src: Source, pname: str, page: Page) -> list[Problem]:
    problems = []
    for i, d in enumerate(page.decorations):
        loc = ("pages", pname, "decorations", i)
        if isinstance(d, RectDecoration | CircleDecoration) and d.fill not in layout.palette:
            problems.append(src.problem((*loc, "fill"), _unknown_colour(d.fill, layout.palette)))
        if isinstance(d, TextDecoration):
            if d.style not in layout.styles:
                problems.append(
                    src.problem((*loc, "style"), _unknown("style", d.style, layout.styles))
                )
            try:
                check_template(d.text, TEMPLATE_FIELDS)
            except ValueError as e:
                problems.append(src.problem((*loc, "text"), str(e)))
    return problems


def _region_problems(layout: Layout, src: Source, loc: tuple, r: Region) -> list[Problem]:
    """One region's style roles and fill, and whether it lies on the page with room for text."""
    problems = []
    known = required_styles()
    for role, style in r.styles.items():
        if role not in known:
            problems.append(
                src.problem(
                    (*loc, "styles", role),
                    f"'{role}' is not a style role (roles: {', '.join(known)})",
                    key=True,
                )
            )
        elif style not in layout.styles:
            problems.append(
                src.problem((*loc, "styles", role), _unknown("style", style, layout.styles))
            )
    if r.fill and r.fill not in layout.palette:
        problems.append(src.problem((*loc, "fill"), _unknown_colour(r.fill, layout.palette)))
    g = layout.page
    if (
        r.x_mm < 0
        or r.y_mm < 0
        or r.x_mm + r.w_mm > g.width_mm + 1e-6
        or r.y_mm + r.h_mm > g.height_mm + 1e-6
    ):
        problems.append(src.problem(loc, "region lies partly outside the trimmed page"))
    return problems + _column_problems(src, loc, r)


def _overlap(r: Region, o: Region | RectDecoration) -> bool:
    return (
        r.x_mm < o.x_mm + o.w_mm
        and o.x_mm < r.x_mm + r.w_mm
        and r.y_mm < o.y_mm + o.h_mm
        and o.y_mm < r.y_mm + r.h_mm
    )
