"""Jobs (fiche × sheet × language × profile) into checked PDF files.

`build_job` reads like the data flow: typeset → render → post-process → check;
`build` runs the jobs, keeps going when one fails, writes each file atomically
and returns a `BuildReport` that decides the exit status.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog, Job, load_catalog
from .errors import FicheError, Problem
from .profiles import PROFILE_NAMES, Profile, profile_for

log = logging.getLogger("fiche.build")


@dataclass(frozen=True)
class JobResult:
    job: Job
    profile: str
    path: str = ""
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()
    pages: int = 0
    body_pt: tuple[float, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class BuildReport:
    results: list[JobResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # not tied to one job
    seconds: float = 0.0

    @property
    def built(self) -> list[JobResult]:
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        return 2 if (self.failed or self.problems) else 0

    def __str__(self) -> str:
        warned = sum(1 for r in self.built if r.warnings)
        s = f"{len(self.built)} built, {len(self.failed)} failed"
        if warned:
            s += f", {warned} with warnings"
        return s + f" in {self.seconds:.1f} s"


def output_path(out_dir: Path, job: Job, profile: Profile) -> Path:
    return out_dir / job.lang / f"{job.sheet}{profile.suffix}.pdf"


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class JobOutput:
    pdf: bytes
    body_pt: tuple[float, ...]
    warnings: tuple[str, ...]


def build_job(cat: Catalog, job: Job, profile: Profile, strict: bool = False) -> JobOutput:
    """One sheet in one language and profile into checked PDF bytes.

    Raises `FicheError` on any defect; with `strict`, preflight warnings count too.
    """
    from .colour import icc_path
    from .pdfpost import DocMeta, build_date, postprocess
    from .preflight import preflight
    from .render import render_pdf
    from .textcheck import extract_pages, missing_in_order
    from .typeset import expected_text, typeset

    sheet = typeset(cat, job)
    layout = cat.layouts[sheet.layout]
    assets = cat.root / "assets"
    result = render_pdf(
        sheet,
        layout,
        profile,
        assets,
        layout_path=cat.layout_srcs[sheet.layout].path,
        hyphenation_dir=cat.root / "hyphenation",
    )
    meta = DocMeta(
        title=sheet.title,
        author=sheet.author,
        subject=sheet.subject,
        lang=job.lang,
        identity=f"{job.fiche}/{job.sheet}/{job.lang}/{profile.suffix}",
        date=build_date(),
    )
    pdf = postprocess(result.pdf, result.boxes, meta, profile, icc_path(assets))

    where = f"sheet {job.sheet} ({job.lang}, {profile.name})"
    report = preflight(
        pdf,
        name=where,
        profile=profile,
        bleed_mm=layout.page.bleed_mm,
        trim_mm=(layout.page.width_mm, layout.page.height_mm),
    )
    bad = report.failed + (report.warnings if strict else [])
    problems = [Problem("", 0, 0, "", f"{where}: preflight {c.name}: {c.detail}") for c in bad]
    # Our own PDFs must give back every word they were made from.
    for (side, texts), text in zip(expected_text(sheet), extract_pages(pdf), strict=True):
        for lost in missing_in_order(text, texts):
            problems.append(
                Problem(
                    "",
                    0,
                    0,
                    "",
                    f"{where}: {side} page: text not found in "
                    f"the PDF in reading order: {lost[:60]!r}",
                )
            )
    if problems:
        raise FicheError(problems)
    warnings = tuple(f"preflight {c.name}: {c.detail}" for c in report.warnings)
    return JobOutput(pdf, tuple(f.body_pt for f in result.fits), warnings)


def build(
    root: Path,
    out_dir: Path,
    langs: tuple[str, ...] = (),
    sheets: tuple[str, ...] = (),
    profiles: tuple[str, ...] = (),
    paper: str | None = None,
    strict: bool = False,
) -> BuildReport:
    """Build every selected job; failed jobs are reported, the others still written."""
    start = time.perf_counter()
    report = BuildReport()
    try:
        cat = load_catalog(root)
    except FicheError as e:
        report.problems += e.problems
        report.seconds = time.perf_counter() - start
        return report
    chosen = [profile_for(name, paper) for name in (profiles or PROFILE_NAMES)]
    unknown = [lang for lang in langs if lang not in cat.known_languages()]
    if unknown:
        report.problems.append(
            Problem(
                "",
                0,
                0,
                "--lang",
                f"unknown language(s): "
                f"{', '.join(unknown)} (known: "
                f"{', '.join(sorted(cat.known_languages()))})",
            )
        )
    jobs = cat.jobs(langs, sheets)
    if sheets and not jobs:
        report.problems.append(Problem("", 0, 0, "", f"no sheet named {', '.join(sheets)}"))
    for fiche_problems in (f.problems for f in cat.fiches.values() if f.defn is None):
        report.problems += fiche_problems
    for job in jobs:
        blocking = cat.job_problems(job)
        for profile in chosen:
            if blocking:
                report.results.append(JobResult(job, profile.name, problems=tuple(blocking)))
                continue
            try:
                out = build_job(cat, job, profile, strict)
            except FicheError as e:
                report.results.append(JobResult(job, profile.name, problems=tuple(e.problems)))
                continue
            path = output_path(out_dir, job, profile)
            write_atomic(path, out.pdf)
            log.info("built %s", path)
            report.results.append(
                JobResult(
                    job,
                    profile.name,
                    str(path),
                    warnings=out.warnings,
                    pages=2,
                    body_pt=out.body_pt,
                )
            )
    report.seconds = time.perf_counter() - start
    return report
