"""One sheet × language into checked PDF bytes, in one or more profiles.

`build_profiles` reads like the data flow: typeset → fit, once; then for each profile
draw → check what was drawn → post-process → check the PDF.
Importing this module loads every stage (ReportLab, pikepdf, pydantic): `run` imports
it only when there is a job to build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fiche.build.fitcheck import drawn_checks
from fiche.check.preflight import PreflightReport, preflight
from fiche.check.textcheck import (
    compare_in_order,
    labels_first,
    missing_characters,
    structure_text,
)
from fiche.core.builddate import build_date
from fiche.core.colour import icc_path
from fiche.core.errors import FicheError, Problem
from fiche.model.jobs import Job
from fiche.model.languages import rules_for
from fiche.model.profiles import Profile
from fiche.paint.render import FittedSheet, RenderResult, draw_sheet, fit_sheet
from fiche.pdf.postprocess import DocMeta, postprocess
from fiche.typeset.sheet import TypesetSheet, expected_text, typeset

if TYPE_CHECKING:
    from fiche.model.catalog import Catalog
    from fiche.model.school import LoadedSchool


@dataclass(frozen=True)
class JobOutput:
    pdf: bytes
    # per page side, in page order: the styles its text is set in -> size in pt
    styles: dict[str, dict[str, float]]
    warnings: tuple[str, ...]
    pages: int


def build_job(
    cat: Catalog,
    job: Job,
    profile: Profile,
    strict: bool = False,
    school: LoadedSchool | None = None,
) -> JobOutput:
    """One sheet in one language and profile into checked PDF bytes.

    Raises `FicheError` on any defect, a collision too; with `strict`, the preflight's
    warnings and those about empty areas count too.
    """
    (out,) = build_profiles(cat, job, (profile,), strict, school)
    if isinstance(out, FicheError):
        raise out
    return out


def build_profiles(
    cat: Catalog,
    job: Job,
    profiles: Sequence[Profile],
    strict: bool = False,
    school: LoadedSchool | None = None,
) -> list[JobOutput | FicheError]:
    """One sheet in one language, set and fitted once, then drawn and checked for each
    of `profiles`: per profile, in their order, its output or what is wrong with it (as
    `build_job` would raise it). A sheet that cannot be set or fitted fails every one."""
    try:
        sheet = typeset(cat, job, school)
        fitted = fit_sheet(
            sheet,
            cat.layout_for(sheet.layout, sheet.lang),
            cat.root / "assets",
            layout_path=cat.layout_srcs[sheet.layout].path,
            hyphenation_dir=cat.root / "hyphenation",
        )
    except FicheError as e:
        return [e] * len(profiles)
    outs: list[JobOutput | FicheError] = []
    for profile in profiles:
        try:
            outs.append(_drawn_job(cat, job, sheet, fitted, profile, strict))
        except FicheError as e:
            outs.append(e)
    return outs


def _drawn_job(
    cat: Catalog,
    job: Job,
    sheet: TypesetSheet,
    fitted: FittedSheet,
    profile: Profile,
    strict: bool,
) -> JobOutput:
    result = draw_sheet(fitted, profile)
    # Collisions fail here, before the PDF is made; a page left too white is a warning.
    layout_warnings = drawn_checks(cat, sheet, result)
    pdf = _postprocess(cat, job, sheet, profile, result)
    where = f"sheet {job.sheet} ({job.lang}, {profile.name})"
    report = _check(cat, sheet, profile, pdf, where, strict=strict, layout_warnings=layout_warnings)
    warnings = tuple(f"preflight {c.name}: {c.detail}" for c in report.warnings)
    warnings += tuple(layout_warnings)
    styles = {f.side: f.styles for f in result.fits}
    return JobOutput(pdf, styles, warnings, len(sheet.pages))


def _postprocess(
    cat: Catalog, job: Job, sheet: TypesetSheet, profile: Profile, result: RenderResult
) -> bytes:
    meta = DocMeta(
        title=sheet.title,
        author=sheet.author,
        subject=sheet.subject,
        lang=job.lang,
        identity=f"{job.fiche}/{job.sheet}/{job.lang}/{profile.suffix}",
        date=build_date(),
    )
    icc = icc_path(cat.root / "assets")
    return postprocess(result.pdf, result.boxes, meta, profile, icc, result.marks)


def _check(
    cat: Catalog,
    sheet: TypesetSheet,
    profile: Profile,
    pdf: bytes,
    where: str,
    *,
    strict: bool,
    layout_warnings: list[str],
) -> PreflightReport:
    """The preflight's report on `pdf`; raises `FicheError` if it fails (or, with
    `strict`, it or `layout_warnings` warn) or the PDF does not give back every word it
    was made from."""
    layout = cat.layout_for(sheet.layout, sheet.lang)
    expected = expected_text(sheet)
    report = preflight(
        pdf,
        name=where,
        profile=profile,
        pages=len(sheet.pages),
        bleed_mm=layout.page.bleed_mm,
        trim_mm=(layout.page.width_mm, layout.page.height_mm),
        source="\n".join(t for _, texts in expected for t in texts),
    )
    bad = report.failed + (report.warnings if strict else [])
    problems = [Problem.general(f"{where}: preflight {c.name}: {c.detail}") for c in bad]
    problems += [Problem.general(f"{where}: {w}") for w in layout_warnings if strict]
    if not report.texts:  # the preflight could not open the file: it failed already
        raise FicheError(problems)
    # Our own PDFs must give back every word they were made from, as the preflight read them.
    if rules_for(sheet.lang).rtl:
        problems += _rtl_lost(where, pdf, expected, report.texts)
    else:
        for (side, texts), text in zip(expected, report.texts, strict=True):
            # a Latin page in a mirrored layout: numbers read at the ends of lines
            found = compare_in_order(
                labels_first(text) if layout.direction == "rtl" else text, texts
            )
            for lost in found.missing:
                problems.append(
                    Problem.general(
                        f"{where}: {side} page: text not found in "
                        f"the PDF in reading order: {lost[:60]!r}"
                    )
                )
            for twice in found.doubled:
                problems.append(
                    Problem.general(
                        f"{where}: {side} page: text drawn twice in a row: {twice[:60]!r}"
                    )
                )
    if problems:
        raise FicheError(problems)
    return report


def _rtl_lost(
    where: str, pdf: bytes, expected: list[tuple[str, list[str]]], pages: list[str]
) -> list[Problem]:
    """What a right-to-left PDF does not give back: every text in order through the
    structure; on each page every character, in whatever order its reader guesses
    (RTL-NOTES: no reader orders mixed lines exactly from the page)."""
    problems = _lost(where, "the structure", structure_text(pdf), expected)
    for (side, texts), text in zip(expected, pages, strict=True):
        lost = missing_characters(text, texts)
        if lost:
            problems.append(
                Problem.general(
                    f"{where}: {side} page: characters missing from the page text: "
                    + " ".join(f"U+{ord(c):04X} {c}" for c in lost[:20])
                )
            )
    return problems


def _lost(where: str, what: str, text: str, expected: list[tuple[str, list[str]]]) -> list[Problem]:
    found = compare_in_order(text, [t for _, texts in expected for t in texts])
    return [
        Problem.general(f"{where}: text not found in {what} in reading order: {lost[:60]!r}")
        for lost in found.missing
    ]
