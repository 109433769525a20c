"""Jobs (fiche × sheet × language × profile) into checked PDF files.

`build` runs the jobs (the profiles of one sheet × language together, set and fitted
once: `job.build_profiles`), keeps going when one fails, writes each file atomically
and returns a `BuildReport` that decides the exit status.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fiche.build import pool
from fiche.build.inputs import file_digest, job_input_hash, tree_digest
from fiche.build.manifest import JOURNAL, Entry, journal_append, still_valid, write_manifest
from fiche.build.manifest import read as read_manifest
from fiche.build.outlock import Busy, Unlockable, foreign, hold, is_root
from fiche.build.shard import Shard
from fiche.build.statcache import StatCache
from fiche.core.atomic import write_atomic
from fiche.core.builddate import source_date_epoch
from fiche.core.errors import FicheError, Problem, os_reason
from fiche.model.jobs import Job
from fiche.model.languages import known_languages
from fiche.model.profiles import PROFILE_NAMES, Profile, profile_for

if TYPE_CHECKING:
    from fiche.build.job import JobOutput
    from fiche.model.catalog import Catalog
    from fiche.model.school import LoadedSchool

log = logging.getLogger("fiche.build.run")


@dataclass(frozen=True)
class JobResult:
    job: Job
    profile: str
    path: str = ""
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()
    pages: int = 0
    # per page side: the styles its text is set in -> size in pt (none that it does not use)
    styles: dict[str, dict[str, float]] = field(default_factory=dict, hash=False)
    # the same as the manifest recorded it for the previous build of this output, if any
    before: dict[str, dict[str, float]] = field(default_factory=dict, hash=False)
    skipped: bool = False  # up to date: not built again
    sha256: str = ""
    size: int = 0
    input_hash: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def style_changes(self) -> dict[str, list[tuple[str, float, float]]]:
        """Per page side, (style, size before, size now) for each style used on that page
        in both this build and the previous one, at another size: a style a page does not
        use is never a change."""
        out = {}
        for side, now in self.styles.items():
            was = self.before.get(side, {})
            changed = [(name, was[name], pt) for name, pt in now.items() if was.get(name, pt) != pt]
            if changed:
                out[side] = changed
        return out


@dataclass
class BuildReport:
    results: list[JobResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # not tied to one job
    seconds: float = 0.0

    @property
    def built(self) -> list[JobResult]:
        """Every output that is in place and good: new or up to date."""
        return [r for r in self.results if r.ok]

    @property
    def skipped(self) -> list[JobResult]:
        return [r for r in self.results if r.ok and r.skipped]

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        return 2 if (self.failed or self.problems) else 0

    def __str__(self) -> str:
        warned = sum(1 for r in self.built if r.warnings)
        new = len(self.built) - len(self.skipped)
        s = f"{new} built, {len(self.skipped)} up to date, {len(self.failed)} failed"
        if warned:
            s += f", {warned} with warnings"
        return s + f" in {self.seconds:.1f} s"


def output_path(out_dir: Path, job: Job, profile: Profile) -> Path:
    return out_dir / job.lang / f"{job.sheet}{profile.suffix}.pdf"


@dataclass(frozen=True)
class Task:
    """One output to make; forked workers find it in the list they inherit."""

    job: Job
    profile: Profile
    path: str  # relative to the output folder
    input_hash: str
    school: Path | None = None


def _keep() -> None:
    """The catalogue lives as long as the build: keep the garbage collector from scanning
    it again and again, or every job of a large catalogue would get slower."""
    gc.collect()
    gc.freeze()


def _release() -> None:
    """After the jobs: the collector may look at everything again (`fiche serve` builds
    many times in one process)."""
    gc.unfreeze()


def _by_sheet(todo: list[Task]) -> list[tuple[Task, ...]]:
    """The tasks grouped by sheet × language (and school), in the order they came: one
    worker sets and fits a sheet once and draws every profile of it that is due.

    A sheet's profiles are not shared out among idle workers (one sheet, `--jobs 2`):
    a worker's own start (the drawing stages' imports, the hyphenator, the measured
    words) costs about as much as the draws it would take over."""
    groups: dict[tuple[Job, Path | None], list[Task]] = {}
    for task in todo:
        groups.setdefault((task.job, task.school), []).append(task)
    return [tuple(g) for g in groups.values()]


def _run_group(
    group: tuple[Task, ...], out_dir: Path, strict: bool, cat: Catalog
) -> list[JobResult]:
    """Build the tasks of one sheet × language and write each file atomically; each
    output's result, in the group's order: input problems (every output's, when the
    sheet cannot be set or fitted), and an output that cannot be written (disk full,
    read-only), come back as its result."""
    # Every stage, with ReportLab, pikepdf and pydantic: a build with nothing to do
    # never gets here.
    from fiche.build.job import build_profiles

    first = group[0]
    try:
        school = _school(first.school) if first.school else None
    except FicheError as e:
        return [JobResult(t.job, t.profile.name, problems=tuple(e.problems)) for t in group]
    outs = build_profiles(cat, first.job, [t.profile for t in group], strict, school)
    return [_written(task, out, out_dir, cat) for task, out in zip(group, outs, strict=True)]


def _written(task: Task, out: JobOutput | FicheError, out_dir: Path, cat: Catalog) -> JobResult:
    """The result of one task's output, written atomically if it was made."""
    if isinstance(out, FicheError):
        return JobResult(task.job, task.profile.name, problems=tuple(out.problems))
    path = out_dir / task.path
    result = JobResult(
        task.job,
        task.profile.name,
        str(path),
        warnings=out.warnings,
        pages=out.pages,
        styles=out.styles,
        sha256=hashlib.sha256(out.pdf).hexdigest(),
        size=len(out.pdf),
        input_hash=task.input_hash,
    )
    entry = manifest_entry(cat, out_dir, result)
    try:
        # Journal first: a kill after the rename still leaves a manifest that matches.
        write_atomic(path, out.pdf, before_rename=lambda: journal_append(out_dir, entry))
    except OSError as e:
        problem = Problem.general(f"{path}: cannot write: {os_reason(e)}")
        return JobResult(task.job, task.profile.name, problems=(problem,))
    log.info("built %s", path)
    return result


# School profiles by absolute path and file digest.
_schools: dict[tuple[Path, str], LoadedSchool] = {}


def _school(path: Path) -> LoadedSchool:
    """A school profile, loaded once per process (again when the file changes)."""
    from fiche.model.school import load_school  # pydantic, PyYAML: only for --school

    key = (path, file_digest(path))
    if key not in _schools:
        _schools[key] = load_school(path)
    return _schools[key]


def manifest_entry(cat: Catalog, out_dir: Path, result: JobResult) -> Entry:
    """The manifest's record of a successful result."""
    f = cat.fiches[result.job.fiche]
    assert f.defn is not None
    rel = str(Path(result.path).relative_to(out_dir))
    return Entry(
        rel,
        result.job.fiche,
        f.defn.series,
        f.defn.number,
        result.job.sheet,
        result.job.lang,
        result.profile,
        result.pages,
        result.size,
        result.sha256,
        result.input_hash,
        result.warnings,
        result.styles,
    )


def selection_problems(
    cat: Catalog, langs: tuple[str, ...], sheets: tuple[str, ...]
) -> list[Problem]:
    """What is wrong with `--lang` and `--sheet`, each name that matches nothing.

    A fiche that did not load may hold any language fiche can set and any sheet name: with
    one, a name is only refused when it cannot be right (its own problem is reported apart).
    """
    loaded = [f for f in cat.fiches.values() if f.defn is not None]
    complete = len(loaded) == len(cat.fiches)
    known = sorted(cat.known_languages() if complete else known_languages())
    problems = []
    unknown = [lang for lang in langs if lang not in known]
    if unknown:
        problems.append(
            Problem.general(
                f"unknown language(s): {', '.join(unknown)} (known: {', '.join(known)})", "--lang"
            )
        )
    if complete:
        names = set(cat.fiches) | {s for f in loaded if f.defn for s in f.defn.sheets}
        missing = [name for name in sheets if name not in names]
        if missing:
            problems.append(Problem.general(f"no sheet named {', '.join(missing)}"))
        elif sheets and langs and not unknown and not cat.jobs(langs, sheets):
            problems.append(
                Problem.general(f"no sheet named {', '.join(sheets)} in {', '.join(langs)}")
            )
    return problems


@dataclass(frozen=True)
class BuildOptions:
    """What `build` makes and how: `fiche build`'s options, by the same names.

    `jobs` worker processes (None: one per CPU; 1: in this process). `progress` is
    called as progress(result, done, total) once per finished output. With `school` (a
    school profile file) every sheet gets that school's imprint. With `shard` only the
    jobs of that shard are built (see `shard`). Another build writing
    into the folder is waited for (`on_wait(pid)` is told first) unless `no_wait`.
    """

    langs: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    paper: str | None = None
    strict: bool = False
    jobs: int | None = 1
    force: bool = False
    school: Path | None = None
    shard: Shard | None = None
    no_wait: bool = False
    allow_foreign: bool = False
    progress: Callable[[JobResult, int, int], None] | None = None
    on_wait: Callable[[int | None], None] | None = None


def build(
    root: Path, out_dir: Path, options: BuildOptions | None = None, /, **changes: Any
) -> BuildReport:
    """Build every selected job that is not up to date; failures are reported, not fatal.

    `changes` set single fields of `options` (`build(root, out, langs=("nl",))`).
    With a school profile the outputs go to <out_dir>/schools/<slug>/, leaving the
    catalogue's own files alone. A KeyboardInterrupt stops the workers, records what
    was finished in the manifest, and propagates.

    One build at a time writes into `out_dir`: another one waits or, with `no_wait`,
    fails. A folder holding files fiche did not make is refused unless `allow_foreign`;
    an output folder that cannot be created or written is a problem of the report,
    with the OS's reason.
    """
    opts = replace(options or BuildOptions(), **changes)
    start = time.perf_counter()
    report = BuildReport()
    try:
        source_date_epoch()  # before anything is written or rendered
    except FicheError as e:
        report.problems += e.problems
        return report
    problem = _unusable(out_dir, opts.allow_foreign)
    if problem is None:
        on_wait = opts.on_wait or functools.partial(_say_waiting, out_dir)
        try:
            with hold(out_dir, not opts.no_wait, on_wait):
                _sweep_temporaries(out_dir)
                return _build_locked(root, out_dir, opts)
        except Busy as e:
            problem = (
                f"{out_dir}/: another build (pid {e.pid or 'unknown'}) is writing into "
                "this folder; not waiting (--no-wait)"
            )
        except Unlockable as e:
            problem = f"{out_dir}: cannot lock the folder: {e.reason}"
    report.problems.append(Problem.general(problem, "--out"))
    report.seconds = time.perf_counter() - start
    return report


def _say_waiting(out_dir: Path, pid: int | None) -> None:
    log.warning("waiting for another build of %s/ (pid %s) to finish", out_dir, pid or "unknown")


def _unusable(out_dir: Path, allow_foreign: bool) -> str | None:
    """Why fiche must not write into `out_dir` (creating it if need be), or None."""
    if allow_foreign and is_root(out_dir):
        return f"{out_dir}: fiche does not write into the root of a file system"
    try:
        refused = not allow_foreign and foreign(out_dir)
    except OSError as e:
        return f"{out_dir}: cannot read the folder: {os_reason(e)}"
    if refused:
        return (
            f"{out_dir}: this folder holds files fiche did not make (it has no "
            "manifest.json of fiche's); choose a new or empty folder, or pass "
            "--allow-foreign to write there anyway"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{out_dir}: not a folder"
    except OSError as e:
        return f"{out_dir}: cannot create the folder: {os_reason(e)}"
    return None


def _build_locked(root: Path, out_dir: Path, opts: BuildOptions) -> BuildReport:
    """`build` once the output folder is known to be usable and locked."""
    start = time.perf_counter()
    report = BuildReport()
    school: Path | None = None
    school_files: dict[str, str] = {}
    if opts.school is not None:
        try:
            loaded, school = _load_school(root, opts.school)
        except FicheError as e:
            return _failed(report, e, start)
        out_dir = out_dir / "schools" / loaded.slug
        school_files = {str(p): file_digest(p) for p in (school, loaded.logo) if p}
    key, tree = _selection(root, opts, school_files)
    recorded = read_manifest(out_dir)
    last = recorded.trees.get(key, {})
    stats = StatCache(out_dir)
    if not opts.force and last.get("tree") == tree:
        fast = _up_to_date(out_dir, recorded.entries, last["outputs"], opts.strict, stats)
        if fast is not None:
            stats.save()
            fast.seconds = time.perf_counter() - start
            return fast

    # The content model (pydantic, PyYAML, Pillow): a build with nothing to do skips it.
    from fiche.model.catalog import load_catalog

    try:
        cat = load_catalog(root, opts.langs)
    except FicheError as e:
        return _failed(report, e, start)
    selected, chosen = _selected(cat, opts, report)
    tally = _Tally(
        cat, out_dir, report, len(selected) * len(chosen), opts.progress, recorded.entries
    )
    todo = _plan(
        tally,
        selected,
        chosen,
        recorded.entries,
        school=school,
        school_files=school_files,
        force=opts.force,
        strict=opts.strict,
        stats=stats,
    )
    stats.save()
    try:
        _run_all(todo, cat, out_dir, opts, tally)
    finally:
        _sweep_temporaries(out_dir)  # of the jobs a Ctrl-C cut short
        complete = len(report.results) == tally.total and report.exit_code == 0
        _write_manifest(
            out_dir, tally.made, recorded.trees, key, tree if complete else None, report
        )
        report.seconds = time.perf_counter() - start
    return report


def _selection(root: Path, opts: BuildOptions, school_files: dict[str, str]) -> tuple[str, str]:
    """The manifest's key for this selection, and the digest of the inputs it reads: when
    both match the last build, nothing has to be done."""
    selection = {
        "langs": sorted(opts.langs),
        "sheets": sorted(opts.sheets),
        "profiles": sorted(opts.profiles or PROFILE_NAMES),
        "paper": opts.paper,
        "school": school_files,
    }
    # The shard is in the key, not in the tree: the shards of one build record the tree
    # of the whole, which `fiche manifest merge` checks they agree on and records for it.
    key = {**selection, "shard": str(opts.shard)} if opts.shard else selection
    return json.dumps(key, sort_keys=True), tree_digest(root, selection)


def _selected(
    cat: Catalog, opts: BuildOptions, report: BuildReport
) -> tuple[list[Job], list[Profile]]:
    """The jobs and profiles chosen; what is wrong with the choice, or with a fiche that
    did not load, goes into the report."""
    chosen = [profile_for(name, opts.paper) for name in (opts.profiles or PROFILE_NAMES)]
    report.problems += selection_problems(cat, opts.langs, opts.sheets)
    selected = cat.jobs(opts.langs, opts.sheets)
    if opts.shard is not None:
        selected = [job for job in selected if opts.shard.holds(job)]
    for fiche_problems in (f.problems for f in cat.fiches.values() if f.defn is None):
        report.problems += fiche_problems
    return selected, chosen


def _run_all(
    todo: list[Task], cat: Catalog, out_dir: Path, opts: BuildOptions, tally: _Tally
) -> None:
    groups = _by_sheet(todo)
    _keep()
    try:
        if opts.jobs == 1 or len(groups) <= 1:
            for group in groups:
                for result in _run_group(group, out_dir, opts.strict, cat):
                    tally.add(result)
        else:
            _run_parallel(groups, cat, out_dir, opts.strict, opts.jobs, tally.add)
    finally:
        _release()


@dataclass
class _Tally:
    """Each result as it comes, told to `progress`; what was made, for the manifest; each
    new output with the styles its previous build used (`previous`: the manifest's)."""

    cat: Catalog
    out_dir: Path
    report: BuildReport
    total: int
    progress: Callable[[JobResult, int, int], None] | None
    previous: dict[str, Entry] = field(default_factory=dict)
    made: dict[str, Entry] = field(default_factory=dict)

    def add(self, result: JobResult) -> None:
        if result.ok and not result.skipped:
            entry = manifest_entry(self.cat, self.out_dir, result)
            self.made[entry.path] = entry
            was = self.previous.get(entry.path)
            if was is not None:
                result = replace(result, before=was.styles)
        self.report.results.append(result)
        if self.progress:
            self.progress(result, len(self.report.results), self.total)


def _plan(
    tally: _Tally,
    selected: list[Job],
    chosen: list[Profile],
    recorded: dict[str, Entry],
    *,
    school: Path | None,
    school_files: dict[str, str],
    force: bool,
    strict: bool,
    stats: StatCache | None = None,
) -> list[Task]:
    """The outputs to make; those that cannot be made or are up to date go into the
    tally's report at once."""
    cat, out_dir = tally.cat, tally.out_dir
    todo: list[Task] = []
    for job in selected:
        blocking = cat.job_problems(job)
        for profile in chosen:
            if blocking:
                tally.report.results.append(JobResult(job, profile.name, problems=tuple(blocking)))
                continue
            rel = str(output_path(out_dir, job, profile).relative_to(out_dir))
            digest = job_input_hash(cat, job, profile, school_files)
            entry = recorded.get(rel)
            if not force and entry is not None and still_valid(out_dir, entry, digest, stats):
                tally.add(_recorded_result(out_dir, entry, strict, job, profile.name))
            else:
                todo.append(Task(job, profile, rel, digest, school))
    return todo


def _failed(report: BuildReport, e: FicheError, start: float) -> BuildReport:
    report.problems += e.problems
    report.seconds = time.perf_counter() - start
    return report


def _load_school(root: Path, school: Path) -> tuple[LoadedSchool, Path]:
    """The school profile and its absolute path."""
    from fiche.model.school import load_school  # pydantic, PyYAML: only for --school

    loaded = load_school(school.resolve(), _display(root, school))
    school = school.resolve()
    # The jobs (in this process or forked workers) take this one, so their messages
    # name the file as the user gave it, not by its absolute path.
    _schools[(school, file_digest(school))] = loaded
    return loaded, school


def _display(root: Path, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _write_manifest(
    out_dir: Path,
    made: dict[str, Entry],
    trees: dict[str, dict],
    key: str,
    tree: str | None,
    report: BuildReport,
) -> None:
    """Whatever finished is on disk; the manifest says so, even after Ctrl-C. `tree`, when
    the build of selection `key` is complete, lets the next one skip its work."""
    new_trees = {}
    if tree is not None:
        outputs = sorted(str(Path(r.path).relative_to(out_dir)) for r in report.results)
        new_trees[key] = {"tree": tree, "outputs": outputs}
    # The journal too: a worker may have finished a file the parent never heard of.
    journal = (out_dir / JOURNAL).exists()
    if made or journal or (new_trees and new_trees[key] != trees.get(key)):
        try:
            write_manifest(out_dir, made, new_trees)
        except OSError as e:
            why = f"{out_dir}: cannot write the manifest: {os_reason(e)}"
            report.problems.append(Problem.general(why, "--out"))


def _up_to_date(
    out_dir: Path,
    recorded: dict[str, Entry],
    outputs: list[str],
    strict: bool,
    stats: StatCache | None = None,
) -> BuildReport | None:
    """The report of a build with nothing to do, read from the manifest alone, if every
    output the last build of this selection made is listed and intact; else None."""
    if not outputs or any(o not in recorded for o in outputs):
        return None
    report = BuildReport()
    for e in (recorded[o] for o in outputs):
        if not still_valid(out_dir, e, e.input_hash, stats):
            return None
        job = Job(e.fiche, e.sheet, e.lang)
        report.results.append(_recorded_result(out_dir, e, strict, job, e.profile))
    return report


def _recorded_result(
    out_dir: Path, entry: Entry, strict: bool, job: Job, profile: str
) -> JobResult:
    """An output that is up to date; in strict mode its recorded warnings still fail it."""
    where = f"sheet {job.sheet} ({job.lang}, {profile})"
    problems = tuple(Problem.general(f"{where}: {w}") for w in entry.warnings)
    return JobResult(
        job,
        profile,
        str(out_dir / entry.path),
        problems=problems if strict else (),
        warnings=entry.warnings,
        pages=entry.pages,
        styles=entry.styles,
        skipped=True,
        sha256=entry.sha256,
        size=entry.bytes,
        input_hash=entry.input_hash,
    )


def _run_parallel(
    groups: list[tuple[Task, ...]],
    cat: Catalog,
    out_dir: Path,
    strict: bool,
    jobs: int | None,
    record: Callable[[JobResult], None],
) -> None:
    workers = min(jobs or os.cpu_count() or 1, len(groups))

    def record_all(results: list[JobResult]) -> None:
        for result in results:
            record(result)

    try:
        pool.run(groups, lambda group: _run_group(group, out_dir, strict, cat), workers, record_all)
    except pool.WorkerDied as e:
        # Killed from outside (most often for memory): not a defect of the input nor of
        # fiche, and the files finished so far are kept and listed.
        raise FicheError.at(
            "",
            "",
            f"{e}; the files finished so far are kept. Was the machine out of memory? "
            "Try again, or with fewer --jobs",
        ) from None


def _sweep_temporaries(out_dir: Path) -> None:
    """Remove what write_atomic leaves when its process is killed mid-write. Only under
    the folder's lock (then no other build has a temporary file there), only the names
    write_atomic gives, and only where a build writes: the folder, its language folders,
    schools/<slug>/ and theirs. A user's own files, with --allow-foreign, stay."""
    ours = re.compile(r"\.(?:[^/]+\.pdf|manifest\.json)\.[A-Za-z0-9_]+\.tmp")
    # down to <out>/schools/<slug>/<lang>, three levels below the folder
    levels = [[out_dir]]
    for _ in range(3):
        levels.append([d for parent in levels[-1] for d in _subfolders(parent)])
    for folder in (f for level in levels for f in level):
        for tmp in _entries(folder):
            if ours.fullmatch(tmp.name) and tmp.is_file() and not tmp.is_symlink():
                tmp.unlink(missing_ok=True)


def _subfolders(folder: Path) -> list[Path]:
    return [d for d in _entries(folder) if d.is_dir() and not d.is_symlink()]


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []
