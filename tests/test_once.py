"""A sheet × language set and fitted once, then drawn for each of its profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

import fiche.build.job as job_module
from fiche.build.job import build_job, build_profiles
from fiche.build.run import Task, _by_sheet, build
from fiche.model.catalog import Job, load_catalog
from fiche.model.profiles import PROFILES
from fiche.model.school import load_school
from fiche.paint import render
from fiche.paint.render import draw_sheet, fit_sheet
from fiche.typeset.sheet import typeset

from .conftest import REPO, edit

CATALOG = load_catalog(REPO)
SCHOOL = load_school(REPO / "examples/school.yaml")


def _fitted(job: Job, school=None) -> render.FittedSheet:
    sheet = typeset(CATALOG, job, school)
    return fit_sheet(
        sheet,
        CATALOG.layout_for(sheet.layout, sheet.lang),
        REPO / "assets",
        layout_path=CATALOG.layout_srcs[sheet.layout].path,
        hyphenation_dir=REPO / "hyphenation",
    )


@pytest.mark.parametrize(
    ("school", "langs"), [(None, ()), (SCHOOL, ("nl",))], ids=["catalogue", "school"]
)
def test_every_profile_fits_every_sheet_alike(school, langs):
    # What fitting once relies on: set with any profile's colours, links, bookmarks and
    # tags, every page of every sheet gets the same sizes and boxes, with a school's
    # imprint too (in one language, to keep the suite short).
    for job in CATALOG.jobs(langs):
        fitted = _fitted(job, school)
        for profile in PROFILES.values():
            fits = render._fit_pages(render._context(fitted, profile))
            assert fits == fitted.fits, (job, profile.name)


def test_profiles_built_together_are_the_bytes_of_each_built_alone():
    job = Job("n3", "n3-sexting", "nl")
    alone = {name: build_job(CATALOG, job, p).pdf for name, p in PROFILES.items()}
    # in another order than PROFILES': no draw leaves anything behind for the next
    order = ["screen", "print", "office"]
    together = build_profiles(CATALOG, job, [PROFILES[n] for n in order])
    for name, out in zip(order, together, strict=True):
        assert not isinstance(out, Exception)
        assert out.pdf == alone[name], name


def test_a_fitted_sheet_drawn_twice_draws_the_same():
    # The tagger, the outline and the flowables belong to one draw: a second draw of
    # the same fitted sheet numbers its marks and bookmarks from the start again.
    fitted = _fitted(Job("n3", "n3-youth", "fr"))
    first = draw_sheet(fitted, PROFILES["screen"])
    draw_sheet(fitted, PROFILES["print"])
    again = draw_sheet(fitted, PROFILES["screen"])
    assert first.marks and again.marks == first.marks
    assert again.pdf == first.pdf and again.drawn == first.drawn


@pytest.fixture
def fits_counted(monkeypatch) -> list[str]:
    """The sheets fitted in this process, one entry per fit."""
    fitted: list[str] = []

    def counting(sheet, *args, **kwargs):
        fitted.append(f"{sheet.sheet}/{sheet.lang}")
        return fit_sheet(sheet, *args, **kwargs)

    monkeypatch.setattr(job_module, "fit_sheet", counting)
    return fitted


def test_a_sheet_is_fitted_once_for_all_its_profiles(project, fits_counted):
    out = project / "dist"
    report = build(project, out, langs=("nl",), sheets=("n3-sexting", "n3-youth"), jobs=1)
    assert len(report.built) == 6 and report.exit_code == 0
    assert sorted(fits_counted) == ["n3-sexting/nl", "n3-youth/nl"]
    # One output gone: only it is made again, from one more fit; the others are up to date.
    (out / "nl/n3-sexting.office.pdf").unlink()
    again = build(project, out, langs=("nl",), sheets=("n3-sexting", "n3-youth"), jobs=1)
    assert [Path(r.path).name for r in again.results if not r.skipped] == ["n3-sexting.office.pdf"]
    assert len(again.skipped) == 5 and again.exit_code == 0
    assert sorted(fits_counted) == ["n3-sexting/nl", "n3-sexting/nl", "n3-youth/nl"]


def test_a_sheet_that_does_not_fit_fails_each_of_its_outputs_once(project):
    long = " ".join(["Dit is een extra zin die de ruimte in de kolom opvult."] * 40)
    edit(
        project / "content/n3/nl.yaml",
        "      - Het hoort bij flirten, voor je een relatie start.",
        f"      - Het hoort bij flirten, voor je een relatie start. {long}",
    )
    # two workers, each given every profile of one sheet
    report = build(
        project, project / "dist", langs=("nl",), sheets=("n3-sexting", "n3-school"), jobs=2
    )
    failed = sorted((r.job.sheet, r.profile) for r in report.failed)
    assert failed == [("n3-sexting", p) for p in ("office", "print", "screen")]
    for r in report.failed:
        (problem,) = r.problems
        assert "does not fit: sheet n3-sexting (nl), front page" in str(problem)
    assert sorted(r.profile for r in report.built) == ["office", "print", "screen"]
    assert report.exit_code == 2 and str(report).startswith("3 built, 0 up to date, 3 failed")


def test_the_profiles_of_a_sheet_go_to_one_worker():
    def tasks(sheet: str, lang: str) -> list[Task]:
        job = Job("n3", sheet, lang)
        return [Task(job, p, f"{lang}/{sheet}{p.suffix}.pdf", "") for p in PROFILES.values()]

    a, b = tasks("n3-youth", "nl"), tasks("n3-school", "fr")
    assert _by_sheet([a[0], b[0], a[1], b[1], a[2]]) == [tuple(a), tuple(b[:2])]
    assert _by_sheet([]) == []
