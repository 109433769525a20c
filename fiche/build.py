"""Jobs (fiche × sheet × language) into checked PDF files in the output folder.

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
from .profiles import DEFAULT_PROFILE, PROFILES, Profile

log = logging.getLogger("fiche.build")


@dataclass(frozen=True)
class JobResult:
    job: Job
    path: str = ""
    problems: tuple[Problem, ...] = ()
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
        s = f"{len(self.built)} built, {len(self.failed)} failed in {self.seconds:.1f} s"
        return s


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


def build_job(cat: Catalog, job: Job, profile: Profile) -> tuple[bytes, list[float]]:
    """One sheet in one language into checked PDF bytes; raise `FicheError` on any defect."""
    from .pdfpost import DocMeta, postprocess
    from .preflight import preflight
    from .render import render_pdf
    from .textcheck import extract_pages, missing_in_order
    from .typeset import expected_text, typeset

    sheet = typeset(cat, job)
    layout = cat.layouts[sheet.layout]
    result = render_pdf(
        sheet,
        layout,
        profile,
        cat.fonts_dir,
        layout_path=cat.layout_srcs[sheet.layout].path,
        hyphenation_dir=cat.root / "hyphenation",
    )
    meta = DocMeta(title=sheet.title, author=sheet.author, subject=sheet.subject, lang=job.lang)
    pdf = postprocess(result.pdf, result.boxes, meta)

    where = f"sheet {job.sheet} ({job.lang})"
    report = preflight(
        pdf,
        name=where,
        bleed_mm=layout.page.bleed_mm if profile.bleed else 0.0,
        trim_mm=(layout.page.width_mm, layout.page.height_mm),
    )
    problems = [
        Problem("", 0, 0, "", f"{where}: preflight {c.name}: {c.detail}") for c in report.failed
    ]
    # Our own PDFs must give back every word they were made from.
    pages = extract_pages(pdf)
    for (side, texts), text in zip(expected_text(sheet), pages, strict=True):
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
    return pdf, [f.body_pt for f in result.fits]


def build(
    root: Path,
    out_dir: Path,
    langs: tuple[str, ...] = (),
    sheets: tuple[str, ...] = (),
    profile_name: str = DEFAULT_PROFILE,
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
    profile = PROFILES[profile_name]
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
        if blocking:
            report.results.append(JobResult(job, problems=tuple(blocking)))
            continue
        try:
            pdf, body = build_job(cat, job, profile)
        except FicheError as e:
            report.results.append(JobResult(job, problems=tuple(e.problems)))
            continue
        path = output_path(out_dir, job, profile)
        write_atomic(path, pdf)
        log.info("built %s", path)
        report.results.append(JobResult(job, str(path), pages=2, body_pt=tuple(body)))
    report.seconds = time.perf_counter() - start
    return report
