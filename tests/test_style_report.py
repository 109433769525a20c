"""The styles each page uses and their sizes: reported as drawn, compared across builds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from click.testing import CliRunner

from fiche.build.run import build
from fiche.cli.main import main
from fiche.model.catalog import load_catalog

from .conftest import REPO, edit

YOUTH = ("n3-youth",)


def _drawn_sizes(pdf_path: Path) -> list[set[float]]:
    """Per page, the sizes (pt) of every visible character of the PDF's text."""
    pdf = pdfium.PdfDocument(pdf_path)
    pages = []
    for page in pdf:
        text = page.get_textpage()
        pages.append(
            {
                round(pdfium_c.FPDFText_GetFontSize(text, i), 2)
                for i in range(text.count_chars())
                if text.get_text_range(i, 1).strip()
            }
        )
    return pages


def test_the_pupils_sheet_sets_no_body_text_and_reports_none(tmp_path):
    """n3-youth has no paragraph in `body` on either page, though its layout gives body a
    range: body is reported on neither page, in any language."""
    cat = load_catalog(REPO)
    lo, hi = cat.layouts["youth"].styles["body"].size_range
    assert lo < hi
    report = build(REPO, tmp_path, profiles=("print",), sheets=YOUTH)
    assert report.exit_code == 0 and report.built
    for r in report.built:
        assert list(r.styles) == ["front", "back"]
        for side, styles in r.styles.items():
            assert "body" not in styles, (r.job.lang, side)
            assert styles and all(pt > 0 for pt in styles.values())
        # what the front's regions set: its title, headings, a definition and callouts
        assert {"h1", "h3", "list", "term", "callout"} <= set(r.styles["front"])
        assert {"tip", "badge", "imprint-title", "band-series"} <= set(r.styles["back"])


@pytest.mark.parametrize("school", [False, True], ids=["catalogue", "school"])
def test_the_sizes_reported_are_the_sizes_drawn(project, school):
    """Every text of the PDF is set at a size reported for its page, and every size
    reported is used on that page: the header's texts and the imprint's too."""
    args = {"school": REPO / "examples/school.yaml"} if school else {}
    report = build(project, project / "dist", profiles=("print",), langs=("nl",), **args)
    assert report.exit_code == 0, report.problems
    assert len(report.built) == 5
    for r in report.built:
        drawn = _drawn_sizes(Path(r.path))
        assert len(drawn) == len(r.styles) == r.pages
        for (side, styles), sizes in zip(r.styles.items(), drawn, strict=True):
            assert set(styles.values()) == sizes, (r.job.sheet, side)
        # a school's contact lines are set in `imprint` (the pocket card and the poster
        # have none)
        if school and r.job.sheet not in ("n3-pocket", "n3-poster"):
            assert "imprint" in r.styles["back"]


def _cli_build(project: Path, *args: str) -> str:
    result = CliRunner().invoke(
        main,
        ["build", "--root", str(project), "--lang", "nl", "--sheet", "n3-youth", *args],
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_a_changed_range_is_told_per_page_and_style(project):
    layout = project / "layouts/youth.yaml"
    first = _cli_build(project, "--profile", "print", "--profile", "office")
    assert "→" not in first  # nothing to compare with
    before = json.loads((project / "dist/manifest.json").read_text(encoding="utf-8"))
    was = before["styles"]["nl/n3-youth.print.pdf"]

    # The back's tips are set at the top of their range; a lower top moves them.
    edit(layout, "tip: {font: lato, size_pt: [11, 17]", "tip: {font: lato, size_pt: [11, 14]")
    second = _cli_build(project, "--profile", "print", "--profile", "office")
    now = json.loads((project / "dist/manifest.json").read_text(encoding="utf-8"))
    now = now["styles"]["nl/n3-youth.print.pdf"]
    assert now["back"]["tip"] == 14.0 != was["back"]["tip"]
    lines = [line.strip() for line in second.splitlines() if "→" in line]
    # one line per changed page, told once for both profiles
    assert len(lines) == len({side for side in now if now[side] != was[side]}) >= 1
    back = next(line for line in lines if line.startswith("n3-youth (nl) back: "))
    told_tip = re.search(r"tip ([\d.]+) → 14\.0 pt", back)
    assert told_tip and float(told_tip[1]) == pytest.approx(was["back"]["tip"], abs=0.01)
    changed = {
        name
        for side in now
        for name, pt in now[side].items()
        if name in was[side] and was[side][name] != pt
    }
    told = set(re.findall(r"([a-z0-9-]+) [\d.]+ → [\d.]+ pt", "\n".join(lines)))
    assert told == changed

    # A range on a style no page of the sheet uses changes nothing and tells nothing.
    edit(layout, "body: {font: lato, size_pt: [11, 15]", "body: {font: lato, size_pt: [12, 20]")
    third = _cli_build(project, "--profile", "print", "-v")
    assert "built " in third and "→" not in third and "body" not in third
    # -v tells every page's styles and sizes
    assert re.search(r"n3-youth\.print \(nl\) back: .*tip 14\.0 pt", third)


def test_quiet_when_nothing_changed(project):
    _cli_build(project, "--profile", "screen")
    again = _cli_build(project, "--profile", "screen", "--force")
    assert "built " in again and "→" not in again and " pt" not in again


def test_a_manifest_of_the_version_before_is_read_and_the_new_one_stays_readable(project):
    out = project / "dist"
    build(project, out, langs=("nl",), sheets=YOUTH, profiles=("print",))
    path = out / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    # the version before reads `outputs` entries into its Entry: no key it does not know
    old_keys = {
        "path",
        "fiche",
        "series",
        "number",
        "sheet",
        "lang",
        "profile",
        "pages",
        "bytes",
        "sha256",
        "input_hash",
        "warnings",
    }
    assert {k for e in data["outputs"] for k in e} == old_keys
    assert set(data["styles"]) == {"nl/n3-youth.print.pdf"}

    # A manifest as the version before wrote it (no styles): read, nothing told, migrated.
    del data["styles"]
    path.write_text(json.dumps(data), encoding="utf-8")
    again = build(project, out, langs=("nl",), sheets=YOUTH, profiles=("print",), force=True)
    assert again.exit_code == 0
    assert [r.style_changes() for r in again.built] == [{}]
    assert json.loads(path.read_text(encoding="utf-8"))["styles"]

    # Styles that are not fiche's (edited by hand) are left out, never a crash.
    data = json.loads(path.read_text(encoding="utf-8"))
    data["styles"]["nl/n3-youth.print.pdf"] = {"front": {"h3": "big", "list": True}, "back": 3}
    path.write_text(json.dumps(data), encoding="utf-8")
    third = build(project, out, langs=("nl",), sheets=YOUTH, profiles=("print",), force=True)
    assert third.exit_code == 0
    assert [r.before for r in third.built] == [{"front": {}}]
    assert [r.style_changes() for r in third.built] == [{}]
