"""Text that runs into a decoration, another region or the imprint (issue 15, point 3):
an error naming both, before anything is written; a layout's regions half on a shape
are refused at `fiche validate`; `fiche validate --fit` draws every sheet."""

from __future__ import annotations

import dataclasses
import functools
import shutil

from click.testing import CliRunner

from fiche.build.fitcheck import FIT_PROFILE, render_sheet
from fiche.check.collisions import collision_problems
from fiche.cli.main import main
from fiche.model.catalog import Job, load_catalog
from fiche.model.layout import Page as LayoutPage
from fiche.model.layout import _shape_problems
from fiche.model.profiles import PROFILES
from fiche.model.source import Source
from fiche.typeset.sheet import typeset

from .conftest import REPO, edit, line_of

YOUTH = REPO / "layouts/youth.yaml"


@functools.cache
def _youth():
    """N°3's pupils' sheet in Dutch, drawn: its layout's front has the number's circle."""
    cat = load_catalog(REPO)
    sheet = typeset(cat, Job("n3", "n3-youth", "nl"))
    result = render_sheet(cat, sheet, PROFILES[FIT_PROFILE])
    return sheet, cat.layout_for(sheet.layout, sheet.lang), cat.layout_srcs[sheet.layout], result


def _problems(front=None, back=None):
    """The collisions of the pupils' sheet with its pages' drawn lists changed."""
    sheet, layout, src, result = _youth()
    drawn = (front or result.drawn[0], back or result.drawn[1])
    return collision_problems(sheet, layout, src, drawn)


def _moved(drawn, region: str, dx: float, dy: float, box: bool = True):
    """What is drawn in `region` moved by (dx, dy) mm, and with `box` the region's box
    too (as a stack might move it; without, as a stack gone wrong)."""

    def move(d):
        if d.region != region or d.what == "decoration" or (d.what == "region" and not box):
            return d
        ink = d.ink_x_mm and (d.ink_x_mm[0] + dx, d.ink_x_mm[1] + dx)
        return dataclasses.replace(d, x_mm=d.x_mm + dx, y_mm=d.y_mm + dy, ink_x_mm=ink)

    return tuple(move(d) for d in drawn)


def test_the_catalogue_has_no_collision_and_a_title_on_its_band_is_none():
    sheet, layout, _, result = _youth()
    band = layout.pages.front.decorations[0]
    (title,) = [d for d in result.drawn[0] if d.what == "text" and d.region == "title"]
    # the title's text lies on the band, which holds its whole region: its background
    x, y, w, h = title.ink_box
    assert band.y_mm < y and y + h < band.y_mm + band.h_mm and band.kind == "rect"
    assert _problems() == []


def test_a_title_moved_into_the_circle_is_an_error_naming_both():
    _, layout, _, result = _youth()
    circle = layout.pages.front.decorations[1]
    assert circle.kind == "circle"
    (title,) = [d for d in result.drawn[0] if d.what == "text" and d.region == "title"]
    right = title.ink_box[0] + title.ink_box[2]
    # the title's last letter 3 mm past the circle's left edge, at its height
    dx = circle.x_mm - circle.r_mm + 3 - right
    dy = circle.y_mm - (title.y_mm + title.h_mm / 2)
    (p,) = _problems(front=_moved(result.drawn[0], "title", dx, dy, box=False))
    nl = REPO / "content/n3/nl.yaml"
    assert (p.path, p.line, p.field) == (
        "content/n3/nl.yaml",
        line_of(nl, "text: Sexting"),
        "blocks.title",
    )
    assert (
        "sheet n3-youth (nl), front page: the text of block 'title' in region 'title'" in p.message
    )
    assert "runs into the circle decoration (pages.front.decorations[1], " in p.message
    assert f"layouts/youth.yaml:{line_of(YOUTH, 'kind: circle')})" in p.message
    assert "by 3.0 mm" in p.message


def test_a_circle_is_measured_as_a_circle():
    _, layout, _, result = _youth()
    c = layout.pages.front.decorations[1]
    (title,) = [d for d in result.drawn[0] if d.what == "text" and d.region == "title"]
    x, y, w, h = title.ink_box
    # the text's bottom-right corner up and left of the circle's centre, 1 mm outside
    # its edge on the diagonal: inside the circle's square, outside the circle
    off = (c.r_mm + 1) / 2**0.5
    dx, dy = c.x_mm - off - (x + w), c.y_mm - off - (y + h)
    assert _problems(front=_moved(result.drawn[0], "title", dx, dy, box=False)) == []
    off = (c.r_mm - 1) / 2**0.5  # 1 mm inside
    dx, dy = c.x_mm - off - (x + w), c.y_mm - off - (y + h)
    (p,) = _problems(front=_moved(result.drawn[0], "title", dx, dy, box=False))
    assert "by 1.0 mm" in p.message


def test_a_region_moved_off_its_band_runs_into_it():
    _, _, _, result = _youth()
    # down by 10 mm: the title region no longer lies wholly on the band
    (p,) = _problems(front=_moved(result.drawn[0], "title", 0, 10))
    assert "runs into a rectangle decoration (pages.front.decorations[0]" in p.message


def test_text_in_another_region_or_the_imprint():
    _, _, _, result = _youth()
    side = next(d for d in result.drawn[0] if d.region == "side")
    main = next(d for d in result.drawn[0] if d.what == "region" and d.region == "main")
    # the side panel's text moved 20 mm to the left, its box staying put
    problems = _problems(front=_moved(result.drawn[0], "side", -20, 0, box=False))
    assert problems and all("runs into region 'main'" in p.message for p in problems)
    assert side.x_mm - 20 < main.x_mm + main.w_mm
    # the back's main column pushed 40 mm down, onto the imprint
    (p, *_) = [
        p for p in _problems(back=_moved(result.drawn[1], "main", 0, 40)) if "imprint" in p.message
    ]
    assert "back page" in p.message and "runs into the imprint (pages.back.imprint, " in p.message


def test_header_text_is_as_wide_as_it_was_set():
    _, _, _, result = _youth()
    series, number = [d for d in result.drawn[0] if d.what == "decoration"]
    # "{number_label}" ("N°3") is centred on the circle and far narrower than its 30 mm
    assert 5 < number.w_mm < 20 and abs(number.x_mm + number.w_mm / 2 - 188) < 0.01
    assert number.y_mm < 35.5 < number.y_mm + number.h_mm  # around its baseline
    (title,) = [d for d in result.drawn[0] if d.what == "text" and d.region == "title"]
    # the title's first line moved up onto the series name
    dy = series.y_mm - title.y_mm
    problems = _problems(front=_moved(result.drawn[0], "title", series.x_mm - title.x_mm, dy))
    assert any(
        "runs into the header text '{series}' (pages.front.decorations[2]" in p.message
        for p in problems
    )


# --- the layout checked at `fiche validate`


def _shapes(decorations: list[dict], region: dict) -> list[str]:
    page = LayoutPage.model_validate({"decorations": decorations, "regions": {"title": region}})
    return [p.message for p in _shape_problems(Source("layouts/t.yaml", {}), "front", page)]


BAND = {"kind": "rect", "x_mm": 0, "y_mm": 0, "w_mm": 210, "h_mm": 56, "fill": "brand"}
CIRCLE = {"kind": "circle", "x_mm": 188, "y_mm": 30, "r_mm": 17, "fill": "sun"}


def test_a_region_lies_wholly_on_a_shape_or_off_it():
    title = {"x_mm": 16, "y_mm": 20, "w_mm": 140, "h_mm": 30}
    assert _shapes([BAND, CIRCLE], title) == []  # on the band, beside the circle
    assert _shapes([BAND], {**title, "y_mm": 40}) == [
        "region 'title' lies partly on the rectangle decoration pages.front.decorations[0] "
        "(layouts/t.yaml:1): its text would run into it; put the region wholly on the shape "
        "or off it"
    ]
    (msg,) = _shapes([BAND, CIRCLE], {**title, "w_mm": 160})
    assert "partly on the circle decoration pages.front.decorations[1]" in msg
    # in the circle's square but not in the circle
    assert _shapes([CIRCLE], {"x_mm": 160, "y_mm": 0, "w_mm": 15, "h_mm": 15}) == []
    assert _shapes([BAND], {"x_mm": 16, "y_mm": 60, "w_mm": 100, "h_mm": 30}) == []


def _title_into_the_circle(project):
    edit(
        project / "layouts/youth.yaml",
        "title: {x_mm: 16, y_mm: 20, w_mm: 140,",
        "title: {x_mm: 16, y_mm: 20, w_mm: 165,",
    )


def test_a_title_region_over_the_circle_fails_validate_and_the_build(project):
    _title_into_the_circle(project)
    layout = project / "layouts/youth.yaml"
    where = f"layouts/youth.yaml:{line_of(layout, '  title: {')}"
    circle = f"pages.front.decorations[1] (layouts/youth.yaml:{line_of(layout, 'kind: circle')})"
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 2
    assert where in result.output and "region 'title' lies partly on the circle" in result.output
    assert circle in result.output
    out = project / "dist"
    args = [
        "build",
        "--root",
        str(project),
        "--out",
        str(out),
        "--sheet",
        "n3-youth",
        "--lang",
        "nl",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and circle in result.output
    assert not list(out.rglob("*.pdf"))


def test_text_running_into_the_header_fails_the_build_before_writing(project):
    # the series name set over the title: only the drawn texts tell (the layout check cannot)
    edit(
        project / "layouts/youth.yaml",
        "{kind: text, x_mm: 16, y_mm: 15, style: band-series,",
        "{kind: text, x_mm: 16, y_mm: 46, style: band-series,",
    )
    out = project / "dist"
    args = [
        "build",
        "--root",
        str(project),
        "--out",
        str(out),
        "--sheet",
        "n3-youth",
        "--lang",
        "nl",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    nl = f"content/n3/nl.yaml:{line_of(project / 'content/n3/nl.yaml', 'text: Sexting')}"
    assert (
        f"{nl}:11: blocks.title: sheet n3-youth (nl), front page: the text of block 'title'"
        in result.output
    )
    assert "runs into the header text '{series}' (pages.front.decorations[2], " in result.output
    assert not list(out.rglob("*.pdf"))
    result = CliRunner().invoke(main, ["validate", "--root", str(project), "--fit"])
    assert result.exit_code == 2 and "header text '{series}'" in result.output


def test_the_catalogue_fills_its_pages_even_when_strict():
    result = CliRunner().invoke(main, ["validate", "--root", str(REPO), "--fit", "--strict"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_validate_fit_warns_of_empty_areas_and_fails_on_them_when_strict(project):
    shutil.copytree(REPO / "hyphenation", project / "hyphenation")
    # too little text for the side panel of the original sheet
    edit(project / "content/n3/fiche.yaml", "side: [careful, spread]", "side: [careful]")
    result = CliRunner().invoke(main, ["validate", "--root", str(project), "--fit"])
    assert result.exit_code == 0, result.output
    assert "warning: n3-sexting (nl) front: an empty area of " in result.output
    assert "in region 'side'" in result.output
    assert "all 40 sheets fit" in result.output  # 5 sheets x 8 languages
    result = CliRunner().invoke(main, ["validate", "--root", str(project), "--fit", "--strict"])
    assert result.exit_code == 2 and "which fail with --strict" in result.output


def test_text_in_a_region_wholly_on_the_circle_lies_on_its_background():
    # validation accepts a region wholly on a shape: its text may sit on it (a number
    # in a badge), as on a rectangle that holds the whole region
    sheet, layout, src, result = _youth()
    circle = layout.pages.front.decorations[1]
    x, y = circle.x_mm - 5, circle.y_mm - 14  # above the number set in it

    def inside(d):
        if d.region != "title" or d.what not in ("region", "text"):
            return d
        return dataclasses.replace(d, x_mm=x, y_mm=y, w_mm=10, h_mm=6, ink_x_mm=(x, x + 8))

    assert _problems(front=tuple(inside(d) for d in result.drawn[0])) == []
