"""The fill engine (issue 15, point 1): stacks, boxes that end where their text ends,
vertical justification and regions fitted on their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiche.engine.columns import Column, Justify, Placed, flow_into
from fiche.engine.flowables import BlockFlowable
from fiche.engine.stacks import placed
from fiche.model.layout import Page

from .conftest import REPO, edit

# --- stacks --------------------------------------------------------------------------


def _page(**regions: dict) -> Page:
    stacks = regions.pop("stacks", [])
    imprint = regions.pop("imprint", None)
    return Page.model_validate({"regions": regions, "stacks": stacks, "imprint": imprint})


def _box(y: float, h: float, **more) -> dict:
    return {"x_mm": 10.0, "y_mm": y, "w_mm": 100.0, "h_mm": h, **more}


def test_a_box_that_fits_its_content_gives_the_rest_to_the_region_below():
    page = _page(
        tips=_box(30, 60, height="content"), policy=_box(95, 140), stacks=[["tips", "policy"]]
    )
    boxes = placed(page, {"tips": 42.0}, {"tips", "policy"})
    assert (boxes["tips"].y_mm, boxes["tips"].h_mm) == (30, 42)
    # the 5 mm gap drawn between them stays; the stack keeps its foot (235 mm)
    assert boxes["policy"].y_mm == 77 and boxes["policy"].h_mm == pytest.approx(158)


def test_growing_regions_share_what_is_left_as_they_were_drawn():
    page = _page(
        a=_box(0, 20, height="content"),
        b=_box(20, 30),
        c=_box(50, 90),
        stacks=[["a", "b", "c"]],
    )
    boxes = placed(page, {"a": 10.0}, {"a", "b", "c"})
    assert boxes["b"].h_mm == pytest.approx(30 + 10 * 30 / 120)
    assert boxes["c"].h_mm == pytest.approx(90 + 10 * 90 / 120)
    assert boxes["c"].y_mm + boxes["c"].h_mm == pytest.approx(140)


def test_the_imprint_moves_in_a_stack_but_keeps_its_height():
    page = _page(
        a=_box(0, 50, height="content"),
        imprint=_box(55, 25),
        b=_box(85, 100),
        stacks=[["a", "imprint", "b"]],
    )
    boxes = placed(page, {"a": 30.0}, {"a", "b"})
    assert (boxes["imprint"].y_mm, boxes["imprint"].h_mm) == (35, 25)  # the 5 mm gap kept
    assert (boxes["b"].y_mm, boxes["b"].h_mm) == (65, 120)  # down to the stack's foot


def test_a_region_without_text_takes_no_room_nor_its_gap():
    page = _page(a=_box(0, 20, height="content"), b=_box(25, 75), stacks=[["a", "b"]])
    boxes = placed(page, {}, {"b"})
    assert (boxes["b"].y_mm, boxes["b"].h_mm) == (0, 100)


def test_a_stack_of_content_boxes_leaves_the_rest_at_its_foot():
    page = _page(
        a=_box(0, 20, height="content"), b=_box(25, 75, height="content"), stacks=[["a", "b"]]
    )
    boxes = placed(page, {"a": 10.0, "b": 30.0}, {"a", "b"})
    assert (boxes["b"].y_mm, boxes["b"].h_mm) == (15, 30)


def test_a_content_box_outside_a_stack_keeps_its_top_and_never_grows():
    page = _page(side=_box(40, 100, height="content"))
    assert placed(page, {"side": 60.0}, {"side"})["side"].h_mm == 60
    assert placed(page, {"side": 160.0}, {"side"})["side"].h_mm == 100


def test_stacks_are_checked_when_a_layout_is_read(project: Path):
    from fiche.model.catalog import load_catalog

    edit(
        project / "layouts/original.yaml",
        "stacks: [[tips, policy]]",
        "stacks: [[policy, tips], [tipz, footer]]",
    )
    cat = load_catalog(project)
    text = "\n".join(f"{p.path}:{p.line}: {p.message}" for p in cat.layout_problems["original"])
    assert "region 'tips' must lie below 'policy' in a stack" in text
    assert "unknown region 'tipz' in a stack" in text
    assert "layouts/original.yaml" in text


# --- vertical justification -----------------------------------------------------------


class _Block(BlockFlowable):
    """A rigid flowable of a given height and space before and after (points)."""

    def __init__(self, height: float, before: float = 0.0, after: float = 0.0, name: str = ""):
        super().__init__()
        self._h, self._before, self._after = height, before, after
        self.block_id = name

    def wrap(self, aW, aH):
        self.width, self.height = aW, self._h
        return aW, self._h

    def split(self, aW, aH):
        return []

    def getSpaceBefore(self):
        return self._before

    def getSpaceAfter(self):
        return self._after

    def draw(self):
        pass


def _column(height: float = 300.0) -> Column:
    return Column(0.0, 100.0, 200.0, height)


def _tops(placed: list[Placed]) -> list[float]:
    return [round(p.y + p.height, 6) for p in placed]


def test_space_between_blocks_grows_in_proportion_until_the_column_is_full():
    flow = [_Block(50, after=10), _Block(50, before=20, after=5), _Block(50)]
    natural: list[Placed] = []
    flow_into(flow, [_column()], placed=natural)
    # natural: 50 + 20 (the larger of 10 after and 20 before) + 50 + 5 + 50 = 175 of 300
    assert _tops(natural) == [400, 330, 275]
    stretched: list[Placed] = []
    flow_into(flow, [_column()], placed=stretched, justify=[Justify(100.0, 10.0)])
    # 125 points of slack over 25 points of space: each gap grows 6 times (20 -> 120, 5 -> 30)
    assert _tops(stretched) == [400, 230, 150]
    assert stretched[-1].y == pytest.approx(100.0)  # the last block ends at the foot


def test_the_stretch_is_a_limit():
    flow = [_Block(50, after=10), _Block(50, before=20, after=5), _Block(50)]
    out: list[Placed] = []
    flow_into(flow, [_column()], placed=out, justify=[Justify(100.0, 2.0)])
    assert _tops(out) == [400, 310, 250]  # every gap twice its size, the rest stays white
    same: list[Placed] = []
    flow_into(flow, [_column()], placed=same, justify=[Justify(100.0, 1.0)])
    assert _tops(same) == [400, 330, 275]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(5, 80), st.integers(0, 20), st.integers(0, 20)),
        min_size=1,
        max_size=12,
    ),
    st.floats(1.0, 5.0),
)
def test_justifying_never_changes_what_goes_in_which_column(blocks, stretch):
    frames = [Column(0, 0, 100, 200), Column(120, 0, 100, 200)]
    flow = [_Block(h, b, a, name=str(i)) for i, (h, b, a) in enumerate(blocks)]
    plain: list[Placed] = []
    left = flow_into(flow, frames, placed=plain)
    justified: list[Placed] = []
    left_j = flow_into(
        flow, frames, placed=justified, justify=[Justify(0.0, stretch), Justify(0.0, stretch)]
    )
    assert [(p.block_id, p.x) for p in plain] == [(p.block_id, p.x) for p in justified]
    assert len(left) == len(left_j)
    for p, q in zip(plain, justified, strict=True):
        assert q.y <= p.y + 1e-9 and q.y >= -1e-6  # moved down only, never out of its column
    for x in (0, 120):  # order kept, no overlap
        col = [p for p in justified if p.x == x]
        for a, b in zip(col, col[1:], strict=False):
            assert b.y + b.height <= a.y + 1e-6


# --- the real sheets --------------------------------------------------------------------


def _render(root: Path, sheet_name: str, lang: str = "nl"):
    from fiche.model.catalog import Job, load_catalog
    from fiche.model.profiles import PROFILES
    from fiche.paint.render import render_pdf
    from fiche.typeset.sheet import typeset

    cat = load_catalog(root)
    sheet = typeset(cat, Job("n3", sheet_name, lang))
    layout = cat.layout_for(sheet.layout, sheet.lang)
    return render_pdf(
        sheet, layout, PROFILES["print"], root / "assets", hyphenation_dir=REPO / "hyphenation"
    )


def test_the_school_tips_end_where_their_text_ends_and_the_policy_grows():
    result = _render(REPO, "n3-sexting")
    fit = result.fits[1]
    tips, policy = fit.region("tips").box, fit.region("policy").box
    text_foot = max(
        d.y_mm + d.h_mm for d in result.drawn[1] if d.region == "tips" and d.what == "text"
    )
    assert tips.y_mm == 34 and text_foot - 1e-6 <= tips.y_mm + tips.h_mm < text_foot + 0.5
    assert policy.y_mm == pytest.approx(tips.y_mm + tips.h_mm + 3)  # the gap as drawn
    assert policy.y_mm + policy.h_mm == pytest.approx(98 + 138)  # the stack's foot


def test_a_region_fitted_on_its_own_takes_its_own_size(project: Path):
    shared = _render(REPO, "n3-sexting").fits[0]
    assert shared.region("main").scale == shared.region("side").scale
    edit(
        project / "layouts/original.yaml",
        "padding_mm: 4, radius_mm: 2}",
        "padding_mm: 4, radius_mm: 2, scale: own}",
    )
    own = _render(project, "n3-sexting").fits[0]
    assert own.region("main").scale != own.region("side").scale
    # each region on its own is at least as large as when it shared the binding one's size
    assert own.region("main").scale >= shared.region("main").scale
    assert own.region("side").scale >= shared.region("side").scale


def test_a_fixed_region_above_a_content_box_in_a_stack_is_fitted(project: Path):
    # At full size the content box overflows even the whole stack; the fixed region
    # above must not be taken to fit then, since its box shrinks once the box below fits.
    edit(project / "layouts/original.yaml", "gutter_mm: 8, height: content}", "gutter_mm: 8}")
    edit(
        project / "layouts/original.yaml",
        "gutter_mm: 8, fill: tint",
        "gutter_mm: 8, height: content, fill: tint",
    )
    fit = _render(project, "n3-sexting").fits[1]
    tips, policy = fit.region("tips").box, fit.region("policy").box
    assert tips.y_mm + tips.h_mm < policy.y_mm
    assert policy.y_mm + policy.h_mm <= 98 + 138 + 1e-6  # the stack's foot


def test_content_boxes_of_a_stack_never_run_past_its_foot(project: Path):
    edit(
        project / "layouts/original.yaml",
        "gutter_mm: 8, fill: tint",
        "gutter_mm: 8, height: content, fill: tint",
    )
    result = _render(project, "n3-sexting")
    policy = result.fits[1].region("policy").box
    assert policy.y_mm + policy.h_mm <= 98 + 138 + 1e-6
    text_foot = max(
        d.y_mm + d.h_mm for d in result.drawn[1] if d.region == "policy" and d.what == "text"
    )
    assert text_foot <= 98 + 138 + 1e-6


def test_columns_side_by_side_end_on_one_line_when_one_cannot_reach_the_foot():
    # Column 1: three blocks with room to spread; column 2: one block and a small gap, so
    # its space may not grow enough to reach the foot. Both end where column 2 can.
    frames = [Column(0, 0, 100, 300), Column(120, 0, 100, 300)]
    flow = [
        _Block(60, after=20),
        _Block(60, after=20),
        _Block(60),
        _Block(200, before=0, after=5),
        _Block(40, before=5),
    ]
    out: list[Placed] = []
    flow_into(flow, frames, placed=out, justify=[Justify(0.0, 2.0), Justify(0.0, 2.0)])
    left = [p for p in out if p.x == 0]
    right = [p for p in out if p.x == 120]
    assert [len(left), len(right)] == [3, 2]
    # column 1: 220 of 300, could end at 40; column 2: 245, twice its 5-point gap ends it
    # at 50; both end at 50
    assert right[-1].y == pytest.approx(50.0)
    assert left[-1].y == pytest.approx(50.0)
    # when both can reach the foot, both end there
    both: list[Placed] = []
    flow_into(flow, frames, placed=both, justify=[Justify(0.0, 20.0), Justify(0.0, 20.0)])
    assert [p.y for p in both if p.x == 0][-1] == pytest.approx(0.0)
    assert [p.y for p in both if p.x == 120][-1] == pytest.approx(0.0)


def test_valign_and_a_box_that_fits_its_text_exclude_each_other(project: Path):
    from click.testing import CliRunner

    from fiche.cli.main import main

    lay = project / "layouts/original.yaml"
    edit(lay, "h_mm: 22, valign: bottom}", "h_mm: 22, valign: bottom, height: content}")
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 2
    assert (
        "layouts/original.yaml:14:14: pages.front.regions.title: valign: bottom has no room "
        "to act in a box that ends where its text ends (height: content)"
    ) in result.output


def test_an_area_just_over_the_limit_is_not_told_as_the_limit():
    from fiche.check.space import Hole, _cm2

    assert _cm2(Hole(0, 0, 100, 40.3), 40) == "40.3"  # 40.3 cm², not "40 … allows 40"
    assert _cm2(Hole(0, 0, 100, 55), 40) == "55"


def test_a_style_drawn_beside_the_text_at_another_size_tells_the_larger():
    from fiche.engine.styleuse import page_styles

    assert page_styles({"list": 12.0, "h3": 14.0}, {"list": 9.0, "band-series": 14.0}) == {
        "band-series": 14.0,
        "h3": 14.0,
        "list": 12.0,
    }


def test_pages_fitted_together_share_the_smallest_point(project: Path):
    apart = _render(REPO, "n3-youth").fits
    assert apart[0].scale != apart[1].scale  # the back's shorter text grows larger
    lay = project / "layouts/youth.yaml"
    lay.write_text(lay.read_text(encoding="utf-8") + "\nfit: {pages: together}\n", encoding="utf-8")
    together = _render(project, "n3-youth").fits
    least = min(f.scale for f in apart)
    assert [f.scale for f in together] == [least, least]
    assert together[0].styles.get("list") == together[1].styles.get("list")
