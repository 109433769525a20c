"""Formats (issue 15, point 4): one-sided layouts, any trim size, the imprint optional.

Every layout here is made in a copy of the project by YAML alone, as a designer would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import yaml
from click.testing import CliRunner

from fiche.build.run import build
from fiche.check.preflight import preflight
from fiche.check.textcheck import extract_pages
from fiche.cli import main
from fiche.model.profiles import PAPERS

from .conftest import REPO, edit, line_of, write_school

MM = 72 / 25.4
DATA = Path(__file__).parent / "data" / "formats"
LANGS = ("nl", "fr", "en", "de", "tr", "pl", "uk", "ar")


SHEETS = """
  n3-a3:
    layout: a3
    front:
      title: [title]
      main: [careful]

  n3-landscape:
    layout: landscape
    front:
      title: [title]
      main: [what, not-new, why, chances, dangers]
      side: [careful]
    back:
      title: [school-title]
      tips: [school-tips]
      policy: [policy, quality, prevention]
      footer: [credits, book, more-info, design-credit]
      contact: [contact]
"""


def _add_sheets(project: Path, layouts: dict[str, str], sheets: str) -> None:
    """`layouts` (name -> YAML) into layouts/, `sheets` appended to N°3's fiche.yaml, and
    a title for each new sheet in every language."""
    for name, text in layouts.items():
        (project / "layouts" / f"{name}.yaml").write_text(text, encoding="utf-8")
    fiche = project / "content/n3/fiche.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8") + sheets, encoding="utf-8")
    names = [name for name, d in yaml.safe_load(sheets).items()] if sheets.strip() else []
    titles = "".join(f'  {s}:\n    title: "{s} N°3"\n    subject: {s}.\n' for s in names)
    for lang in LANGS:
        edit(project / f"content/n3/{lang}.yaml", "sheets:\n", "sheets:\n" + titles)


@pytest.fixture
def formats(project: Path) -> Path:
    shutil.copytree(REPO / "hyphenation", project / "hyphenation")
    # The test poster is called `a3`: the catalogue has a `poster` layout and sheet of its own.
    layouts = {
        name: (DATA / f"{file}.yaml").read_text(encoding="utf-8")
        for name, file in (("a3", "poster"), ("landscape", "landscape"))
    }
    _add_sheets(project, layouts, SHEETS)
    return project


def _pages(path: Path) -> list[tuple[float, float]]:
    """Each page's MediaBox size in millimetres."""
    with pikepdf.open(path) as pdf:
        return [
            (round(float(p.mediabox[2] - p.mediabox[0]) / MM, 1),
             round(float(p.mediabox[3] - p.mediabox[1]) / MM, 1))
            for p in pdf.pages
        ]  # fmt: skip


def _trim(path: Path) -> list[tuple[float, float]]:
    with pikepdf.open(path) as pdf:
        return [
            (round(float(p.trimbox[2] - p.trimbox[0]) / MM, 1),
             round(float(p.trimbox[3] - p.trimbox[1]) / MM, 1))
            for p in pdf.pages
        ]  # fmt: skip


def _ok(report) -> None:
    assert report.exit_code == 0, "\n".join(
        str(p) for r in report.failed for p in r.problems
    ) + "\n".join(map(str, report.problems))


def test_poster_is_one_page_in_every_profile_and_language(formats, tmp_path):
    report = build(formats, tmp_path / "dist", sheets=("n3-a3",))
    _ok(report)
    assert len(report.built) == 3 * len(LANGS)
    for r in report.built:
        path = Path(r.path)
        assert r.pages == 1
        assert len(_pages(path)) == 1
        # The build ran the preflight and the text check already; run the preflight
        # once more from outside, as `fiche check` would with the poster's trim.
        again = preflight(path, pages=1, trim_mm=(297.0, 420.0))
        assert not again.failed, [str(c) for c in again.failed]
        if r.profile == "print":
            assert _trim(path) == [(297.0, 420.0)]
        elif r.profile == "office":
            assert _pages(path) == [PAPERS["a4"]]
        else:
            assert _pages(path) == [(297.0, 420.0)]
    text = extract_pages((tmp_path / "dist/nl/n3-a3.print.pdf").read_bytes())
    assert len(text) == 1 and "Wees voorzichtig" in text[0]


def test_a_school_build_of_a_layout_without_imprint_has_none(formats, tmp_path):
    school = write_school(formats)
    report = build(formats, tmp_path / "dist", sheets=("n3-a3",), langs=("nl",), school=school)
    _ok(report)
    assert len(report.built) == 3
    name = yaml.safe_load(school.read_text(encoding="utf-8"))["name"]
    for r in report.built:
        (text,) = extract_pages(Path(r.path).read_bytes())
        assert "Wees voorzichtig" in text
        assert name not in text and "Aanspreekpunt" not in text


def test_a_one_sided_layout_may_keep_an_imprint_on_its_front(formats, tmp_path):
    edit(
        formats / "layouts/a3.yaml",
        "      main: {x_mm: 20, y_mm: 96, w_mm: 257, h_mm: 300}\n",
        "      main: {x_mm: 20, y_mm: 96, w_mm: 257, h_mm: 270}\n"
        "    imprint: {x_mm: 20, y_mm: 372, w_mm: 257, h_mm: 30, padding_mm: 3}\n",
    )
    school = write_school(formats)
    name = yaml.safe_load(school.read_text(encoding="utf-8"))["name"]
    for options, expected in (({}, "Aanspreekpunt op school"), ({"school": school}, name)):
        out = tmp_path / str(len(options))
        _ok(build(formats, out, sheets=("n3-a3",), langs=("nl",), **options))
        (path,) = out.rglob("n3-a3.print.pdf")
        (text,) = extract_pages(path.read_bytes())
        assert expected in text


def test_a4_landscape_two_sided_builds_with_its_imprint(formats, tmp_path):
    report = build(formats, tmp_path / "dist", sheets=("n3-landscape",))
    _ok(report)
    assert len(report.built) == 3 * len(LANGS)
    for r in report.built:
        assert r.pages == 2
    nl = tmp_path / "dist/nl"
    assert _trim(nl / "n3-landscape.print.pdf") == [(297.0, 210.0)] * 2
    assert _pages(nl / "n3-landscape.screen.pdf") == [(297.0, 210.0)] * 2
    assert _pages(nl / "n3-landscape.office.pdf") == [(297.0, 210.0)] * 2  # landscape paper
    back = extract_pages((nl / "n3-landscape.print.pdf").read_bytes())[1]
    assert "Aanspreekpunt op school" in back  # the imprint's space to fill in by hand


def _one_page(width: float, height: float) -> str:
    """A one-sided layout of any trim: a band, the title, one region, in proportion."""
    band, m = round(height * 0.16, 1), round(min(width, height) * 0.07, 1)
    layout = {
        "extends": "_base",
        "page": {"width_mm": width, "height_mm": height},
        "pages": {
            "front": {
                "decorations": [
                    {"kind": "rect", "x_mm": 0, "y_mm": 0, "w_mm": width, "h_mm": band}
                    | {"fill": "brand", "bleed": ["top", "left", "right"]}
                ],
                "regions": {
                    "title": {"x_mm": m, "y_mm": m / 2, "w_mm": width - 2 * m}
                    | {"h_mm": band - m, "valign": "bottom"},
                    "main": {"x_mm": m, "y_mm": band + m / 2, "w_mm": width - 2 * m}
                    | {"h_mm": height - band - m * 1.5},
                },
            }
        },
        "styles": {
            "h1": {"font": "lato-black", "size_pt": [16, 34], "leading": 1.05}
            | {"color": "white", "hyphenate": False}
        },
    }
    return yaml.safe_dump(layout, sort_keys=False)


@pytest.mark.parametrize(
    ("width", "height", "office_landscape"),
    [(148, 210, True), (210, 148, False), (297, 210, True), (420, 297, True)]
    + [(215.9, 279.4, False)],
    ids=["A5", "A5-landscape", "A4-landscape", "A3-landscape", "Letter"],
)
def test_any_trim_size_builds_in_every_profile(project, tmp_path, width, height, office_landscape):
    """On paper, A5 goes two up across the sheet (two portrait cards side by side on
    landscape paper), anything else on paper turned like the design."""
    sheet = (
        "\n  n3-card:\n    layout: card\n    front:\n      title: [title]\n      main: [careful]\n"
    )
    _add_sheets(project, {"card": _one_page(width, height)}, sheet)
    for paper in ("a4", "letter"):
        out = tmp_path / paper
        report = build(project, out, sheets=("n3-card",), langs=("nl",), paper=paper)
        _ok(report)
        assert len(report.built) == 3
        assert _trim(out / "nl/n3-card.print.pdf") == [(width, height)]
        media = _pages(out / "nl/n3-card.print.pdf")[0]
        assert media[0] > width + 10 and media[1] > height + 10  # bleed and crop marks
        office = "office" if paper == "a4" else f"office-{paper}"
        short, long = sorted(PAPERS[paper])
        assert _pages(out / f"nl/n3-card.{office}.pdf") == [
            (long, short) if office_landscape else (short, long)
        ]
        assert _pages(out / "nl/n3-card.screen.pdf") == [(width, height)]


def _validate(project: Path):
    return CliRunner().invoke(main, ["validate", "--root", str(project)])


def test_a_back_for_a_one_sided_layout_is_an_error(formats):
    fiche = formats / "content/n3/fiche.yaml"
    a3 = "    layout: a3\n    front:\n      title: [title]\n      main: [careful]\n"
    edit(fiche, a3, a3 + "    back:\n      main: [spread]\n")
    result = _validate(formats)
    assert result.exit_code == 2
    line = line_of(fiche, "      main: [spread]") - 1
    assert (
        f"content/n3/fiche.yaml:{line}:5: sheets.n3-a3.back: layout 'a3' has one "
        "page: a sheet drawn with it has no 'back' (regions of its front: title, main)"
    ) in result.output
    report = build(formats, formats / "dist", sheets=("n3-a3",), langs=("nl",))
    assert report.exit_code == 2


def test_a_two_sided_sheet_without_back_keeps_its_message(formats):
    fiche = formats / "content/n3/fiche.yaml"
    text = fiche.read_text(encoding="utf-8")
    start = text.index("  n3-landscape:")
    cut = text.index("    back:", start)
    fiche.write_text(text[:cut], encoding="utf-8")
    result = _validate(formats)
    assert result.exit_code == 2
    line = line_of(fiche, "  n3-landscape:") + 1
    assert (
        f"content/n3/fiche.yaml:{line}:5: sheets.n3-landscape: required field 'back' is missing"
    ) in result.output


def test_new_fiche_on_a_one_sided_layout_has_no_back(formats):
    shutil.copytree(REPO / "schemas", formats / "schemas")
    args = ["new", "n4-poster", "--root", str(formats), "--series", "cyberpesten"]
    result = CliRunner().invoke(main, [*args, "--number", "4", "--layout", "a3"])
    assert result.exit_code == 0, result.output
    defn = yaml.safe_load((formats / "content/n4-poster/fiche.yaml").read_text(encoding="utf-8"))
    assert set(defn["sheets"]["n4-poster"]) == {"layout", "front"}
    assert len(pypdfium2.PdfDocument(formats / "dist/nl/n4-poster.screen.pdf")) == 1


def test_fiche_check_is_told_the_pages_and_trim_of_a_poster(formats, tmp_path):
    out = tmp_path / "dist"
    _ok(build(formats, out, sheets=("n3-a3",), langs=("nl",), profiles=("print",)))
    path = str(out / "nl/n3-a3.print.pdf")
    default = CliRunner().invoke(main, ["check", path])
    assert default.exit_code == 2
    assert "FAIL pages: 1 pages, expected 2" in default.output
    assert "TrimBox is 297.0×420.0 mm, expected 210×297 mm" in default.output
    told = CliRunner().invoke(main, ["check", "--pages", "1", "--trim", "297", "420", path])
    assert told.exit_code == 0, told.output
    assert "PASS page boxes: TrimBox 297×420 mm and BleedBox +3 mm" in told.output


def test_an_imprint_on_the_front_of_a_two_sided_layout_is_an_error(project):
    # the imprint is drawn on the last page only: on the front of a two-sided layout
    # it would be silently dropped, and a stack would keep its room empty
    layout = project / "layouts/original.yaml"
    edit(
        layout,
        "      side: {x_mm: 125, y_mm: 48, w_mm: 71, h_mm: 236,",
        "      side: {x_mm: 125, y_mm: 48, w_mm: 71, h_mm: 180,",
    )
    edit(
        layout,
        "  back:\n",
        "    imprint: {x_mm: 125, y_mm: 250, w_mm: 71, h_mm: 30}\n  back:\n",
    )
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 2
    line = line_of(layout, "imprint: {x_mm: 125")
    assert f"layouts/original.yaml:{line}:" in result.output
    assert "pages.front.imprint: the imprint is drawn on the last page (back)" in result.output
