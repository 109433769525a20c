"""What a drawn sheet is checked for before its PDF is made, and `fiche validate --fit`.

`drawn_checks` runs on every job of a build, between drawing and post-processing: text
that runs into a decoration, another region or the imprint is an error; a page whose
body keeps a larger empty area than its layout allows is a warning. `check_fit` sets and
draws every sheet of the catalogue in every language, without writing a file, and
reports the same, with any text that does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fiche.check.collisions import collision_problems
from fiche.check.space import empty_area_warnings
from fiche.core.errors import FicheError, Problem
from fiche.model.profiles import PROFILES, Profile
from fiche.paint.render import RenderResult, render_pdf
from fiche.typeset.sheet import TypesetSheet, typeset

if TYPE_CHECKING:
    from fiche.model.catalog import Catalog

# Fitting does not depend on the profile (each draws the same page on its own paper):
# one is enough to check it, the one with the trim and bleed of the printed sheet.
FIT_PROFILE = "print"


@dataclass
class FitReport:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheets: int = 0  # sheet × language set and drawn


def render_sheet(cat: Catalog, sheet: TypesetSheet, profile: Profile) -> RenderResult:
    return render_pdf(
        sheet,
        cat.layout_for(sheet.layout, sheet.lang),
        profile,
        cat.root / "assets",
        layout_path=cat.layout_srcs[sheet.layout].path,
        hyphenation_dir=cat.root / "hyphenation",
    )


def drawn_checks(cat: Catalog, sheet: TypesetSheet, result: RenderResult) -> list[str]:
    """The empty-area warnings of the drawn sheet; raises `FicheError` on a collision."""
    # the layout as drawn: mirrored, where the sheet reads right to left
    layout, src = cat.layout_for(sheet.layout, sheet.lang), cat.layout_srcs[sheet.layout]
    problems = collision_problems(sheet, layout, src, result.drawn)
    if problems:
        raise FicheError(problems)
    return empty_area_warnings(sheet, layout, src.path, result.drawn)


def check_fit(cat: Catalog) -> FitReport:
    """Every sheet in every language set and drawn for the print profile, nothing
    written: what does not fit or collides, and the pages left too white. A sheet that
    cannot be loaded is left to `fiche validate`'s own problems."""
    report = FitReport()
    profile = PROFILES[FIT_PROFILE]
    for job in cat.jobs():
        if cat.job_problems(job):
            continue
        try:
            sheet = typeset(cat, job)
            report.warnings += drawn_checks(cat, sheet, render_sheet(cat, sheet, profile))
        except FicheError as e:
            report.problems += e.problems
        report.sheets += 1
    return report
