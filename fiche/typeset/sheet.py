"""Content of one sheet in one language into typeset text, ready to draw.

Input: the catalog's validated models. Output: a `TypesetSheet`, plain frozen
data: every text already carries its language's typography as ReportLab
markup, the plain text a reader will extract, and the file, line and field it
came from (so later stages can name the place of a problem).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fiche.core.errors import ContentError, Problem
from fiche.model.address import check_qr_address, qr_target
from fiche.model.catalog import Catalog, Job
from fiche.model.kinds import BlockModel, kind
from fiche.model.layout import Layout, Page, Region
from fiche.model.school import LoadedSchool
from fiche.model.source import Mark, format_field
from fiche.typeset.typography import smarten, to_markup


@dataclass(frozen=True)
class Origin(Mark):
    """Where a typeset text comes from: its value's place in the file, and the field
    path a message names (`blocks.tip1.items[2]`)."""

    field: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.field}"

    def here(self, message: str) -> Problem:
        """A problem with this text, at its place and field."""
        return self.problem(self.field, message)


@dataclass(frozen=True)
class TText:
    markup: str
    plain: str
    origin: Origin


@dataclass(frozen=True)
class TItem:
    text: TText
    sub: tuple[TText, ...] = ()


@dataclass(frozen=True)
class TBlock:
    """One block as its kind (`fiche.blocks`) typesets it: the texts every stage may
    read (a message names a block by its first text); a kind subclasses it, in its own
    module, for fields of its own. Definitions put the term in `text`, meanings in `items`."""

    id: str
    kind: str
    title: TText | None = None
    text: TText | None = None
    items: tuple[TItem, ...] = ()

    def required_text(self) -> TText:
        """`text`, for the kinds whose `typeset` always sets it (paragraph, heading,
        callout, definition); its absence there is a bug, never a content error."""
        if self.text is None:
            raise AssertionError(f"block {self.id}: a {self.kind} was typeset without its text")
        return self.text


@dataclass(frozen=True)
class TRegion:
    name: str
    blocks: tuple[TBlock, ...]


@dataclass(frozen=True)
class TPage:
    side: str
    regions: tuple[TRegion, ...]


@dataclass(frozen=True)
class TImprint:
    """What the imprint region shows: a school's contact block, or a space to fill in."""

    label: TText  # e.g. "Aanspreekpunt op school:", in the sheet's language
    school: TText | None = None  # the school's name
    lines: tuple[TText, ...] = ()  # contact person, room or hours, phone and e-mail, website
    logo: str | None = None  # path of an SVG, PNG or JPEG
    qr_url: str | None = None  # the sheet's online version, for a QR code
    logo_origin: Origin | None = None  # the school file's `logo` line, for messages

    def texts(self) -> list[TText]:
        return [t for t in (self.school, *self.lines) if t] if self.school else [self.label]


@dataclass(frozen=True)
class TypesetSheet:
    fiche: str
    sheet: str
    lang: str
    layout: str
    series: str
    number: int
    number_label: TText
    series_name: TText
    title: str
    subject: str
    author: str
    pages: tuple[TPage, ...]
    imprint: TImprint | None = None

    def fields(self) -> dict[str, TText]:
        """Texts that page decorations may show, by template name."""
        return {"series": self.series_name, "number_label": self.number_label}


def typeset(cat: Catalog, job: Job, school: LoadedSchool | None = None) -> TypesetSheet:
    """The sheet of `job` with the typography of its language applied, and the imprint
    of `school` (or the space to fill in by hand when there is none)."""
    entry = cat.fiches[job.fiche]
    assert entry.defn is not None
    lf = entry.langs[job.lang]
    src = entry.lang_srcs[job.lang]
    sheet = entry.defn.sheets[job.sheet]

    def t(text: str, loc: tuple) -> TText:
        mark = src.where(loc)
        markup, plain = to_markup(smarten(text, job.lang))
        return TText(markup, plain, Origin(mark.path, mark.line, mark.col, format_field(loc)))

    pages = []
    for side, side_regions in sheet.sides():
        regions = []
        for region, ids in side_regions.items():
            regions.append(
                TRegion(region, tuple(_block(bid, lf.blocks[bid], t, cat.root) for bid in ids))
            )
        pages.append(TPage(side, tuple(regions)))
    st = lf.sheets[job.sheet]
    return TypesetSheet(
        fiche=job.fiche,
        sheet=job.sheet,
        lang=job.lang,
        layout=sheet.layout,
        series=entry.defn.series,
        number=entry.defn.number,
        number_label=t(lf.meta.number_label, ("meta", "number_label")),
        series_name=t(lf.meta.series, ("meta", "series")),
        title=smarten(st.title, job.lang),
        subject=smarten(st.subject, job.lang),
        author=lf.meta.author,
        pages=tuple(pages),
        imprint=_imprint(t, lf.meta.imprint_label, school, _qr_address(cat, job, school), job)
        if _imprint_region(cat.layouts[sheet.layout])
        else None,  # a layout without an imprint draws none, with a school profile or not
    )


def _imprint_region(layout: Layout) -> Region | None:
    """The imprint, on the layout's last page (the back, or a one-sided layout's front)."""
    page: Page = getattr(layout.pages, layout.pages.last)
    return page.imprint


def _qr_address(cat: Catalog, job: Job, school: LoadedSchool | None) -> str | None:
    """The sheet's address for its QR code, or `ContentError` at the template's place
    when the QR code it needs would be too fine to scan at the size the layout gives it."""
    entry = cat.fiches[job.fiche]
    assert entry.defn is not None and entry.defn_src is not None
    template: str | None
    if school and school.school.fiche_url:
        template, src, field = school.school.fiche_url, school.src, "fiche_url"
    else:
        template, src, field = entry.defn.url, entry.defn_src, "url"
    address = qr_target(template, job.sheet, job.lang)
    region = _imprint_region(cat.layouts[entry.defn.sheets[job.sheet].layout])
    if address is None or region is None:
        return address  # no QR code is drawn without an imprint region
    side = region.h_mm - 2 * region.padding_mm  # as render draws it: the imprint's height
    why = check_qr_address(address, side)
    if why:
        message = f"the address for sheet {job.sheet} ({job.lang}) {why}"
        raise ContentError([src.problem((field,), message)])
    return address


def _imprint(t, label: str, school: LoadedSchool | None, qr: str | None, job: Job) -> TImprint:
    # "Label:" with the sheet's language's spacing (French puts a no-break space before ":").
    head = t(f"{label}:", ("meta", "imprint_label"))
    if school is None:
        return TImprint(head, qr_url=qr)
    s, src = school.school, school.src

    def st(text: str, loc: tuple, prefix: str = "") -> TText:
        mark = src.where(loc)
        plain = prefix + smarten(text, s.language)  # a school's own words: no inline marks
        markup = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return TText(markup, plain, Origin(mark.path, mark.line, mark.col, format_field(loc)))

    c = s.contact
    person = c.person + (f", {c.role}" if c.role else "")
    lines = [st(person, ("contact", "person"), prefix=f"{head.plain} ")]
    if c.room_or_hours:
        lines.append(st(c.room_or_hours, ("contact", "room_or_hours")))
    reach = " \u00b7 ".join(v for v in (c.phone, c.email) if v)
    if reach:
        lines.append(st(reach, ("contact", "phone" if c.phone else "email")))
    if s.website:
        lines.append(st(s.website, ("website",)))
    logo = src.where(("logo",))
    return TImprint(
        head,
        st(s.name, ("name",)),
        tuple(lines),
        str(school.logo) if school.logo else None,
        qr,
        Origin(logo.path, logo.line, logo.col, "logo"),
    )


def _block(bid: str, b: BlockModel, t, root: Path) -> TBlock:
    return kind(b.kind).typeset(bid, b, t, root)


def expected_text(sheet: TypesetSheet) -> list[tuple[str, list[str]]]:
    """Per page, the texts a reader must find in the PDF, in reading order."""
    out = []
    for page in sheet.pages:
        texts: list[str] = []
        for region in page.regions:
            for b in region.blocks:
                texts += kind(b.kind).texts(b)
        if page is sheet.pages[-1] and sheet.imprint is not None:
            texts += [t.plain for t in sheet.imprint.texts()]
        out.append((page.side, texts))
    return out
