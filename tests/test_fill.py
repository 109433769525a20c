"""Issue 15: every layout fills its pages for N°3 at 60 % to 125 % of its words.

N°3's content at other lengths (`bench/lengths.py`) is set with every layout of the
catalogue for print, and each page is held to the issue: the build succeeds, or fails
with too much text only when the text is longer than the original (a); no empty area of
the body is larger than the layout allows, unless the build warned about it (b); no text
runs into another region, the imprint or a shape it does not lie inside (c). Then random
lengths per block, for one sheet (hypothesis).

The default run sets nl and fr at every share (one temporary catalogue per share, shared
by the module, rendered in-process: about 10 s); `--run-slow` adds de and en, and
`FICHE_FUZZ=long` runs many more random lengths.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench.lengths import (
    FICHE,
    SHARES,
    copy_catalogue,
    shortened,
    texts,
    variant,
    vary_language,
    words,
)
from fiche.check.space import empty_area_warnings, largest_hole, layout_page_body
from fiche.core.errors import FitError
from fiche.model.catalog import Catalog, Job, load_catalog
from fiche.model.layout import CircleDecoration, Layout, Page, RectDecoration
from fiche.model.profiles import PROFILES
from fiche.paint.render import RenderResult, render_pdf
from fiche.typeset.sheet import typeset

from .conftest import REPO

SLOW = os.environ.get("FICHE_FUZZ") == "long"
EPS_MM = 0.05  # boxes that share an edge, or overlap by less, do not collide

_FICHE = yaml.safe_load((REPO / "content" / FICHE / "fiche.yaml").read_text(encoding="utf-8"))
SHEETS: dict[str, str] = {name: s["layout"] for name, s in _FICHE["sheets"].items()}
# every layout a sheet may use: not the partials (`_base`) that others extend
LAYOUTS = sorted(p.stem for p in (REPO / "layouts").glob("*.yaml") if not p.stem.startswith("_"))
FAST_LANGS = ("nl", "fr")
SLOW_LANGS = tuple(lang for lang in _FICHE["languages"] if lang not in FAST_LANGS)
ALL_SHARES = tuple(sorted((*SHARES, 1.0)))


def _matrix() -> Iterator:
    for layout in LAYOUTS:
        for share in ALL_SHARES:
            for lang in (*FAST_LANGS, *SLOW_LANGS):
                marks = [pytest.mark.slow] if lang in SLOW_LANGS else []
                yield pytest.param(
                    layout, share, lang, marks=marks, id=f"{layout}-{share:.0%}-{lang}"
                )


@dataclass
class Built:
    """One sheet in one language set for print: its result, or the FitError it raised."""

    sheet: str
    lang: str
    layout: Layout
    result: RenderResult | None
    error: FitError | None
    cat: Catalog


class Variants:
    """One temporary catalogue per share, each sheet rendered once and kept."""

    def __init__(self, into: Path):
        self.into = into
        self.cats: dict[float, Catalog] = {}
        self.built: dict[tuple[float, str, str], Built] = {}
        self.seconds = 0.0

    def catalogue(self, share: float) -> Catalog:
        if share not in self.cats:
            start = time.perf_counter()
            root = REPO
            if share != 1:
                root = self.into / f"{share:.2f}"
                variant(share, root)
            self.cats[share] = load_catalog(root)
            self.seconds += time.perf_counter() - start
        return self.cats[share]

    def build(self, share: float, sheet: str, lang: str) -> Built:
        key = (share, sheet, lang)
        if key not in self.built:
            cat = self.catalogue(share)
            start = time.perf_counter()
            self.built[key] = render(cat, sheet, lang)
            self.seconds += time.perf_counter() - start
        return self.built[key]


def render(cat: Catalog, sheet_name: str, lang: str) -> Built:
    sheet = typeset(cat, Job(FICHE, sheet_name, lang))
    layout = cat.layout_for(sheet.layout, sheet.lang)
    try:
        result = render_pdf(
            sheet,
            layout,
            PROFILES["print"],
            cat.root / "assets",
            layout_path=cat.layout_srcs[sheet.layout].path,
            hyphenation_dir=cat.root / "hyphenation",
        )
    except FitError as e:
        return Built(sheet_name, lang, layout, None, e, cat)
    return Built(sheet_name, lang, layout, result, None, cat)


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> Iterator[Variants]:
    v = Variants(tmp_path_factory.mktemp("lengths"))
    yield v
    # the time the module spent making catalogues and setting sheets, for `-s` runs
    print(f"\ntest_fill: {len(v.built)} sheets set in {v.seconds:.1f} s")


def _sheets_of(layout: str) -> list[str]:
    return [s for s, lay in SHEETS.items() if lay == layout]


def _built(variants: Variants, layout: str, share: float, lang: str) -> list[Built]:
    sheets = _sheets_of(layout)
    assert sheets, f"no sheet of {FICHE} uses layout {layout}: it is never built"
    return [variants.build(share, s, lang) for s in sheets]


def _pages(b: Built) -> Iterator[tuple[str, Page, tuple]]:
    assert b.result is not None
    sides = dict(b.layout.pages.sides())
    for (side, lpage), drawn in zip(sides.items(), b.result.drawn, strict=True):
        yield side, lpage, drawn


# --- (a) it builds, or fails with too much text only when the text is longer -------


def _names_a_region(e: FitError, layout: Layout) -> bool:
    regions = {name for _, page in layout.pages.sides() for name in page.regions}
    named = [re.search(r"region '([^']+)'", p.message) for p in e.problems]
    return bool(named) and all(m is not None and m.group(1) in regions for m in named)


@pytest.mark.parametrize(("layout", "share", "lang"), list(_matrix()))
def test_a_variant_builds_or_is_too_long(variants, layout, share, lang):
    for b in _built(variants, layout, share, lang):
        if b.error is not None:
            assert share > 1, f"{b.sheet} ({lang}) at {share:.0%}: {b.error}"
            assert _names_a_region(b.error, b.layout), str(b.error)


# --- (b) no hole larger than the layout allows, or a warning ------------------------


def _warned(b: Built, side: str) -> bool:
    """Whether the build warns about the empty area of page `side` (as `build_job` does)."""
    assert b.result is not None
    sheet = typeset(b.cat, Job(FICHE, b.sheet, b.lang))
    warnings = empty_area_warnings(sheet, b.layout, "layout", b.result.drawn)
    return any(w.startswith(f"{b.sheet} ({b.lang}) {side}: ") for w in warnings)


# From this share of the words up, a layout of the catalogue fills its pages: a hole over
# the limit is a defect even with the build's warning. Below it (the 60 % variant) the
# dense original may run out of text; the build must then say so.
FILLED_FROM = 0.75


def _holes(b: Built, share: float) -> list[str]:
    """The pages of `b` with an empty area over the layout's limit: any, from
    `FILLED_FROM` of the words; below that, any the build does not warn about."""
    fit = b.layout.fit
    out = []
    for side, lpage, drawn in _pages(b):
        taken = [d.box for d in drawn if d.what != "region"]
        hole = largest_hole(layout_page_body(lpage), taken, min_side_mm=fit.min_empty_side_mm)
        if hole.area_cm2 > fit.max_empty_cm2 and (share >= FILLED_FROM or not _warned(b, side)):
            out.append(
                f"{b.sheet} ({b.lang}) {side}: {hole.area_cm2:.0f} cm² empty "
                f"({hole.w_mm:.0f} × {hole.h_mm:.0f} mm at {hole.x_mm:.0f}, {hole.y_mm:.0f}) "
                f"> {fit.max_empty_cm2:g} cm²"
            )
    return out


@pytest.mark.parametrize(("layout", "share", "lang"), list(_matrix()))
def test_no_page_keeps_a_hole_over_its_limit(variants, layout, share, lang):
    built = _built(variants, layout, share, lang)
    holes = [h for b in built if b.result for h in _holes(b, share)]
    assert not holes, "\n".join(holes)


# --- (c) no text runs into another region, the imprint or a shape ------------------

Box = tuple[float, float, float, float]


def _overlap(a: Box, b: Box) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return (
        min(ax + aw, bx + bw) - max(ax, bx) > EPS_MM
        and min(ay + ah, by + bh) - max(ay, by) > EPS_MM
    )


def _inside(a: Box, b: Box) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return (
        ax >= bx - EPS_MM
        and ay >= by - EPS_MM
        and ax + aw <= bx + bw + EPS_MM
        and ay + ah <= by + bh + EPS_MM
    )


def _meets_circle(a: Box, c: CircleDecoration) -> tuple[bool, bool]:
    """(whether box `a` overlaps circle `c`, whether it lies inside it)."""
    x, y, w, h = a
    nx, ny = min(max(c.x_mm, x), x + w), min(max(c.y_mm, y), y + h)  # nearest point
    meets = (nx - c.x_mm) ** 2 + (ny - c.y_mm) ** 2 < (c.r_mm - EPS_MM) ** 2
    corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
    inside = all(
        (px - c.x_mm) ** 2 + (py - c.y_mm) ** 2 <= (c.r_mm + EPS_MM) ** 2 for px, py in corners
    )
    return meets, inside


def collisions(lpage: Page, drawn: tuple) -> list[str]:
    """What the text and pictures of a drawn page run into: another region's box (as
    placed, or as the layout draws it), the imprint, a shape they do not lie inside."""
    regions: dict[str, Box] = {
        n: (r.x_mm, r.y_mm, r.w_mm, r.h_mm) for n, r in lpage.regions.items()
    }
    regions |= {d.region: d.box for d in drawn if d.what == "region"}
    # the imprint's place, drawn or kept empty (a build without a school still rules it)
    imprint = [d.box for d in drawn if d.what == "imprint"]
    if lpage.imprint is not None:
        imprint.append(
            (lpage.imprint.x_mm, lpage.imprint.y_mm, lpage.imprint.w_mm, lpage.imprint.h_mm)
        )
    out = []
    for d in drawn:
        if d.what not in ("text", "image"):
            continue
        what = f"{d.what} of {d.block_id} in '{d.region}' at {tuple(round(v, 1) for v in d.box)}"
        out += [
            f"{what} runs into region '{n}'"
            for n, box in regions.items()
            if n != d.region and _overlap(d.box, box)
        ]
        if any(_overlap(d.box, box) for box in imprint):
            out.append(f"{what} runs into the imprint")
        for deco in lpage.decorations:
            if isinstance(deco, RectDecoration):
                box = (deco.x_mm, deco.y_mm, deco.w_mm, deco.h_mm)
                meets, inside = _overlap(d.box, box), _inside(d.box, box)
            elif isinstance(deco, CircleDecoration):
                meets, inside = _meets_circle(d.box, deco)
            else:
                continue  # a line of page furniture is not a shape
            if meets and not inside:
                out.append(f"{what} runs into the {deco.kind} at {deco.x_mm:g}, {deco.y_mm:g}")
    return out


@pytest.mark.parametrize(("layout", "share", "lang"), list(_matrix()))
def test_no_text_runs_into_anything(variants, layout, share, lang):
    found = [
        f"{b.sheet} ({lang}) {side}: {c}"
        for b in _built(variants, layout, share, lang)
        if b.result
        for side, lpage, drawn in _pages(b)
        for c in collisions(lpage, drawn)
    ]
    assert not found, "\n".join(found)


def test_the_collision_check_sees_a_region_the_imprint_and_shapes():
    from fiche.paint.page import Drawn

    page = Page.model_validate(
        {
            "decorations": [
                {"kind": "rect", "x_mm": 0, "y_mm": 0, "w_mm": 210, "h_mm": 40, "fill": "brand"},
                {"kind": "circle", "x_mm": 188, "y_mm": 60, "r_mm": 15, "fill": "brand"},
            ],
            "regions": {
                "title": {"x_mm": 14, "y_mm": 14, "w_mm": 140, "h_mm": 22},
                "main": {"x_mm": 14, "y_mm": 48, "w_mm": 118, "h_mm": 200},
                "side": {"x_mm": 137, "y_mm": 48, "w_mm": 59, "h_mm": 200},
            },
            "imprint": {"x_mm": 14, "y_mm": 250, "w_mm": 182, "h_mm": 20},
        }
    )
    ok = (
        Drawn("text", "title", "t", 14, 20, 100, 16),  # inside the band: fine
        Drawn("text", "main", "a", 14, 48, 118, 100),  # touches nothing
        Drawn("imprint", "imprint", None, 14, 250, 182, 20),
    )
    assert collisions(page, ok) == []
    bad = (
        Drawn("text", "main", "b", 100, 150, 40, 10),  # into the side column
        Drawn("text", "side", "c", 140, 245, 50, 8),  # into the imprint
        Drawn("text", "main", "d", 14, 37, 60, 10),  # half in the band
        Drawn("text", "side", "e", 170, 50, 20, 8),  # over the circle's edge
    )
    found = collisions(page, bad)
    assert len(found) == 4, found
    assert [f.split(" in ")[0] for f in found] == [
        "text of b",
        "text of c",
        "text of d",
        "text of e",
    ]


# --- the variants themselves -----------------------------------------------------


def test_every_layout_is_used_by_a_sheet():
    assert {lay for lay in SHEETS.values()} >= set(LAYOUTS)


@pytest.mark.parametrize("share", SHARES)
def test_a_variant_has_its_share_of_words_and_keeps_addresses_and_marks(tmp_path, share):
    counts = variant(share, tmp_path)
    assert set(counts) == {"nl", "fr", "en", "de", "tr", "pl", "uk", "ar"}
    for before, after in counts.values():
        assert abs(after / before - share) < 0.04, (share, before, after)
    address = re.compile(r"(?:www\.|@)\S+")
    for lang in counts:
        src = (REPO / "content" / FICHE / f"{lang}.yaml").read_text(encoding="utf-8")
        out = (tmp_path / "content" / FICHE / f"{lang}.yaml").read_text(encoding="utf-8")
        known = {a.rstrip(".,;:)\"'") for a in address.findall(src)}
        assert {a.rstrip(".,;:)\"'") for a in address.findall(out)} <= known
        for block_id, block in yaml.safe_load(out)["blocks"].items():
            for text in texts(block):
                assert text.count("(") == text.count(")"), (block_id, text)
                assert len(re.findall(r"\*\*", text)) % 2 == 0, (block_id, text)
                assert text.replace("**", "").count("*") % 2 == 0, (block_id, text)


def test_every_block_changes_and_a_longer_one_only_grows(tmp_path):
    variant(1.1, tmp_path)
    for lang in ("nl", "fr"):
        src = yaml.safe_load((REPO / "content" / FICHE / f"{lang}.yaml").read_text("utf-8"))
        out = yaml.safe_load((tmp_path / "content" / FICHE / f"{lang}.yaml").read_text("utf-8"))
        for bid, block in src["blocks"].items():
            if block["kind"] == "heading":
                assert out["blocks"][bid] == block  # a heading keeps its words
                continue
            assert out["blocks"][bid] != block, bid
            for old, new in zip(texts(block), texts(out["blocks"][bid]), strict=True):
                # what was there stays; whole sentences or clauses are added after it, or
                # before the last sentence of a text that announces what follows (":")
                last = old.rsplit(". ", 1)[-1]
                assert new.startswith(old) or (old.endswith(":") and new.endswith(last)), new
                assert words(new) >= words(old)


def test_a_shorter_variant_is_the_shortened_text(tmp_path):
    variant(0.6, tmp_path)
    src = yaml.safe_load((REPO / "content" / FICHE / "nl.yaml").read_text("utf-8"))
    out = yaml.safe_load((tmp_path / "content" / FICHE / "nl.yaml").read_text("utf-8"))
    assert out["blocks"]["not-new"]["text"] == shortened(src["blocks"]["not-new"]["text"], 0.6)


# --- random lengths per block (hypothesis) -----------------------------------------

RANDOM_SHEET = "n3-sexting"  # the densest sheet: both pages full of blocks
EXAMPLES = 200 if SLOW else 5
COMMON = dict(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not SLOW,
    # a failure is not shrunk in the default run: one build per step takes minutes
    phases=list(Phase) if SLOW else [Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _sheet_blocks(sheet: str) -> list[str]:
    spec = _FICHE["sheets"][sheet]
    return sorted(
        {b for side in ("front", "back") for ids in (spec.get(side) or {}).values() for b in ids}
    )


_SHARE = st.floats(0.6, 1.25, allow_nan=False)
block_shares = st.fixed_dictionaries({b: _SHARE for b in _sheet_blocks(RANDOM_SHEET)})


@pytest.fixture(scope="module")
def random_root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fiche-fill-") as tmp:
        copy_catalogue(Path(tmp))
        yield Path(tmp)


def _random_build(root: Path, shares: dict[str, float]) -> Built:
    lang_file = REPO / "content" / FICHE / "nl.yaml"
    vary_language(lang_file, root / "content" / FICHE / "nl.yaml", shares)
    return render(load_catalog(root), RANDOM_SHEET, "nl")


@settings(**COMMON)
@given(block_shares)
def test_random_lengths_fit_or_fail_naming_a_region(random_root, shares):
    b = _random_build(random_root, shares)  # any exception but a FitError fails here
    if b.error is not None:
        assert _names_a_region(b.error, b.layout), str(b.error)
    else:
        assert not [c for _, lpage, drawn in _pages(b) for c in collisions(lpage, drawn)]


@settings(**COMMON)
@given(block_shares)
def test_random_lengths_leave_no_hole_over_the_limit(random_root, shares):
    b = _random_build(random_root, shares)
    if b.error is None:
        fit = b.layout.fit
        for side, lpage, drawn in _pages(b):
            taken = [d.box for d in drawn if d.what != "region"]
            hole = largest_hole(layout_page_body(lpage), taken, min_side_mm=fit.min_empty_side_mm)
            assert hole.area_cm2 <= fit.max_empty_cm2 or _warned(b, side), (side, hole, shares)
