"""The largest empty area of a page's body (issue 15's measure), on hand-made pages."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from fiche.check.space import (
    NO_HOLE,
    Hole,
    _largest_in_grid,
    largest_hole,
    layout_page_body,
    page_body,
)
from fiche.model.layout import Page

from .conftest import REPO, edit


def test_an_empty_body_is_one_hole():
    hole = largest_hole([(10, 20, 100, 50)], [])
    assert hole == Hole(10, 20, 100, 50)
    assert hole.area_cm2 == 50


def test_no_body_and_a_full_body_have_no_hole():
    assert largest_hole([], []) == NO_HOLE
    assert largest_hole([(0, 0, 100, 50)], [(0, 0, 60, 50), (60, 0, 40, 50)]) == NO_HOLE
    assert NO_HOLE.area_cm2 == 0


def test_an_l_shaped_body_gives_its_larger_arm():
    body = [(0, 0, 100, 20), (0, 20, 30, 80)]  # a bar across the top, a leg down the left
    assert largest_hole(body, []) == Hole(0, 0, 30, 100)
    # with the leg half filled, the bar is larger
    assert largest_hole(body, [(0, 50, 30, 50)]) == Hole(0, 0, 100, 20)


def test_two_regions_side_by_side_with_a_hole_under_one():
    left, right = (0, 0, 60, 100), (70, 0, 60, 100)
    drawn = [(0, 0, 60, 40), (70, 0, 60, 100)]  # left text ends at 40 mm, right is full
    hole = largest_hole([left, right], drawn)
    assert hole == Hole(0, 40, 60, 60)
    assert (hole.w_mm, hole.h_mm, hole.area_cm2) == (60, 60, 36)


def test_a_hole_never_touches_what_was_drawn():
    # text ending 0.2 mm into a cell takes the whole cell
    hole = largest_hole([(0, 0, 50, 50)], [(0, 0, 50, 10.2)])
    assert hole == Hole(0, 11, 50, 39)


def test_the_least_side_skips_a_thin_strip():
    body = [(0, 0, 100, 25)]
    drawn = [(18, 5, 82, 20)]  # a strip 100 × 5 mm over a block 18 × 25 mm
    assert largest_hole(body, drawn) == Hole(0, 0, 100, 5)
    assert largest_hole(body, drawn, min_side_mm=10) == Hole(0, 0, 18, 25)
    assert largest_hole(body, drawn, min_side_mm=30) == NO_HOLE


def test_what_is_drawn_outside_the_body_takes_nothing():
    body = [(10, 50, 100, 50)]
    outside = [(0, 0, 120, 20), (0, 120, 120, 10), (-30, 60, 20, 10), (130, 60, 20, 10)]
    assert largest_hole(body, outside) == Hole(10, 50, 100, 50)
    # half in: only the part inside counts
    assert largest_hole(body, [(0, 40, 120, 20)]) == Hole(10, 60, 100, 40)


def test_a_finer_grid():
    hole = largest_hole([(0, 0, 10, 10)], [(0, 0, 10, 2.25)], cell_mm=0.5)
    assert hole == Hole(0, 2.5, 10, 7.5)


def _brute(grid: list[bytearray], least: int) -> int:
    rows, cols = len(grid), len(grid[0])
    best = 0
    for r0, r1 in itertools.combinations(range(rows + 1), 2):
        for c0, c1 in itertools.combinations(range(cols + 1), 2):
            if r1 - r0 < least or c1 - c0 < least:
                continue
            if all(grid[r][c] for r in range(r0, r1) for c in range(c0, c1)):
                best = max(best, (r1 - r0) * (c1 - c0))
    return best


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 7).flatmap(
        lambda cols: st.lists(
            st.lists(st.booleans(), min_size=cols, max_size=cols), min_size=1, max_size=7
        )
    ),
    st.integers(1, 3),
)
def test_the_stack_finds_the_largest_rectangle(cells: list[list[bool]], least: int):
    grid = [bytearray(row) for row in cells]
    found = _largest_in_grid(grid, least)
    if found is None:
        assert _brute(grid, least) == 0
        return
    top, left, h, w = found
    assert h >= least and w >= least
    assert all(grid[r][c] for r in range(top, top + h) for c in range(left, left + w))
    assert h * w == _brute(grid, least)


def test_the_body_of_a_page_leaves_out_the_band_and_closes_gutters():
    page = Page.model_validate(
        {
            "decorations": [
                {"kind": "rect", "x_mm": 0, "y_mm": 0, "w_mm": 210, "h_mm": 40, "fill": "brand"},
            ],
            "regions": {
                "title": {"x_mm": 14, "y_mm": 14, "w_mm": 140, "h_mm": 22},
                "main": {"x_mm": 14, "y_mm": 48, "w_mm": 118, "h_mm": 236},
                "side": {"x_mm": 137, "y_mm": 48, "w_mm": 59, "h_mm": 100},
                "foot": {"x_mm": 137, "y_mm": 150, "w_mm": 59, "h_mm": 134},
            },
            "imprint": {"x_mm": 14, "y_mm": 286, "w_mm": 182, "h_mm": 8},
        }
    )
    body = layout_page_body(page)
    assert sorted(body) == sorted(
        [
            (14, 48, 118, 236),
            (137, 48, 59, 100),
            (137, 150, 59, 134),
            (132, 48, 5, 100),  # the gutter beside the side panel
            (132, 150, 5, 134),  # and beside the foot
            (137, 148, 59, 2),  # the gap between side and foot
            (132, 148, 5, 2),  # and the corner where the gutter meets that gap
        ]
    )
    # an empty page's hole spans the gutters; under a full main column, the right
    # column with its gaps is what is left
    assert largest_hole(body, []) == Hole(14, 48, 182, 236)
    assert largest_hole(body, [(14, 48, 118, 236)]) == Hole(132, 48, 64, 236)


def _rendered(sheet_name: str, lang: str = "nl"):
    from fiche.model.catalog import Job, load_catalog
    from fiche.model.profiles import PROFILES
    from fiche.paint.render import render_pdf
    from fiche.typeset.sheet import typeset

    cat = load_catalog(REPO)
    sheet = typeset(cat, Job("n3", sheet_name, lang))
    layout = cat.layout_for(sheet.layout, sheet.lang)
    result = render_pdf(
        sheet, layout, PROFILES["print"], REPO / "assets", hyphenation_dir=REPO / "hyphenation"
    )
    return sheet, layout, result


def _inside(inner: tuple, outer: tuple, slack: float = 0.01) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return (
        ox - slack <= x
        and oy - slack <= y
        and x + w <= ox + ow + slack
        and (y + h <= oy + oh + slack)
    )


def test_a_drawn_page_says_what_it_drew_where():
    sheet, layout, result = _rendered("n3-sexting")
    assert len(result.drawn) == len(sheet.pages) == 2
    for tpage, drawn, fit in zip(sheet.pages, result.drawn, result.fits, strict=True):
        blocks = {b.id for treg in tpage.regions for b in treg.blocks}
        lpage = getattr(layout.pages, tpage.side)
        band = lpage.decorations[0]  # the header's texts are set on its band
        for d in drawn:
            if d.what == "decoration":
                assert _inside(d.box, (band.x_mm, band.y_mm, band.w_mm, band.h_mm)), d
                continue
            # inside its region as placed (a stack moves regions)
            region = fit.imprint if d.what == "imprint" else fit.region(d.region).box
            assert region is not None
            assert _inside(d.box, (region.x_mm, region.y_mm, region.w_mm, region.h_mm)), d
            assert _inside(d.ink_box, d.box), d  # a block's text lies in its column
            assert d.what in ("imprint", "region") or d.block_id in blocks
        header = [d for d in drawn if d.what == "decoration"]
        assert len(header) == sum(1 for x in lpage.decorations if x.kind == "text")
        # every block of the page was drawn, in the order of its regions
        assert [d.block_id for d in drawn if d.what == "text"][:1] == [
            tpage.regions[0].blocks[0].id
        ]
        assert {d.block_id for d in drawn if d.what in ("text", "image")} == blocks
        assert [d.region for d in drawn if d.what == "region"] == [r.name for r in tpage.regions]
    assert [d.what for d in result.drawn[1]].count("imprint") == 1


def test_a_text_cut_to_three_quarters_of_its_words():
    from bench.lengths import shortened

    assert shortened("Een twee drie vier. Vijf zes zeven acht!", 0.75) == (
        "Een twee drie. Vijf zes zeven!"
    )
    assert shortened("Sexting", 0.75) == "Sexting"  # a sentence keeps a word
    # marks and brackets cut open are closed, a mark open across sentences kept
    tip = "**Vraag de hulp van volwassenen** (ouders, leerkracht, school)."
    assert shortened(tip, 0.75) == "**Vraag de hulp van volwassenen** (ouders)."
    assert shortened(tip, 0.5) == "**Vraag de hulp van**."
    assert shortened("*Mediawijs Online. Jongeren en sociale media*.", 0.75) == (
        "*Mediawijs Online*. *Jongeren en sociale*."
    )
    assert shortened("Seks hebben via bv. Skype, Hangouts…", 0.75) == "Seks hebben via bv. Skype…"


def test_the_three_quarter_variant_of_n3_loads(tmp_path):
    from bench.lengths import variant
    from fiche.model.catalog import load_catalog

    counts = variant(0.75, tmp_path)
    assert set(counts) == {"nl", "fr", "en", "de", "tr", "pl", "uk", "ar"}
    for before, after in counts.values():
        assert 0.74 < after / before < 0.78
    cat = load_catalog(tmp_path)
    assert all(not cat.job_problems(job) for job in cat.jobs())


def test_the_body_follows_the_regions_as_placed():
    band = {"kind": "rect", "x_mm": 0, "y_mm": 0, "w_mm": 210, "h_mm": 40, "fill": "brand"}
    page = Page.model_validate(
        {
            "decorations": [band],
            "regions": {"title": {"x_mm": 14, "y_mm": 14, "w_mm": 140, "h_mm": 22}},
        }
    )
    # the title in the band is no body; a region a stack shortened has the body it got
    placed = [(14, 14, 140, 22), (14, 48, 118, 100), (137, 48, 59, 236)]
    assert page_body(placed, page.decorations) == [
        (14, 48, 118, 100),
        (137, 48, 59, 236),
        (132, 48, 5, 100),
    ]


def test_an_empty_area_over_the_limit_is_a_warning_naming_the_page_and_region():
    from fiche.check.space import empty_area_warnings, empty_areas

    sheet, layout, result = _rendered("n3-sexting")
    # The catalogue fills its pages; a strict enough limit finds what white there is.
    fit = layout.fit.model_copy(update={"max_empty_cm2": 0, "min_empty_side_mm": 8})
    strict = layout.model_copy(update={"fit": fit})
    front, back = empty_areas(sheet, strict, result.drawn)
    assert (front.side, back.side) == ("front", "back")
    h = front.hole
    assert h.w_mm >= 8 and h.h_mm >= 8 and front.region in ("main", "side", "title")
    warnings = empty_area_warnings(sheet, strict, "layouts/original.yaml", result.drawn)
    assert warnings[0] == (
        f"n3-sexting (nl) front: an empty area of {h.area_cm2:.0f} cm² "
        f"({h.w_mm:.0f} × {h.h_mm:.0f} mm at {h.x_mm:.0f}, {h.y_mm:.0f} mm) in region "
        f"'{front.region}', more than the layout allows (0 cm², fit.max_empty_cm2 in "
        "layouts/original.yaml); the text is too short for the page: add text, let it grow "
        "further (the styles' largest size_pt, fit.stretch) or use a layout for shorter texts"
    )
    assert empty_area_warnings(sheet, layout, "x", result.drawn) == []  # as shipped


def test_a_box_that_ends_where_its_text_ends_leaves_its_place_in_the_body(project):
    # A side panel that fits its text: the white under it is a hole of the page, named
    # after the region whose place it is.
    from fiche.check.space import empty_areas
    from fiche.model.catalog import Job, load_catalog
    from fiche.model.profiles import PROFILES
    from fiche.paint.render import render_pdf
    from fiche.typeset.sheet import typeset

    edit(
        project / "layouts/original.yaml",
        "padding_mm: 4, radius_mm: 2}",
        "padding_mm: 4, radius_mm: 2, height: content}",
    )
    edit(project / "content/n3/fiche.yaml", "side: [careful, spread]", "side: [careful]")
    cat = load_catalog(project)
    sheet = typeset(cat, Job("n3", "n3-sexting", "nl"))
    layout = cat.layout_for(sheet.layout, sheet.lang)
    result = render_pdf(
        sheet, layout, PROFILES["print"], project / "assets", hyphenation_dir=REPO / "hyphenation"
    )
    side = result.fits[0].region("side").box
    assert side.h_mm < 236 / 2  # the panel ends under its one block
    front = empty_areas(sheet, layout, result.drawn)[0]
    assert front.region == "side" and front.hole.y_mm >= side.y_mm + side.h_mm - side.padding_mm - 1
    assert front.hole.area_cm2 > 40


def test_every_profile_draws_the_same_page_so_it_is_measured_once():
    from fiche.build.fitcheck import render_sheet
    from fiche.check.space import _hole, empty_areas
    from fiche.model.catalog import Job, load_catalog
    from fiche.model.profiles import PROFILES
    from fiche.typeset.sheet import typeset

    cat = load_catalog(REPO)
    sheet = typeset(cat, Job("n3", "n3-school", "fr"))
    layout = cat.layout_for(sheet.layout, sheet.lang)
    drawn = [render_sheet(cat, sheet, PROFILES[p]).drawn for p in ("office", "print", "screen")]
    assert drawn[0] == drawn[1] == drawn[2]
    empty_areas(sheet, layout, drawn[0])
    before = _hole.cache_info()
    assert empty_areas(sheet, layout, drawn[2]) == empty_areas(sheet, layout, drawn[1])
    after = _hole.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (4, 0)


def test_the_build_warns_records_and_fails_strictly(project):
    import json

    from fiche.build.run import BuildOptions, build

    # too little text for the side panel: the rest of it stays white
    edit(project / "content/n3/fiche.yaml", "side: [careful, spread]", "side: [careful]")
    args = {"langs": ("nl",), "sheets": ("n3-sexting",), "profiles": ("print",)}
    report = build(project, project / "dist", BuildOptions(**args))
    assert report.exit_code == 0
    (warning,) = report.built[0].warnings
    assert warning.startswith("n3-sexting (nl) front: an empty area of ")
    assert "in region 'side'" in warning
    manifest = json.loads((project / "dist/manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"][0]["warnings"] == [warning]
    report = build(project, project / "dist", BuildOptions(**args, strict=True, force=True))
    (failed,) = report.failed
    assert [str(p) for p in failed.problems] == [f"sheet n3-sexting (nl, print): {warning}"]
